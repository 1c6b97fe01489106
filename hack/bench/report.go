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
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"
)

// PathResult is everything measured on one path.
type PathResult struct {
	Path     string   `json:"path"`
	Results  []Result `json:"results"`
	Requests int64    `json:"requests"`
	// ObjectBytes is the mean JSON size of an object as the server returns it.
	ObjectBytes int `json:"objectBytes"`
	// Per server on the route ("server", "kube-apiserver"): CPU seconds per 1000 requests of the path,
	// and RSS at the end of the path.
	CPUPer1000 map[string]float64 `json:"cpuSecondsPer1000Requests"`
	RSSMiB     map[string]float64 `json:"rssMiB"`
	Error      string             `json:"error,omitempty"`
}

// Report is one run of the benchmark.
type Report struct {
	Time    time.Time `json:"time"`
	Machine string    `json:"machine"`
	Sizes   Sizes     `json:"sizes"`
	// Repeat is how many times every path ran; Paths holds the medians, Runs every run of each path.
	Repeat int            `json:"repeat"`
	Paths  []PathResult   `json:"paths"`
	Runs   [][]PathResult `json:"runs,omitempty"`
	Ratios []Ratio        `json:"ratios"`
	// Apply is CustomApiServer create -> APIService Available over -apply-runs runs (issue 9 point 4).
	Apply *ApplyResult `json:"applyToAvailable,omitempty"`
}

// ApplyResult is the apply -> Available phase.
type ApplyResult struct {
	Runs    int       `json:"runs"`
	Seconds []float64 `json:"seconds"`
	P50S    float64   `json:"p50Seconds"`
	P99S    float64   `json:"p99Seconds"`
	Error   string    `json:"error,omitempty"`
}

// Ratio compares the ops/s of two paths on every operation (> 1: Of is faster).
type Ratio struct {
	Of, To string
	ByOp   map[string]float64
}

// ratioPairs are the comparisons issue 9 sets targets on.
var ratioPairs = [][2]string{
	{pathMetricsAgg, pathCRD},
	{pathMetricsAgg, pathWardleAgg},
	{pathMetricsPod, pathCRD},
	{pathMetricsPod, pathWardlePod},
	{pathMetricsPod, pathMetricsOff},
	{pathMetricsAgg, pathAggOff},
	{pathAggOff, pathCRD},
	{pathAggOff, pathWardleAgg},
}

func ratios(paths []PathResult) []Ratio {
	byName := map[string]PathResult{}
	for _, p := range paths {
		byName[p.Path] = p
	}
	var out []Ratio
	for _, pair := range ratioPairs {
		a, okA := byName[pair[0]]
		b, okB := byName[pair[1]]
		if !okA || !okB {
			continue
		}
		r := Ratio{Of: pair[0], To: pair[1], ByOp: map[string]float64{}}
		for i, res := range a.Results {
			if i < len(b.Results) && b.Results[i].OpsPerS > 0 {
				r.ByOp[res.Op] = res.OpsPerS / b.Results[i].OpsPerS
			}
		}
		out = append(out, r)
	}
	return out
}

// print writes the side-by-side tables.
func (r Report) print(out io.Writer) {
	if len(r.Paths) == 0 {
		r.printApply(out)
		return
	}
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	if r.Repeat > 1 {
		fmt.Fprintf(out, "median of %d runs of every path\n", r.Repeat)
	}
	fmt.Fprintf(w, "ops/s (p50 / p99 ms)\t%s\n", strings.Join(pathNames(r.Paths), "\t"))
	for i, res := range r.Paths[0].Results {
		cells := []string{res.Op}
		for _, p := range r.Paths {
			if i >= len(p.Results) {
				cells = append(cells, "-")
				continue
			}
			x := p.Results[i]
			c := fmt.Sprintf("%.1f (%.1f / %.1f)", x.OpsPerS, x.P50Ms, x.P99Ms)
			if x.Errors > 0 {
				c += fmt.Sprintf(" %d failed", x.Errors)
			}
			if x.CollectorWrites != nil && *x.CollectorWrites > 0 {
				c += fmt.Sprintf(" [+%d collector writes]", *x.CollectorWrites)
			}
			cells = append(cells, c)
		}
		fmt.Fprintln(w, strings.Join(cells, "\t"))
	}
	row := func(name string, f func(PathResult) string) {
		cells := []string{name}
		for _, p := range r.Paths {
			cells = append(cells, f(p))
		}
		fmt.Fprintln(w, strings.Join(cells, "\t"))
	}
	row("requests sent", func(p PathResult) string { return fmt.Sprint(p.Requests) })
	row("object bytes as read", func(p PathResult) string { return fmt.Sprint(p.ObjectBytes) })
	for _, srv := range []string{"server", "kube-apiserver"} {
		row(srv+" CPU s/1000 req", func(p PathResult) string { return fmtOpt(p.CPUPer1000, srv, "%.2f") })
		row(srv+" RSS MiB (end)", func(p PathResult) string { return fmtOpt(p.RSSMiB, srv, "%.0f") })
	}
	_ = w.Flush()

	fmt.Fprintln(out)
	w = tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	var heads []string
	for _, ra := range r.Ratios {
		heads = append(heads, ra.Of+" / "+ra.To)
	}
	fmt.Fprintf(w, "ratio of ops/s\t%s\n", strings.Join(heads, "\t"))
	for _, res := range r.Paths[0].Results {
		cells := []string{res.Op}
		for _, ra := range r.Ratios {
			cells = append(cells, fmt.Sprintf("%.2fx", ra.ByOp[res.Op]))
		}
		fmt.Fprintln(w, strings.Join(cells, "\t"))
	}
	_ = w.Flush()
	for _, p := range r.Paths {
		if p.Error != "" {
			fmt.Fprintf(out, "%s: %s\n", p.Path, p.Error)
		}
	}
	r.printApply(out)
}

// printApply writes the apply -> Available line, if that phase ran.
func (r Report) printApply(out io.Writer) {
	if a := r.Apply; a != nil {
		fmt.Fprintf(out, "\nCustomApiServer apply -> APIService Available (embedded storage, 1 replica), %d runs: p50 %.2f s, p99 %.2f s; each: %v\n",
			a.Runs, a.P50S, a.P99S, a.Seconds)
		if a.Error != "" {
			fmt.Fprintf(out, "apply -> Available: %s\n", a.Error)
		}
	}
}

func fmtOpt(m map[string]float64, k, format string) string {
	if v, ok := m[k]; ok {
		return fmt.Sprintf(format, v)
	}
	return "-"
}

func pathNames(ps []PathResult) []string {
	var n []string
	for _, p := range ps {
		n = append(n, p.Path)
	}
	return n
}

// finish prints the report and writes it as JSON to path.
func (r Report) finish(path string) error {
	r.Ratios = ratios(r.Paths)
	fmt.Println()
	r.print(os.Stdout)
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding the results: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("writing the results: %w", err)
	}
	return nil
}
