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

package v1

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
	// Metrics are metric names (e.g. up) or PromQL expressions (e.g. sum(rate(http_requests_total[5m]))),
	// each evaluated as an instant query: at most 100, each at most 1024 bytes and unique as parsed
	// PromQL ("up" and " up" are the same metric). An expression may span lines.
	// +listType=atomic
	// +k8s:conversion-gen=false
	Metrics []string `json:"metrics"`
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
	// value; data holds those values.
	// +optional
	LastCollectionTime *metav1.Time `json:"lastCollectionTime,omitempty"`
	// LastAttemptTime is the evaluation time of the last collection, whatever its outcome; errors
	// are from it.
	// +optional
	LastAttemptTime *metav1.Time `json:"lastAttemptTime,omitempty"`
	// Data maps each metric collected at lastCollectionTime to its value. A metric that failed
	// then is not in it (see errors); when every metric fails, the last good data is kept.
	// +optional
	Data map[string]float64 `json:"data,omitempty"`
	// Errors maps each metric whose query failed at lastAttemptTime to why (at most 1024 bytes
	// each), e.g. "returned no series".
	// +optional
	Errors map[string]string `json:"errors,omitempty"`
	// Conditions report collection health. Type Collected is True when every metric was collected,
	// False with reason PartiallyCollected, QueryFailed or SourceUnknown otherwise, and Unknown
	// (NotCollectedYet) until the first collection.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
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
