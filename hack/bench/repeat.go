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
	"maps"
	"slices"
	"strings"
)

// medianPath folds the repetitions of one path (-repeat) into one result: the median of every
// figure, so one slow or fast repetition on a shared machine does not decide a ratio. Failures add
// up, and the RSS is the largest seen.
func medianPath(runs []PathResult) PathResult {
	if len(runs) == 1 {
		return runs[0]
	}
	out := PathResult{Path: runs[0].Path, ObjectBytes: runs[0].ObjectBytes, CPUPer1000: map[string]float64{}, RSSMiB: map[string]float64{}}
	out.Requests = int64(median(each(runs, func(r PathResult) float64 { return float64(r.Requests) })))
	var errs []string
	for _, r := range runs {
		if r.Error != "" {
			errs = append(errs, r.Error)
		}
		for k, v := range r.RSSMiB {
			out.RSSMiB[k] = max(out.RSSMiB[k], v)
		}
	}
	out.Error = strings.Join(errs, "; ")
	for _, k := range slices.Sorted(maps.Keys(runs[0].CPUPer1000)) {
		out.CPUPer1000[k] = median(each(runs, func(r PathResult) float64 { return r.CPUPer1000[k] }))
	}
	for i, first := range runs[0].Results {
		var ops []Result
		for _, r := range runs {
			if i < len(r.Results) {
				ops = append(ops, r.Results[i])
			}
		}
		m := Result{Op: first.Op}
		m.OpsPerS = median(each(ops, func(x Result) float64 { return x.OpsPerS }))
		m.P50Ms = median(each(ops, func(x Result) float64 { return x.P50Ms }))
		m.P99Ms = median(each(ops, func(x Result) float64 { return x.P99Ms }))
		m.WallSecs = median(each(ops, func(x Result) float64 { return x.WallSecs }))
		m.Count = int(median(each(ops, func(x Result) float64 { return float64(x.Count) })))
		for _, x := range ops {
			m.Errors += x.Errors
		}
		if first.CollectorWrites != nil {
			n := int64(median(each(ops, func(x Result) float64 {
				if x.CollectorWrites == nil {
					return 0
				}
				return float64(*x.CollectorWrites)
			})))
			m.CollectorWrites = &n
		}
		out.Results = append(out.Results, m)
	}
	return out
}

func each[T any](xs []T, f func(T) float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

// median of xs (the mean of the middle two for an even count); 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}
