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

package metricsnapshot

import (
	"context"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"example.com/aggregation-operator/apiserver/apis/metrics"
)

func TestTable(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	collectedAt := metav1.NewTime(now.Add(-30 * time.Second))
	attemptAt := metav1.NewTime(now.Add(-10 * time.Second))
	condition := func(status metav1.ConditionStatus, reason string) []metav1.Condition {
		return []metav1.Condition{{Type: metrics.ConditionCollected, Status: status, Reason: reason}}
	}
	list := &metrics.MetricSnapshotList{
		ListMeta: metav1.ListMeta{ResourceVersion: "42"},
		Items: []metrics.MetricSnapshot{
			{
				ObjectMeta: metav1.ObjectMeta{Name: "fresh", CreationTimestamp: metav1.NewTime(now.Add(-2 * time.Hour))},
				Spec:       metrics.MetricSnapshotSpec{Source: "prometheus", Metrics: metrics.NamedAfterQueries("a", "b", "c", "d", "e"), Interval: "1m"},
				Status: metrics.MetricSnapshotStatus{LastCollectionTime: &collectedAt, LastAttemptTime: &collectedAt,
					Conditions: condition(metav1.ConditionTrue, metrics.ReasonCollected)},
			},
			{
				ObjectMeta: metav1.ObjectMeta{Name: "new", CreationTimestamp: metav1.NewTime(now.Add(-5 * time.Second))},
				Spec:       metrics.MetricSnapshotSpec{Source: "thanos", Metrics: metrics.NamedAfterQueries("up"), Interval: "10s"},
				Status:     metrics.MetricSnapshotStatus{Conditions: condition(metav1.ConditionUnknown, metrics.ReasonNotCollectedYet)},
			},
			{
				ObjectMeta: metav1.ObjectMeta{Name: "partial", CreationTimestamp: metav1.NewTime(now.Add(-time.Minute))},
				Spec:       metrics.MetricSnapshotSpec{Source: "prometheus", Metrics: metrics.NamedAfterQueries("sum by (job) (\n  up\n)\n", "x"), Interval: "10s"},
				Status: metrics.MetricSnapshotStatus{LastCollectionTime: &attemptAt, LastAttemptTime: &attemptAt,
					Conditions: condition(metav1.ConditionFalse, metrics.ReasonPartiallyCollected)},
			},
			{
				ObjectMeta: metav1.ObjectMeta{Name: "failed", CreationTimestamp: metav1.NewTime(now.Add(-time.Minute))},
				Spec:       metrics.MetricSnapshotSpec{Source: "prometheus", Metrics: metrics.NamedAfterQueries("up"), Interval: "10s"},
				Status: metrics.MetricSnapshotStatus{LastCollectionTime: &collectedAt, LastAttemptTime: &attemptAt,
					Conditions: condition(metav1.ConditionFalse, metrics.ReasonQueryFailed)},
			},
			{
				// Written before the condition was set at creation.
				ObjectMeta: metav1.ObjectMeta{Name: "old", CreationTimestamp: metav1.NewTime(now.Add(-time.Minute))},
				Spec:       metrics.MetricSnapshotSpec{Source: "prometheus", Metrics: metrics.NamedAfterQueries("up"), Interval: "10s"},
			},
		},
	}
	table, err := TableConvertor{Now: func() time.Time { return now }}.ConvertToTable(context.Background(), list, nil)
	if err != nil {
		t.Fatal(err)
	}
	var header []string
	for _, c := range table.ColumnDefinitions {
		header = append(header, c.Name)
	}
	want := [][]interface{}{
		{"fresh", "prometheus", "a,b,c + 2 more", "1m", "True", "30s", "120m", metrics.ReasonCollected, "30s"},
		{"new", "thanos", "up", "10s", "Unknown", "<none>", "5s", metrics.ReasonNotCollectedYet, "<none>"},
		{"partial", "prometheus", "sum by (job) ( up ),x", "10s", "Partial", "10s", "60s", metrics.ReasonPartiallyCollected, "10s"},
		{"failed", "prometheus", "up", "10s", "False", "30s", "60s", metrics.ReasonQueryFailed, "10s"},
		{"old", "prometheus", "up", "10s", "Unknown", "<none>", "60s", metrics.ReasonNotCollectedYet, "<none>"},
	}
	wantHeader := "Name Source Metrics Interval Collected Last-Collected Age Reason Last-Attempt"
	if strings.Join(header, " ") != wantHeader || table.ColumnDefinitions[7].Priority != 1 || table.ColumnDefinitions[8].Priority != 1 {
		t.Fatalf("columns %v, want %s with the last two in -o wide only", header, wantHeader)
	}
	if table.ResourceVersion != "42" || len(table.Rows) != len(want) {
		t.Fatalf("want %d rows at resourceVersion 42, got %d at %q", len(want), len(table.Rows), table.ResourceVersion)
	}
	for i, row := range table.Rows {
		for j, cell := range row.Cells {
			if cell != want[i][j] {
				t.Errorf("row %d column %s: got %v, want %v", i, header[j], cell, want[i][j])
			}
		}
	}

	single, err := TableConvertor{Now: func() time.Time { return now }}.ConvertToTable(context.Background(), &list.Items[1], &metav1.TableOptions{NoHeaders: true})
	if err != nil || len(single.Rows) != 1 || single.ColumnDefinitions != nil {
		t.Fatalf("single object without headers: %+v %v", single, err)
	}
}
