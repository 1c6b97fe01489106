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
	"errors"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"example.com/aggregation-operator/apiserver/apis/metrics"
	metricsv1 "example.com/aggregation-operator/apiserver/apis/metrics/v1"
)

// collect queries every metric of s at ts and returns the status to write. All or nothing:
// when any metric fails, data and lastCollectionTime stay as they were (the last good
// collection) and the Collected condition carries the errors.
func collect(ctx context.Context, q *Querier, s *metricsv1.MetricSnapshot, ts time.Time) metricsv1.MetricSnapshotStatus {
	status := *s.Status.DeepCopy()
	status.ObservedGeneration = s.Generation

	if _, ok := q.Sources[s.Spec.Source]; !ok {
		setCollected(&status, s.Generation, metrics.ReasonSourceUnknown,
			"source "+s.Spec.Source+" is not configured on the server; add --source "+s.Spec.Source+"=<url> or change spec.source")
		return status
	}
	data := make(map[string]float64, len(s.Spec.Metrics))
	var errs []error
	for _, m := range s.Spec.Metrics {
		v, err := q.Query(ctx, s.Spec.Source, m, ts)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		data[m] = v
	}
	if len(errs) > 0 {
		setCollected(&status, s.Generation, metrics.ReasonQueryFailed,
			"collection from "+s.Spec.Source+" failed, keeping the last good data: "+errors.Join(errs...).Error())
		return status
	}
	status.Data = data
	t := metav1.NewTime(ts)
	status.LastCollectionTime = &t
	meta.SetStatusCondition(&status.Conditions, metav1.Condition{
		Type: metrics.ConditionCollected, Status: metav1.ConditionTrue, ObservedGeneration: s.Generation,
		Reason: metrics.ReasonCollected, Message: "all metrics collected",
	})
	return status
}

// maxMessage keeps condition messages within the API's 32768-byte limit.
const maxMessage = 4096

func setCollected(status *metricsv1.MetricSnapshotStatus, generation int64, reason, message string) {
	if len(message) > maxMessage {
		message = message[:maxMessage-3] + "..."
	}
	meta.SetStatusCondition(&status.Conditions, metav1.Condition{
		Type: metrics.ConditionCollected, Status: metav1.ConditionFalse, ObservedGeneration: generation,
		Reason: reason, Message: message,
	})
}
