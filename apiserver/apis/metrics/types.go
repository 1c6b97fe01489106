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
	// Metrics are the PromQL expressions to evaluate as instant queries, each under a name.
	Metrics []Metric
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
	// Results holds, per metric, its last collected value with its own time and the error of the
	// last attempt.
	Results []MetricResult
	// Conditions report collection health.
	Conditions []metav1.Condition
}

// Metric is one expression to collect. v1 has only the query; its metrics are named after it.
type Metric struct {
	// Name identifies the metric in status.results; unique in the spec.
	Name string
	// Query is a metric name or a PromQL expression, evaluated as an instant query.
	Query string
	// Labels describe the metric to the people reading it; the collector ignores them.
	Labels map[string]string
}

// MetricResult is what the last collections of one metric returned.
type MetricResult struct {
	// Name is the metric's name in spec.metrics.
	Name string
	// Value is the last value collected, at Time; nil until the query first succeeds.
	Value *float64
	// Time is the evaluation time of Value.
	Time *metav1.Time
	// Error is why the query failed at LastAttemptTime; empty when it succeeded.
	Error string
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
