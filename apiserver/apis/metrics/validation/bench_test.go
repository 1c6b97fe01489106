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
	"fmt"
	"strings"
	"testing"

	"example.com/aggregation-operator/apiserver/apis/metrics"
)

// BenchmarkTenThousandInvalidExpressions is the attack: one object with 10,000 invalid
// PromQL expressions. It reports the size of the error the client gets back next to the time.
//
//	go test ./apiserver/apis/metrics/validation -run '^$' -bench TenThousand -benchmem
func BenchmarkTenThousandInvalidExpressions(b *testing.B) {
	invalid := make([]string, 10000)
	for i := range invalid {
		invalid[i] = fmt.Sprintf("sum(rate(x_%d[5m])", i)
	}
	// The worst the bounds allow: MaxMetrics invalid expressions of MaxExpressionLength bytes.
	longest := make([]string, MaxMetrics)
	for i := range longest {
		longest[i] = fmt.Sprintf("sum(rate(x_%d[5m])", i) + strings.Repeat(" ", MaxExpressionLength-len(fmt.Sprint(i))-17)
	}
	for name, list := range map[string][]string{"10000-invalid": invalid, "100-invalid-of-1024-bytes": longest} {
		b.Run(name, func(b *testing.B) {
			s := valid()
			s.Spec.Metrics = metrics.NamedAfterQueries(list...)
			var size int
			for b.Loop() {
				size = len(ValidateMetricSnapshot(s, sources).ToAggregate().Error())
			}
			b.ReportMetric(float64(size), "error-bytes")
		})
	}
}
