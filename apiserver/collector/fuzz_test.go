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
	"k8s.io/apimachinery/pkg/runtime"

	"example.com/aggregation-operator/apiserver/apis/metrics"
	"example.com/aggregation-operator/apiserver/apis/metrics/install"
	metricsv1 "example.com/aggregation-operator/apiserver/apis/metrics/v1"
	"example.com/aggregation-operator/apiserver/apis/metrics/validation"
)

// FuzzCollectResponse feeds any Prometheus answer (HTTP status and body) for metric "a", next to a
// good answer for "b", through the real Prometheus client and the collector: it never panics,
// each metric ends up in exactly one of status.data and status.errors, every value is finite, and
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
		s := &metricsv1.MetricSnapshot{
			ObjectMeta: metav1.ObjectMeta{Name: "fuzz", Namespace: "default", Generation: 1, ResourceVersion: "1"},
			Spec:       metricsv1.MetricSnapshotSpec{Source: "prometheus", Metrics: []string{"a", "b"}, Interval: "10s"},
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		status := collect(ctx, q, s, time.Unix(1700000000, 0))

		for _, m := range s.Spec.Metrics {
			_, inData := status.Data[m]
			_, inErrors := status.Errors[m]
			if inData == inErrors {
				t.Fatalf("metric %s: in data %v, in errors %v; want exactly one: %+v", m, inData, inErrors, status)
			}
		}
		for m, v := range status.Data {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("data[%s] = %v cannot be stored", m, v)
			}
		}
		if status.Data["b"] != 2 {
			t.Fatalf("a's answer changed b's value: %+v", status)
		}
		old := internal(t, s)
		updated := old.DeepCopy()
		updated.Status = internal(t, &metricsv1.MetricSnapshot{ObjectMeta: s.ObjectMeta, Status: status}).Status
		if errs := validation.ValidateMetricSnapshotStatusUpdate(updated, old); len(errs) != 0 {
			t.Fatalf("the server would refuse the status the collector writes: %v", errs)
		}
	})
}

var scheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	install.Install(s)
	return s
}()

func internal(t *testing.T, s *metricsv1.MetricSnapshot) *metrics.MetricSnapshot {
	out := &metrics.MetricSnapshot{}
	if err := scheme.Convert(s, out, nil); err != nil {
		t.Fatal(err)
	}
	return out
}
