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

package main

import (
	"slices"
	"time"
)

// Result is one operation measured on one path.
type Result struct {
	Op       string  `json:"op"`
	Count    int     `json:"count"`
	Errors   int     `json:"errors"`
	OpsPerS  float64 `json:"opsPerSecond"`
	P50Ms    float64 `json:"p50Ms"`
	P99Ms    float64 `json:"p99Ms"`
	WallSecs float64 `json:"wallSeconds"`
	// CollectorWrites is how many status writes the MetricSnapshot collector made (or tried) while the
	// operation ran; nil on paths without a collector.
	CollectorWrites *int64 `json:"collectorStatusWrites,omitempty"`
}

// summarize turns the latencies of one operation (run over wall) into a Result; failed requests
// count as errors, not as latencies.
func summarize(op string, lat []time.Duration, errors int, wall time.Duration) Result {
	r := Result{Op: op, Count: len(lat), Errors: errors, WallSecs: wall.Seconds()}
	if wall > 0 {
		r.OpsPerS = float64(len(lat)) / wall.Seconds()
	}
	if len(lat) == 0 {
		return r
	}
	s := slices.Clone(lat)
	slices.Sort(s)
	r.P50Ms = ms(percentile(s, 50))
	r.P99Ms = ms(percentile(s, 99))
	return r
}

// percentile is the nearest-rank percentile p of sorted.
func percentile(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100
	if i < 1 {
		i = 1
	}
	return sorted[i-1]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
