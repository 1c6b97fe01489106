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
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"example.com/aggregation-operator/apiserver/apis/metrics"
	metricsv1 "example.com/aggregation-operator/apiserver/apis/metrics/v1"
)

// tutorial is the README's example: some of its series exist, some do not.
func tutorial() *metricsv1.MetricSnapshot {
	return &metricsv1.MetricSnapshot{
		ObjectMeta: metav1.ObjectMeta{Name: "app-metrics", Generation: 2},
		Spec:       metricsv1.MetricSnapshotSpec{Source: "prometheus", Metrics: []string{"cpu_usage", "memory_usage", "request_count"}, Interval: "1m"},
	}
}

func TestEachMetricIsReportedOnItsOwn(t *testing.T) {
	before := time.Date(2026, 1, 1, 11, 0, 0, 0, time.UTC)
	ts := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	lastGood := metricsv1.MetricSnapshotStatus{
		LastCollectionTime: &metav1.Time{Time: before},
		Data:               map[string]float64{"cpu_usage": 0.1, "memory_usage": 2, "removed_from_spec": 3},
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
			"2 of 3 metrics collected from prometheus (in status.data); the others failed (in status.errors): request_count: returned no series"},
		"every query fails: the last good data stays": {down, "prometheus", metrics.ReasonQueryFailed, metav1.ConditionFalse,
			map[string]float64{"cpu_usage": 0.1, "memory_usage": 2}, []string{"cpu_usage", "memory_usage", "request_count"}, before,
			"no metric collected from prometheus, keeping the last good data"},
		"every query succeeds": {all, "prometheus", metrics.ReasonCollected, metav1.ConditionTrue,
			map[string]float64{"cpu_usage": 7, "memory_usage": 7, "request_count": 7}, nil, ts, "all 3 metrics collected from prometheus"},
		"source gone": {all, "removed", metrics.ReasonSourceUnknown, metav1.ConditionFalse,
			map[string]float64{"cpu_usage": 0.1, "memory_usage": 2}, nil, before, "source removed is not configured"},
	} {
		t.Run(name, func(t *testing.T) {
			s := tutorial()
			s.Spec.Source = tc.source
			s.Status = *lastGood.DeepCopy()
			s.Status.Errors = map[string]string{"stale": "from the previous attempt"}
			got := collect(context.Background(), querierAnswering(t, tc.answer), s, ts)

			c := meta.FindStatusCondition(got.Conditions, metrics.ConditionCollected)
			if c == nil || c.Status != tc.status || c.Reason != tc.reason || c.ObservedGeneration != 2 || !strings.Contains(c.Message, tc.message) {
				t.Fatalf("condition %+v, want %s %s with %q", c, tc.status, tc.reason, tc.message)
			}
			if len(got.Data) != len(tc.data) {
				t.Fatalf("data %v, want %v", got.Data, tc.data)
			}
			for k, v := range tc.data {
				if got.Data[k] != v {
					t.Fatalf("data %v, want %v", got.Data, tc.data)
				}
			}
			if len(got.Errors) != len(tc.errors) {
				t.Fatalf("errors %v, want errors for %v", got.Errors, tc.errors)
			}
			for _, m := range tc.errors {
				if got.Errors[m] == "" {
					t.Fatalf("errors %v, want one for %s", got.Errors, m)
				}
			}
			if !got.LastCollectionTime.Time.Equal(tc.collectedAt) || !got.LastAttemptTime.Time.Equal(ts) || got.ObservedGeneration != 2 {
				t.Fatalf("lastCollectionTime %v lastAttemptTime %v observedGeneration %d, want %v, %v, 2",
					got.LastCollectionTime, got.LastAttemptTime, got.ObservedGeneration, tc.collectedAt, ts)
			}
		})
	}
}

func TestLongErrorsAreCutOnARuneBoundary(t *testing.T) {
	long := strings.Repeat("é", 3000)
	got := truncate(long, 1024)
	if len(got) > 1024 || !strings.HasSuffix(got, "...") || !strings.HasPrefix(got, "éé") || strings.ContainsRune(got, '\uFFFD') {
		t.Fatalf("truncate: %d bytes, %q...", len(got), got[:10])
	}
}
