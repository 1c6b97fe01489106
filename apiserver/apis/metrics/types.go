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

package metrics

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// MetricSnapshot asks the server to collect a set of Prometheus metrics periodically
// and keep their latest values in its status.
type MetricSnapshot struct {
	metav1.TypeMeta
	metav1.ObjectMeta

	Spec   MetricSnapshotSpec
	Status MetricSnapshotStatus
}

// MetricSnapshotSpec says what to collect, from where, and how often.
type MetricSnapshotSpec struct {
	// Source names a Prometheus source configured on the server with --source.
	Source string
	// Metrics are metric names or PromQL expressions, each evaluated as an instant query.
	Metrics []string
	// Interval is a Go duration (10s to 24h) between two collections.
	Interval string
}

// MetricSnapshotStatus holds the last collected values and the collection health.
type MetricSnapshotStatus struct {
	// ObservedGeneration is the spec generation the status was collected for.
	ObservedGeneration int64
	// LastCollectionTime is the evaluation time of the last collection that returned at least one
	// value; Data holds those values.
	LastCollectionTime *metav1.Time
	// LastAttemptTime is the evaluation time of the last collection, whatever its outcome; Errors
	// are from it.
	LastAttemptTime *metav1.Time
	// Data maps each metric collected at LastCollectionTime to its value.
	Data map[string]float64
	// Errors maps each metric whose query failed at LastAttemptTime to why.
	Errors map[string]string
	// Conditions report collection health.
	Conditions []metav1.Condition
}

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// MetricSnapshotList is a list of MetricSnapshots.
type MetricSnapshotList struct {
	metav1.TypeMeta
	metav1.ListMeta

	Items []MetricSnapshot
}

// Condition types and reasons of a MetricSnapshot, positive polarity.
const (
	// ConditionCollected is True when the last collection of every metric succeeded, False when
	// some or all failed, Unknown until the first collection.
	ConditionCollected = "Collected"

	// ReasonCollected (True): every metric was queried successfully.
	ReasonCollected = "Collected"
	// ReasonNotCollectedYet (Unknown): the object is new; its first collection is pending.
	ReasonNotCollectedYet = "NotCollectedYet"
	// ReasonPartiallyCollected (False): some metrics were collected (in data), the others failed
	// (in errors).
	ReasonPartiallyCollected = "PartiallyCollected"
	// ReasonSourceUnknown (False): spec.source is not configured on the server (--source).
	ReasonSourceUnknown = "SourceUnknown"
	// ReasonQueryFailed (False): no metric could be collected (Prometheus unreachable, or every
	// query failed); the last good data is kept.
	ReasonQueryFailed = "QueryFailed"
)
