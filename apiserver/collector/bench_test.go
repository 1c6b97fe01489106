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
	"fmt"
	"testing"
	"time"

	"example.com/aggregation-operator/apiserver/internal/testenv"
)

// BenchmarkCollectTick collects N snapshots (4 expressions each, the same for all) at one tick
// against a real Prometheus and reports Prometheus queries per tick next to snapshots per tick:
// the first stays at 4 however large N grows.
//
//	go test ./apiserver/collector -run '^$' -bench CollectTick
func BenchmarkCollectTick(b *testing.B) {
	prom := testenv.StartPrometheus(b)
	prom.WaitForSeries(testenv.Scraped)
	for _, n := range []int{1, 10, 100, 1000} {
		b.Run(fmt.Sprintf("snapshots=%d", n), func(b *testing.B) {
			all := snapshots(n)
			q := newQuerier(b, prom.URL)
			tick := time.Now().Truncate(time.Second)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				collectAll(q, all, tick.Add(time.Duration(i)*time.Millisecond), 8)
			}
			b.StopTimer()
			perTick := float64(q.Upstream()) / float64(b.N)
			b.ReportMetric(float64(n), "snapshots/tick")
			b.ReportMetric(perTick, "queries/tick")
			fmt.Printf("snapshots=%d expressions/snapshot=%d ticks=%d prometheus-queries/tick=%.1f (unshared would be %d)\n",
				n, len(expressions), b.N, perTick, n*len(expressions))
		})
	}
}
