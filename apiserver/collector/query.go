/*
Copyright 2026 The aggregation-operator Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

// Package collector runs inside the apiserver: for every MetricSnapshot, every spec.interval,
// it queries Prometheus and writes status.data through the status subresource.
package collector

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
	"golang.org/x/sync/singleflight"
)

// Querier evaluates instant queries and shares identical ones: every caller asking for the same
// (source, expression, evaluation time) gets one upstream query's answer, so Prometheus load grows
// with the number of distinct expressions, not with the number of MetricSnapshots.
type Querier struct {
	// Sources maps --source names to Prometheus API clients.
	Sources map[string]promv1.API
	// Timeout bounds one upstream query.
	Timeout time.Duration
	// Retain is how long an answer is kept for late callers of the same tick.
	Retain time.Duration

	group    singleflight.Group
	mu       sync.Mutex
	answers  map[string]answer
	upstream atomic.Int64
}

type answer struct {
	value float64
	err   error
	at    time.Time
}

// Upstream returns how many queries were sent to Prometheus so far.
func (q *Querier) Upstream() int64 { return q.upstream.Load() }

// Query returns the single number the expression evaluates to at ts.
func (q *Querier) Query(ctx context.Context, source, expr string, ts time.Time) (float64, error) {
	api, ok := q.Sources[source]
	if !ok {
		return 0, fmt.Errorf("source %q is not configured on the server", source)
	}
	key := source + "\x00" + strconv.FormatInt(ts.UnixNano(), 10) + "\x00" + expr
	if a, ok := q.cached(key); ok {
		return a.value, a.err
	}
	v, err, _ := q.group.Do(key, func() (interface{}, error) {
		if a, ok := q.cached(key); ok {
			return a, nil
		}
		q.upstream.Add(1)
		value, err := q.evaluate(ctx, api, expr, ts)
		a := answer{value: value, err: err, at: time.Now()}
		q.store(key, a)
		return a, nil
	})
	if err != nil {
		return 0, err
	}
	a := v.(answer)
	return a.value, a.err
}

func (q *Querier) cached(key string) (answer, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	a, ok := q.answers[key]
	return a, ok
}

// store keeps an answer for Retain and drops older ones, so the map stays as small as one tick.
func (q *Querier) store(key string, a answer) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.answers == nil {
		q.answers = map[string]answer{}
	}
	for k, old := range q.answers {
		if a.at.Sub(old.at) > q.Retain {
			delete(q.answers, k)
		}
	}
	q.answers[key] = a
}

func (q *Querier) evaluate(ctx context.Context, api promv1.API, expr string, ts time.Time) (float64, error) {
	ctx, cancel := context.WithTimeout(ctx, q.Timeout)
	defer cancel()
	value, _, err := api.Query(ctx, expr, ts, promv1.WithTimeout(q.Timeout))
	if err != nil {
		return 0, fmt.Errorf("querying Prometheus: %w", err)
	}
	return single(value)
}

// single reduces a query result to one finite number, or says why it cannot. The errors do not
// repeat the expression: they are reported next to it (status.errors is keyed by it).
func single(value model.Value) (float64, error) {
	var f float64
	switch v := value.(type) {
	case *model.Scalar:
		if v == nil {
			return 0, errors.New("returned no scalar")
		}
		f = float64(v.Value)
	case model.Vector:
		switch len(v) {
		case 0:
			return 0, errors.New("returned no series")
		case 1:
			if v[0] == nil {
				return 0, errors.New("returned an empty sample")
			}
			f = float64(v[0].Value)
		default:
			return 0, fmt.Errorf("returned %d series; aggregate them to one, e.g. with sum(...)", len(v))
		}
	default:
		return 0, fmt.Errorf("returned a %s, want a scalar or a single-series vector", valueType(value))
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("evaluated to %v, which cannot be stored", f)
	}
	return f, nil
}

// valueType names a result's type; a nil result (an empty response) has none.
func valueType(value model.Value) string {
	if value == nil {
		return "nothing"
	}
	return value.Type().String()
}
