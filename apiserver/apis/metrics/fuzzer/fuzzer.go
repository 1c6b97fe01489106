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

// Package fuzzer fills MetricSnapshots with random data for round-trip tests.
package fuzzer

import (
	"math"

	runtimeserializer "k8s.io/apimachinery/pkg/runtime/serializer"
	"sigs.k8s.io/randfill"

	"example.com/aggregation-operator/apiserver/apis/metrics"
	metricsv1 "example.com/aggregation-operator/apiserver/apis/metrics/v1"
	metricsv2 "example.com/aggregation-operator/apiserver/apis/metrics/v2"
)

// Funcs keeps random objects stable across a round trip: metric values must be finite to be
// JSON numbers, and what the versions default (an empty interval, and in v2 an empty metric name)
// would be defaulted on the way back.
var Funcs = func(_ runtimeserializer.CodecFactory) []interface{} {
	return []interface{}{
		func(s *metrics.MetricSnapshotSpec, c randfill.Continue) {
			c.FillNoCustom(s)
			defaultInterval(&s.Interval)
		},
		func(s *metricsv1.MetricSnapshotSpec, c randfill.Continue) {
			c.FillNoCustom(s)
			defaultInterval(&s.Interval)
		},
		func(s *metricsv2.MetricSnapshotSpec, c randfill.Continue) {
			c.FillNoCustom(s)
			defaultInterval(&s.Interval)
		},
		func(m *metrics.Metric, c randfill.Continue) {
			c.FillNoCustom(m)
			nameAfterQuery(&m.Name, m.Query)
		},
		func(m *metricsv2.Metric, c randfill.Continue) {
			c.FillNoCustom(m)
			nameAfterQuery(&m.Name, m.Query)
		},
		func(r *metrics.MetricResult, c randfill.Continue) {
			c.FillNoCustom(r)
			r.Value = finite(r.Value)
		},
		func(r *metricsv2.MetricResult, c randfill.Continue) {
			c.FillNoCustom(r)
			r.Value = finite(r.Value)
		},
		func(s *metricsv1.MetricSnapshotStatus, c randfill.Continue) {
			c.FillNoCustom(s)
			for k, v := range s.Data {
				s.Data[k] = *finite(&v)
			}
			// An empty error is no error: results keep errors that say something.
			for k, v := range s.Errors {
				if v == "" {
					delete(s.Errors, k)
				}
			}
		},
	}
}

func defaultInterval(interval *string) {
	if *interval == "" {
		*interval = metrics.DefaultInterval
	}
}

func nameAfterQuery(name *string, query string) {
	if *name == "" {
		*name = query
	}
}

// finite replaces NaN and infinities, which JSON cannot carry, by 0.
func finite(v *float64) *float64 {
	if v == nil || (!math.IsNaN(*v) && !math.IsInf(*v, 0)) {
		return v
	}
	zero := 0.0
	return &zero
}
