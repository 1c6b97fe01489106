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
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"example.com/aggregation-operator/apiserver/apis/metrics"
	"example.com/aggregation-operator/apiserver/apis/metrics/install"
	metricsv1 "example.com/aggregation-operator/apiserver/apis/metrics/v1"
)

// tutorial is the README's example: some of its series exist, some do not.
func tutorial() *metrics.MetricSnapshot {
	return &metrics.MetricSnapshot{
		ObjectMeta: metav1.ObjectMeta{Name: "app-metrics", Generation: 2},
		Spec:       metrics.MetricSnapshotSpec{Source: "prometheus", Metrics: metrics.NamedAfterQueries("cpu_usage", "memory_usage", "request_count"), Interval: "1m"},
	}
}

var scheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	install.Install(s)
	return s
}()

// asV1 is the status as a v1 client reads it.
func asV1(t *testing.T, s *metrics.MetricSnapshot, status metrics.MetricSnapshotStatus) metricsv1.MetricSnapshotStatus {
	t.Helper()
	in := s.DeepCopy()
	in.Status = status
	out := &metricsv1.MetricSnapshot{}
	if err := scheme.Convert(in, out, nil); err != nil {
		t.Fatal(err)
	}
	return out.Status
}

func float(v float64) *float64 { return &v }

func TestEachMetricIsReportedOnItsOwn(t *testing.T) {
	before := time.Date(2026, 1, 1, 11, 0, 0, 0, time.UTC)
	ts := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	at := &metav1.Time{Time: before}
	lastGood := metrics.MetricSnapshotStatus{
		LastCollectionTime: at,
		Results: []metrics.MetricResult{
			{Name: "cpu_usage", Value: float(0.1), Time: at}, {Name: "memory_usage", Value: float(2), Time: at},
			{Name: "removed_from_spec", Value: float(3), Time: at}, {Name: "stale", Error: "from the previous attempt"},
		},
	}
	exists := map[string]string{"cpu_usage": "0.5", "memory_usage": "1024"}
	partial := func(expr string) (int, string) {
		if v, ok := exists[expr]; ok {
			return http.StatusOK, vectorOf(v)
		}
		return http.StatusOK, noSeries
	}
	down := func(string) (int, string) { return http.StatusServiceUnavailable, "" }
	all := func(string) (int, string) { return http.StatusOK, vectorOf("7") }
	for name, tc := range map[string]struct {
		answer      answerFunc
		source      string
		reason      string
		status      metav1.ConditionStatus
		data        map[string]float64
		errors      []string
		collectedAt time.Time
		message     string
	}{
		"some series do not exist": {partial, "prometheus", metrics.ReasonPartiallyCollected, metav1.ConditionFalse,
			map[string]float64{"cpu_usage": 0.5, "memory_usage": 1024}, []string{"request_count"}, ts,
			"2 of 3 metrics collected from prometheus; the others failed (v1 status.errors, v2 status.results): request_count: returned no series"},
		"every query fails: the last good data stays": {down, "prometheus", metrics.ReasonQueryFailed, metav1.ConditionFalse,
			map[string]float64{"cpu_usage": 0.1, "memory_usage": 2}, []string{"cpu_usage", "memory_usage", "request_count"}, before,
			"no metric collected from prometheus, keeping the last good values"},
		"every query succeeds": {all, "prometheus", metrics.ReasonCollected, metav1.ConditionTrue,
			map[string]float64{"cpu_usage": 7, "memory_usage": 7, "request_count": 7}, nil, ts, "all 3 metrics collected from prometheus"},
		"source gone": {all, "removed", metrics.ReasonSourceUnknown, metav1.ConditionFalse,
			map[string]float64{"cpu_usage": 0.1, "memory_usage": 2}, nil, before, "source removed is not configured"},
	} {
		t.Run(name, func(t *testing.T) {
			s := tutorial()
			s.Spec.Source = tc.source
			s.Status = *lastGood.DeepCopy()
			got := collect(context.Background(), querierAnswering(t, tc.answer), s, ts)
			v1 := asV1(t, s, got)

			c := meta.FindStatusCondition(got.Conditions, metrics.ConditionCollected)
			if c == nil || c.Status != tc.status || c.Reason != tc.reason || c.ObservedGeneration != 2 || !strings.Contains(c.Message, tc.message) {
				t.Fatalf("condition %+v, want %s %s with %q", c, tc.status, tc.reason, tc.message)
			}
			// v1 reads what it always has: the values of the last collection, the errors of the last attempt.
			if !reflect.DeepEqual(v1.Data, tc.data) {
				t.Fatalf("v1 data %v, want %v", v1.Data, tc.data)
			}
			if len(v1.Errors) != len(tc.errors) {
				t.Fatalf("v1 errors %v, want errors for %v", v1.Errors, tc.errors)
			}
			for _, m := range tc.errors {
				if v1.Errors[m] == "" {
					t.Fatalf("v1 errors %v, want one for %s", v1.Errors, m)
				}
			}
			if !got.LastCollectionTime.Time.Equal(tc.collectedAt) || !got.LastAttemptTime.Time.Equal(ts) || got.ObservedGeneration != 2 {
				t.Fatalf("lastCollectionTime %v lastAttemptTime %v observedGeneration %d, want %v, %v, 2",
					got.LastCollectionTime, got.LastAttemptTime, got.ObservedGeneration, tc.collectedAt, ts)
			}
		})
	}
}

// TestFailedMetricKeepsItsLastValue: in v2 a metric that fails keeps its last value with the time
// it was collected, next to its error; v1 does not show it in data (it is not from the last collection).
func TestFailedMetricKeepsItsLastValue(t *testing.T) {
	before := metav1.NewTime(time.Date(2026, 1, 1, 11, 0, 0, 0, time.UTC))
	ts := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	s := tutorial()
	s.Status.LastCollectionTime = &before
	s.Status.Results = []metrics.MetricResult{{Name: "memory_usage", Value: float(2), Time: &before}}
	got := collect(context.Background(), querierAnswering(t, func(expr string) (int, string) {
		if expr == "memory_usage" {
			return http.StatusOK, noSeries
		}
		return http.StatusOK, vectorOf("7")
	}), s, ts)
	want := []metrics.MetricResult{
		{Name: "cpu_usage", Value: float(7), Time: &metav1.Time{Time: ts}},
		{Name: "memory_usage", Value: float(2), Time: &before, Error: "returned no series"},
		{Name: "request_count", Value: float(7), Time: &metav1.Time{Time: ts}},
	}
	if !reflect.DeepEqual(got.Results, want) {
		t.Fatalf("results %+v, want %+v", got.Results, want)
	}
	if v1 := asV1(t, s, got); len(v1.Data) != 2 || v1.Errors["memory_usage"] != "returned no series" {
		t.Fatalf("v1 status %+v, want cpu_usage and request_count in data and memory_usage's error", v1)
	}
}

func TestLongErrorsAreCutOnARuneBoundary(t *testing.T) {
	long := strings.Repeat("é", 3000)
	got := truncate(long, 1024)
	if len(got) > 1024 || !strings.HasSuffix(got, "...") || !strings.HasPrefix(got, "éé") || strings.ContainsRune(got, '\uFFFD') {
		t.Fatalf("truncate: %d bytes, %q...", len(got), got[:10])
	}
}
