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
	{Name: "Collected", Type: "string", Description: "Outcome of the last collection: True (every metric), Partial (some), False (none), Unknown (not collected yet)."},
	{Name: "Last-Collected", Type: "string", Description: "Time since the last collection that returned values (status.lastCollectionTime)."},
	{Name: "Age", Type: "string", Description: "Time since the object was created."},
	{Name: "Reason", Type: "string", Priority: 1, Description: "Reason of the Collected condition."},
	{Name: "Last-Attempt", Type: "string", Priority: 1, Description: "Time since the last collection, whatever its outcome (status.lastAttemptTime)."},
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
		collected, reason := collectedCells(s.Status.Conditions)
		table.Rows = append(table.Rows, metav1.TableRow{
			Cells: []interface{}{s.Name, s.Spec.Source, metricsCell(s.Spec.Metrics), s.Spec.Interval,
				collected, since(s.Status.LastCollectionTime, now()), since(&s.CreationTimestamp, now()),
				reason, since(s.Status.LastAttemptTime, now())},
			Object: runtime.RawExtension{Object: s},
		})
	}
	return table, nil
}

// metricsCell lists the names of the first few metrics (a v1 metric is named after its query), each on one line with its blanks collapsed (an
// expression may span lines), and counts the rest.
func metricsCell(list []metrics.Metric) string {
	shown := make([]string, 0, maxListedMetrics)
	for _, m := range list[:min(len(list), maxListedMetrics)] {
		shown = append(shown, strings.Join(strings.Fields(m.Name), " "))
	}
	if len(list) <= maxListedMetrics {
		return strings.Join(shown, ",")
	}
	return fmt.Sprintf("%s + %d more", strings.Join(shown, ","), len(list)-maxListedMetrics)
}

// collectedCells reads the Collected condition: True, Partial (False with some data), False, or
// Unknown (also for objects written before the condition was set at creation).
func collectedCells(conditions []metav1.Condition) (collected, reason string) {
	c := meta.FindStatusCondition(conditions, metrics.ConditionCollected)
	switch {
	case c == nil:
		return string(metav1.ConditionUnknown), metrics.ReasonNotCollectedYet
	case c.Status == metav1.ConditionFalse && c.Reason == metrics.ReasonPartiallyCollected:
		return "Partial", c.Reason
	default:
		return string(c.Status), c.Reason
	}
}

func since(t *metav1.Time, now time.Time) string {
	if t == nil || t.IsZero() {
		return "<none>"
	}
	return duration.HumanDuration(now.Sub(t.Time))
}
