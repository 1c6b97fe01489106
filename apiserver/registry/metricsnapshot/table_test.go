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
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"example.com/aggregation-operator/apiserver/apis/metrics"
)

func TestTable(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	collectedAt := metav1.NewTime(now.Add(-30 * time.Second))
	list := &metrics.MetricSnapshotList{
		ListMeta: metav1.ListMeta{ResourceVersion: "42"},
		Items: []metrics.MetricSnapshot{
			{
				ObjectMeta: metav1.ObjectMeta{Name: "fresh", CreationTimestamp: metav1.NewTime(now.Add(-2 * time.Hour))},
				Spec:       metrics.MetricSnapshotSpec{Source: "prometheus", Metrics: []string{"a", "b", "c", "d", "e"}, Interval: "1m"},
				Status:     metrics.MetricSnapshotStatus{LastCollectionTime: &collectedAt},
			},
			{
				ObjectMeta: metav1.ObjectMeta{Name: "new", CreationTimestamp: metav1.NewTime(now.Add(-5 * time.Second))},
				Spec:       metrics.MetricSnapshotSpec{Source: "thanos", Metrics: []string{"up"}, Interval: "10s"},
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
		{"fresh", "prometheus", "a,b,c + 2 more", "1m", "30s", "120m"},
		{"new", "thanos", "up", "10s", "<none>", "5s"},
	}
	if len(header) != 6 || header[0] != "Name" || header[4] != "Last-Collected" || header[5] != "Age" {
		t.Fatalf("columns %v", header)
	}
	if table.ResourceVersion != "42" || len(table.Rows) != 2 {
		t.Fatalf("want 2 rows at resourceVersion 42, got %d at %q", len(table.Rows), table.ResourceVersion)
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
