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
)

// Funcs keeps random objects stable across a round trip: metric values must be finite to be
// JSON numbers, and an empty interval would be defaulted on the way back.
var Funcs = func(_ runtimeserializer.CodecFactory) []interface{} {
	return []interface{}{
		func(s *metrics.MetricSnapshotSpec, c randfill.Continue) {
			c.FillNoCustom(s)
			if s.Interval == "" {
				s.Interval = metricsv1.DefaultInterval
			}
		},
		func(s *metrics.MetricSnapshotStatus, c randfill.Continue) {
			c.FillNoCustom(s)
			for k, v := range s.Data {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					s.Data[k] = 0
				}
			}
		},
	}
}
