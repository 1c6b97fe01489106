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
	"fmt"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/apiserver/pkg/registry/rest"

	"example.com/aggregation-operator/apiserver/apis/metrics"
)

// maxListedMetrics keeps the METRICS column readable.
const maxListedMetrics = 3

var columns = []metav1.TableColumnDefinition{
	{Name: "Name", Type: "string", Format: "name", Description: "Name of the MetricSnapshot."},
	{Name: "Source", Type: "string", Description: "Prometheus source the metrics are queried from."},
	{Name: "Metrics", Type: "string", Description: "Metrics or expressions collected."},
	{Name: "Interval", Type: "string", Description: "Time between two collections."},
	{Name: "Last-Collected", Type: "string", Description: "Time since the last successful collection."},
	{Name: "Age", Type: "string", Description: "Time since the object was created."},
}

// TableConvertor renders MetricSnapshots for kubectl get.
type TableConvertor struct {
	// Now is the clock used for relative times; injected so tests can pin it.
	Now func() time.Time
}

var _ rest.TableConvertor = TableConvertor{}

// ConvertToTable renders one MetricSnapshot or a list of them.
func (c TableConvertor) ConvertToTable(_ context.Context, obj runtime.Object, tableOptions runtime.Object) (*metav1.Table, error) {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	table := &metav1.Table{}
	if opt, ok := tableOptions.(*metav1.TableOptions); !ok || !opt.NoHeaders {
		table.ColumnDefinitions = columns
	}
	var items []metrics.MetricSnapshot
	switch t := obj.(type) {
	case *metrics.MetricSnapshot:
		items = []metrics.MetricSnapshot{*t}
	case *metrics.MetricSnapshotList:
		items = t.Items
		table.ResourceVersion = t.ResourceVersion
		table.Continue = t.Continue
		table.RemainingItemCount = t.RemainingItemCount
	default:
		return nil, fmt.Errorf("cannot render %T as a MetricSnapshot table", obj)
	}
	if m, err := meta.ListAccessor(obj); err == nil && table.ResourceVersion == "" {
		table.ResourceVersion = m.GetResourceVersion()
	}
	for i := range items {
		s := &items[i]
		table.Rows = append(table.Rows, metav1.TableRow{
			Cells:  []interface{}{s.Name, s.Spec.Source, metricsCell(s.Spec.Metrics), s.Spec.Interval, since(s.Status.LastCollectionTime, now()), since(&s.CreationTimestamp, now())},
			Object: runtime.RawExtension{Object: s},
		})
	}
	return table, nil
}

// metricsCell lists the first few metrics and counts the rest.
func metricsCell(list []string) string {
	if len(list) <= maxListedMetrics {
		return strings.Join(list, ",")
	}
	return fmt.Sprintf("%s + %d more", strings.Join(list[:maxListedMetrics], ","), len(list)-maxListedMetrics)
}

func since(t *metav1.Time, now time.Time) string {
	if t == nil || t.IsZero() {
		return "<none>"
	}
	return duration.HumanDuration(now.Sub(t.Time))
}
