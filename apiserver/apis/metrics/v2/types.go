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

package v2

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// +genclient
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// MetricSnapshot asks the server to collect a set of Prometheus metrics periodically
// and keep their latest values in its status.
type MetricSnapshot struct {
	metav1.TypeMeta `json:",inline"`
	// Standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec says what to collect, from where, and how often.
	Spec MetricSnapshotSpec `json:"spec,omitempty"`
	// Status holds the last collected values and the collection health. Written by the server.
	// +optional
	Status MetricSnapshotStatus `json:"status,omitempty"`
}

// MetricSnapshotSpec says what to collect, from where, and how often.
type MetricSnapshotSpec struct {
	// Source names a Prometheus source configured on the server with --source name=url: a DNS
	// label, at most 63 bytes.
	Source string `json:"source"`
	// Metrics are the expressions to collect, each under a name: at most 100, names unique, queries
	// unique as parsed PromQL ("up" and " up" are the same query).
	// +listType=map
	// +listMapKey=name
	Metrics []Metric `json:"metrics"`
	// Interval between two collections, a Go duration from 10s to 24h (at most 32 bytes), stored
	// in its shortest form ("60s" is stored as "1m", "1h0m0s" as "1h"). Defaults to 1m.
	// +optional
	Interval string `json:"interval,omitempty"`
}

// MetricSnapshotStatus holds the last collected values and the collection health.
type MetricSnapshotStatus struct {
	// ObservedGeneration is the metadata.generation the status was collected for.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// LastCollectionTime is the evaluation time of the last collection that returned at least one
	// value.
	// +optional
	LastCollectionTime *metav1.Time `json:"lastCollectionTime,omitempty"`
	// LastAttemptTime is the evaluation time of the last collection, whatever its outcome; the
	// errors in results are from it.
	// +optional
	LastAttemptTime *metav1.Time `json:"lastAttemptTime,omitempty"`
	// Results holds one entry per metric of the spec that was collected or attempted: its last
	// value with the time it was collected, and why the last attempt failed, if it did. A metric
	// that fails keeps its last good value and time.
	// +optional
	// +listType=map
	// +listMapKey=name
	Results []MetricResult `json:"results,omitempty"`
	// Conditions report collection health. Type Collected is True when every metric was collected,
	// False with reason PartiallyCollected, QueryFailed or SourceUnknown otherwise, and Unknown
	// (NotCollectedYet) until the first collection.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// Metric is one expression to collect.
type Metric struct {
	// Name identifies the metric in status.results: at most 1024 bytes, unique in the spec.
	// Defaults to the query (objects written through v1 have their metrics named so).
	// +optional
	Name string `json:"name"`
	// Query is a metric name (e.g. up) or a PromQL expression (e.g. sum(rate(http_requests_total[5m]))),
	// evaluated as an instant query: at most 1024 bytes; it may span lines.
	Query string `json:"query"`
	// Labels describe the metric to the people reading it (team, unit, ...); the collector
	// ignores them. Keys and values follow the rules of metadata.labels.
	// +optional
	Labels map[string]string `json:"labels,omitempty"`
}

// MetricResult is what the collections of one metric returned.
type MetricResult struct {
	// Name is the metric's name in spec.metrics.
	Name string `json:"name"`
	// Value is the last value collected, at time; absent until the query first succeeds.
	// +optional
	Value *float64 `json:"value,omitempty"`
	// Time is the evaluation time of value.
	// +optional
	Time *metav1.Time `json:"time,omitempty"`
	// Error is why the query failed at status.lastAttemptTime (at most 1024 bytes), e.g.
	// "returned no series"; absent when it succeeded.
	// +optional
	Error string `json:"error,omitempty"`
}

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// MetricSnapshotList is a list of MetricSnapshots.
type MetricSnapshotList struct {
	metav1.TypeMeta `json:",inline"`
	// Standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the MetricSnapshots.
	Items []MetricSnapshot `json:"items"`
}
