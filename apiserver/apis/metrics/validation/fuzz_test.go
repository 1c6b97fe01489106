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

package validation

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"example.com/aggregation-operator/apiserver/apis/metrics"
)

// maxErrorBytes bounds what one rejected spec (a source, two metrics, an interval) may cost a
// client to read: echoed values are bounded by the field limits, quoted at worst 4 bytes a byte.
const maxErrorBytes = 16 * 1024

// FuzzValidateMetricSnapshot: validation never panics, its answer is bounded, every error names a
// field under spec, and what it accepts stays accepted once stored (canonical interval), with
// duplicates found however they are spaced.
//
//	go test ./apiserver/apis/metrics/validation -run '^$' -fuzz FuzzValidateMetricSnapshot -fuzztime 30s
func FuzzValidateMetricSnapshot(f *testing.F) {
	f.Add("prometheus", "up", "sum by (job) (rate(x[5m]))", "1m")
	f.Add("thanos", "sum by (job) (\n  rate(x[5m])\n)\n", "up{job=\")(\"}", "90s")
	f.Add("prometheus", "up", " up", "60s")
	f.Add("graphite", "rate(x[5mm])", "up[5m]", "1s1s1s1s1s1s1s1s1s1s1s1s1s1s1s1s1s1s1s")
	f.Add("", "", "\x00", "")
	f.Fuzz(func(t *testing.T, source, m1, m2, interval string) {
		s := valid()
		s.Spec = metrics.MetricSnapshotSpec{Source: source, Metrics: metrics.NamedAfterQueries(m1, m2), Interval: interval}
		errs := ValidateMetricSnapshot(s, sources)
		if msg := errs.ToAggregate(); msg != nil && len(msg.Error()) > maxErrorBytes {
			t.Fatalf("error of %d bytes for a spec of %d bytes", len(msg.Error()), len(source+m1+m2+interval))
		}
		for _, e := range errs {
			if !strings.HasPrefix(e.Field, "spec.") {
				t.Fatalf("error without a spec field path: %v", e)
			}
		}
		if len(errs) != 0 {
			return
		}
		// Accepted: the stored form is accepted too, and storing it again changes nothing.
		stored := metrics.CanonicalInterval(interval)
		if metrics.CanonicalInterval(stored) != stored {
			t.Fatalf("interval %q stored as %q, then as %q", interval, stored, metrics.CanonicalInterval(stored))
		}
		s.Spec.Interval = stored
		if errs := ValidateMetricSnapshot(s, sources); len(errs) != 0 {
			t.Fatalf("interval %q accepted, its stored form %q refused: %v", interval, stored, errs)
		}
		// The same expression with other blanks around it is a duplicate (when it fits the bound).
		respaced := " \n" + m1 + "\t "
		if len(respaced) > MaxExpressionLength {
			return
		}
		s.Spec.Metrics = append(s.Spec.Metrics, metrics.NamedAfterQueries(respaced)...)
		errs = ValidateMetricSnapshot(s, sources)
		if len(errs) != 1 || errs[0].Type != field.ErrorTypeDuplicate || errs[0].Field != "spec.metrics[2]" {
			t.Fatalf("%q re-spaced is not reported as a duplicate of spec.metrics[0]: %v", m1, errs)
		}
	})
}
