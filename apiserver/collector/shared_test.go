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

package collector

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	promapi "github.com/prometheus/client_golang/api"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"example.com/aggregation-operator/apiserver/apis/metrics"
	"example.com/aggregation-operator/apiserver/internal/testenv"
)

var expressions = []string{"up", "count(up)", "prometheus_build_info", "time()"}

func newQuerier(t testing.TB, url string) *Querier {
	client, err := promapi.NewClient(promapi.Config{Address: url})
	if err != nil {
		t.Fatal(err)
	}
	return &Querier{Sources: map[string]promv1.API{"prometheus": promv1.NewAPI(client)}, Timeout: 10 * time.Second, Retain: 20 * time.Second}
}

func snapshots(n int) []*metrics.MetricSnapshot {
	out := make([]*metrics.MetricSnapshot, n)
	for i := range out {
		out[i] = &metrics.MetricSnapshot{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("s%d", i), Generation: 1},
			Spec:       metrics.MetricSnapshotSpec{Source: "prometheus", Metrics: metrics.NamedAfterQueries(expressions...), Interval: "10s"},
		}
	}
	return out
}

// collectAll collects every snapshot concurrently at ts, like the collector's workers at one tick.
func collectAll(q *Querier, all []*metrics.MetricSnapshot, ts time.Time, workers int) []metrics.MetricSnapshotStatus {
	out := make([]metrics.MetricSnapshotStatus, len(all))
	work := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range work {
				out[i] = collect(context.Background(), q, all[i], ts)
			}
		})
	}
	for i := range all {
		work <- i
	}
	close(work)
	wg.Wait()
	return out
}

// TestIdenticalQueriesAreShared: 50 snapshots asking for the same 4 expressions at one tick cost
// Prometheus 4 queries, and all of them get the same values.
func TestIdenticalQueriesAreShared(t *testing.T) {
	prom := testenv.StartPrometheus(t)
	prom.WaitForSeries(testenv.Scraped)
	q := newQuerier(t, prom.URL)
	ts := time.Now().Truncate(time.Second)
	statuses := collectAll(q, snapshots(50), ts, 8)
	if got := q.Upstream(); got != int64(len(expressions)) {
		t.Fatalf("50 snapshots x %d expressions made %d upstream queries, want %d", len(expressions), got, len(expressions))
	}
	for i, s := range statuses {
		if v := valueOf(s, "time()"); v == nil || *v != float64(ts.Unix()) || len(s.Conditions) != 1 {
			t.Fatalf("snapshot %d: status %+v, want time() = %d", i, s, ts.Unix())
		}
	}
	// The next tick is a new evaluation time: new queries.
	collectAll(q, snapshots(50), ts.Add(10*time.Second), 8)
	if got := q.Upstream(); got != int64(2*len(expressions)) {
		t.Fatalf("second tick: %d upstream queries in total, want %d", got, 2*len(expressions))
	}
}

// valueOf is the value collected for the metric named name, nil when it has none.
func valueOf(s metrics.MetricSnapshotStatus, name string) *float64 {
	for _, r := range s.Results {
		if r.Name == name {
			return r.Value
		}
	}
	return nil
}
