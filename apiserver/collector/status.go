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
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"example.com/aggregation-operator/apiserver/apis/metrics"
	metricsv1 "example.com/aggregation-operator/apiserver/apis/metrics/v1"
	"example.com/aggregation-operator/apiserver/apis/metrics/validation"
)

// collect queries every metric of s at ts and returns the status to write. Each metric is
// reported on its own: the values that came back go to data (at lastCollectionTime), the errors to
// errors (at lastAttemptTime). Only when nothing came back are data and lastCollectionTime kept
// as they were (the last good collection, pruned to the metrics still in the spec).
func collect(ctx context.Context, q *Querier, s *metricsv1.MetricSnapshot, ts time.Time) metricsv1.MetricSnapshotStatus {
	status := *s.Status.DeepCopy()
	status.ObservedGeneration = s.Generation
	at := metav1.NewTime(ts)
	status.LastAttemptTime = &at
	status.Errors = nil
	if _, ok := q.Sources[s.Spec.Source]; !ok {
		status.Data = pruned(status.Data, s.Spec.Metrics)
		setCollected(&status, s.Generation, metav1.ConditionFalse, metrics.ReasonSourceUnknown,
			"source "+s.Spec.Source+" is not configured on the server; add --source "+s.Spec.Source+"=<url> or change spec.source")
		return status
	}
	data := make(map[string]float64, len(s.Spec.Metrics))
	failed := map[string]string{}
	for _, m := range s.Spec.Metrics {
		v, err := q.Query(ctx, s.Spec.Source, m, ts)
		if err != nil {
			failed[m] = truncate(err.Error(), validation.MaxErrorLength)
			continue
		}
		data[m] = v
	}
	if len(failed) > 0 {
		status.Errors = failed
	}
	switch {
	case len(failed) == 0:
		status.Data, status.LastCollectionTime = data, &at
		setCollected(&status, s.Generation, metav1.ConditionTrue, metrics.ReasonCollected,
			fmt.Sprintf("all %d metrics collected from %s", len(data), s.Spec.Source))
	case len(data) == 0:
		status.Data = pruned(status.Data, s.Spec.Metrics)
		setCollected(&status, s.Generation, metav1.ConditionFalse, metrics.ReasonQueryFailed,
			fmt.Sprintf("no metric collected from %s, keeping the last good data; status.errors has each error: %s",
				s.Spec.Source, summary(s.Spec.Metrics, failed)))
	default:
		status.Data, status.LastCollectionTime = data, &at
		setCollected(&status, s.Generation, metav1.ConditionFalse, metrics.ReasonPartiallyCollected,
			fmt.Sprintf("%d of %d metrics collected from %s (in status.data); the others failed (in status.errors): %s",
				len(data), len(s.Spec.Metrics), s.Spec.Source, summary(s.Spec.Metrics, failed)))
	}
	return status
}

// pruned keeps the data of the metrics still in the spec.
func pruned(data map[string]float64, metrics []string) map[string]float64 {
	if data == nil {
		return nil
	}
	keep := make(map[string]float64, len(data))
	for _, m := range metrics {
		if v, ok := data[m]; ok {
			keep[m] = v
		}
	}
	return keep
}

// summary lists the failures in spec order, one line: "expr: error; expr: error".
func summary(order []string, failed map[string]string) string {
	parts := make([]string, 0, len(failed))
	for _, m := range order {
		if err, ok := failed[m]; ok {
			parts = append(parts, strings.Join(strings.Fields(m), " ")+": "+err)
		}
	}
	return strings.Join(parts, "; ")
}

// maxMessage keeps condition messages well within the API's 32768-byte limit.
const maxMessage = 4096

func setCollected(status *metricsv1.MetricSnapshotStatus, generation int64, cond metav1.ConditionStatus, reason, message string) {
	meta.SetStatusCondition(&status.Conditions, metav1.Condition{
		Type: metrics.ConditionCollected, Status: cond, ObservedGeneration: generation,
		Reason: reason, Message: truncate(message, maxMessage),
	})
}

// truncate cuts s to at most n bytes on a rune boundary, marking the cut with "...".
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("...")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
