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

import "testing"

func TestMedianPath(t *testing.T) {
	writes := func(n int64) *int64 { return &n }
	run := func(ops, cpu, rss float64, errs int, w int64) PathResult {
		return PathResult{Path: "p", Requests: 100, CPUPer1000: map[string]float64{"server": cpu}, RSSMiB: map[string]float64{"server": rss},
			Results: []Result{{Op: "get", OpsPerS: ops, P50Ms: 1000 / ops, Errors: errs, CollectorWrites: writes(w)}}}
	}
	got := medianPath([]PathResult{run(300, 3, 200, 0, 10), run(900, 1, 150, 1, 0), run(500, 2, 250, 0, 4)})
	g := got.Results[0]
	if g.OpsPerS != 500 || g.P50Ms != 2 || *g.CollectorWrites != 4 {
		t.Errorf("median get = %v ops/s, p50 %v ms, %d collector writes; want 500, 2, 4", g.OpsPerS, g.P50Ms, *g.CollectorWrites)
	}
	if g.Errors != 1 {
		t.Errorf("errors = %d, want 1: a failure in any repetition shows", g.Errors)
	}
	if got.CPUPer1000["server"] != 2 || got.RSSMiB["server"] != 250 {
		t.Errorf("CPU %v, RSS %v; want the median 2 and the largest 250", got.CPUPer1000["server"], got.RSSMiB["server"])
	}
	if m := median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("median of 4 values = %v, want 2.5", m)
	}
}
