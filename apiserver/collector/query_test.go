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
	"math"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
)

func TestSingle(t *testing.T) {
	sample := func(v float64) *model.Sample { return &model.Sample{Value: model.SampleValue(v)} }
	for name, tc := range map[string]struct {
		value model.Value
		want  float64
		err   string
	}{
		"scalar":        {&model.Scalar{Value: 3}, 3, ""},
		"one series":    {model.Vector{sample(2.5)}, 2.5, ""},
		"no series":     {model.Vector{}, 0, "no series"},
		"two series":    {model.Vector{sample(1), sample(2)}, 0, "aggregate them"},
		"matrix":        {model.Matrix{}, 0, "want a scalar"},
		"NaN":           {model.Vector{sample(math.NaN())}, 0, "cannot be stored"},
		"infinity":      {&model.Scalar{Value: model.SampleValue(math.Inf(1))}, 0, "cannot be stored"},
		"negative zero": {&model.Scalar{Value: 0}, 0, ""},
	} {
		got, err := single(tc.value)
		if tc.err == "" && (err != nil || got != tc.want) {
			t.Errorf("%s: got %v %v, want %v", name, got, err, tc.want)
		}
		if tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s: want error containing %q, got %v", name, tc.err, err)
		}
	}
}

func TestTicksAlignAcrossSnapshots(t *testing.T) {
	base := time.Date(2026, 1, 1, 12, 0, 7, 300, time.UTC)
	// Two snapshots with the same interval, collected at different moments, meet at the same tick.
	a := nextTick(base, 30*time.Second)
	b := nextTick(base.Add(11*time.Second), 30*time.Second)
	if !a.Equal(b) || !a.Equal(time.Date(2026, 1, 1, 12, 0, 30, 0, time.UTC)) {
		t.Fatalf("ticks %s and %s, want both 12:00:30", a, b)
	}
	if got := firstTick(base); !got.Equal(time.Date(2026, 1, 1, 12, 0, 7, 0, time.UTC)) {
		t.Fatalf("first tick %s, want the current second", got)
	}
}
