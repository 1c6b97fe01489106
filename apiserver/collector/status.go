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
	"example.com/aggregation-operator/apiserver/apis/metrics/validation"
)

// collect queries every metric of s at ts and returns the status to write. Each metric is
// reported on its own, in its result: a value that came back replaces its last one (with ts as its
// time), an error is the result's error until the next attempt, and a metric that fails keeps its
// last good value and time. lastCollectionTime is ts when any value came back. Results of metrics
// no longer in the spec are dropped. (v1 shows as status.data the values collected at
// lastCollectionTime, as it always has.)
func collect(ctx context.Context, q *Querier, s *metrics.MetricSnapshot, ts time.Time) metrics.MetricSnapshotStatus {
	status := *s.Status.DeepCopy()
	status.ObservedGeneration = s.Generation
	at := metav1.NewTime(ts)
	status.LastAttemptTime = &at
	previous := make(map[string]metrics.MetricResult, len(status.Results))
	for _, r := range status.Results {
		previous[r.Name] = metrics.MetricResult{Name: r.Name, Value: r.Value, Time: r.Time}
	}
	if _, ok := q.Sources[s.Spec.Source]; !ok {
		status.Results = lastValues(s.Spec.Metrics, previous)
		setCollected(&status, s.Generation, metav1.ConditionFalse, metrics.ReasonSourceUnknown,
			"source "+s.Spec.Source+" is not configured on the server; add --source "+s.Spec.Source+"=<url> or change spec.source")
		return status
	}
	results := make([]metrics.MetricResult, 0, len(s.Spec.Metrics))
	failed := map[string]string{}
	for _, m := range s.Spec.Metrics {
		r := previous[m.Name]
		r.Name = m.Name
		v, err := q.Query(ctx, s.Spec.Source, m.Query, ts)
		if err != nil {
			r.Error = truncate(err.Error(), validation.MaxErrorLength)
			failed[m.Name] = r.Error
		} else {
			r.Value, r.Time = &v, &at
		}
		results = append(results, r)
	}
	status.Results = results
	collected := len(s.Spec.Metrics) - len(failed)
	switch {
	case len(failed) == 0:
		status.LastCollectionTime = &at
		setCollected(&status, s.Generation, metav1.ConditionTrue, metrics.ReasonCollected,
			fmt.Sprintf("all %d metrics collected from %s", collected, s.Spec.Source))
	case collected == 0:
		setCollected(&status, s.Generation, metav1.ConditionFalse, metrics.ReasonQueryFailed,
			fmt.Sprintf("no metric collected from %s, keeping the last good values; each error (v1 status.errors, v2 status.results): %s",
				s.Spec.Source, summary(s.Spec.Metrics, failed)))
	default:
		status.LastCollectionTime = &at
		setCollected(&status, s.Generation, metav1.ConditionFalse, metrics.ReasonPartiallyCollected,
			fmt.Sprintf("%d of %d metrics collected from %s; the others failed (v1 status.errors, v2 status.results): %s",
				collected, len(s.Spec.Metrics), s.Spec.Source, summary(s.Spec.Metrics, failed)))
	}
	return status
}

// lastValues keeps the last values of the metrics still in the spec, without errors: nothing was attempted.
func lastValues(spec []metrics.Metric, previous map[string]metrics.MetricResult) []metrics.MetricResult {
	var out []metrics.MetricResult
	for _, m := range spec {
		if r, ok := previous[m.Name]; ok && r.Value != nil {
			out = append(out, r)
		}
	}
	return out
}

// summary lists the failures in spec order, one line: "name: error; name: error".
func summary(order []metrics.Metric, failed map[string]string) string {
	parts := make([]string, 0, len(failed))
	for _, m := range order {
		if err, ok := failed[m.Name]; ok {
			parts = append(parts, strings.Join(strings.Fields(m.Name), " ")+": "+err)
		}
	}
	return strings.Join(parts, "; ")
}

// maxMessage keeps condition messages well within the API's 32768-byte limit.
const maxMessage = 4096

func setCollected(status *metrics.MetricSnapshotStatus, generation int64, cond metav1.ConditionStatus, reason, message string) {
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
