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
	"context"
	"math"
	"net/http"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"example.com/aggregation-operator/apiserver/apis/metrics"
	"example.com/aggregation-operator/apiserver/apis/metrics/validation"
)

// FuzzCollectResponse feeds any Prometheus answer (HTTP status and body) for metric "a", next to a
// good answer for "b", through the real Prometheus client and the collector: it never panics,
// each metric is either collected at this tick or has an error, every value is finite, and
// the status passes the status subresource's validation (so the write would be accepted).
//
//	go test ./apiserver/collector -run '^$' -fuzz FuzzCollectResponse -fuzztime 30s
func FuzzCollectResponse(f *testing.F) {
	f.Add(uint16(200), vectorOf("1.5"))
	f.Add(uint16(200), noSeries)
	f.Add(uint16(200), `{"status":"success","data":{"resultType":"scalar","result":[1700000000,"NaN"]}}`)
	f.Add(uint16(200), `{"status":"success","data":{"resultType":"matrix","result":[]}}`)
	f.Add(uint16(200), `{"status":"success","data":{"resultType":"vector","result":[null]}}`)
	f.Add(uint16(200), `{"status":"success","data":{"resultType":"string","result":[1700000000,"x"]}}`)
	f.Add(uint16(400), `{"status":"error","errorType":"bad_data","error":"1:5: parse error"}`)
	f.Add(uint16(422), `{"status":"error","errorType":"execution","error":"many-to-many matching not allowed"}`)
	f.Add(uint16(503), `<html>proxy error</html>`)
	f.Add(uint16(200), `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1"]},{"metric":{},"value":[1,"2"]}]}}`)
	f.Fuzz(func(t *testing.T, code uint16, body string) {
		if code < 100 || code > 599 {
			code = 100 + code%500
		}
		q := querierAnswering(t, func(expr string) (int, string) {
			if expr == "a" {
				return int(code), body
			}
			return http.StatusOK, vectorOf("2")
		})
		s := &metrics.MetricSnapshot{
			ObjectMeta: metav1.ObjectMeta{Name: "fuzz", Namespace: "default", Generation: 1, ResourceVersion: "1"},
			Spec:       metrics.MetricSnapshotSpec{Source: "prometheus", Metrics: metrics.NamedAfterQueries("a", "b"), Interval: "10s"},
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		ts := time.Unix(1700000000, 0)
		status := collect(ctx, q, s, ts)

		if len(status.Results) != 2 {
			t.Fatalf("want one result per metric: %+v", status.Results)
		}
		for _, r := range status.Results {
			collected := r.Value != nil && r.Time.Equal(&metav1.Time{Time: ts})
			if collected == (r.Error != "") {
				t.Fatalf("metric %s: collected %v, error %q; want exactly one", r.Name, collected, r.Error)
			}
			if r.Value != nil && (math.IsNaN(*r.Value) || math.IsInf(*r.Value, 0)) {
				t.Fatalf("value of %s = %v cannot be stored", r.Name, *r.Value)
			}
		}
		if b := status.Results[1]; b.Name != "b" || b.Value == nil || *b.Value != 2 {
			t.Fatalf("a's answer changed b's value: %+v", status)
		}
		updated := s.DeepCopy()
		updated.Status = status
		if errs := validation.ValidateMetricSnapshotStatusUpdate(updated, s); len(errs) != 0 {
			t.Fatalf("the server would refuse the status the collector writes: %v", errs)
		}
	})
}
