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
	// Source names a Prometheus source configured on the server with --source name=url.
	Source string `json:"source"`
	// Metrics are metric names (e.g. up) or PromQL expressions (e.g. sum(rate(http_requests_total[5m]))),
	// each evaluated as an instant query. Must be non-empty and unique.
	// +listType=atomic
	Metrics []string `json:"metrics"`
	// Interval between two collections, a Go duration from 10s to 24h. Defaults to 1m.
	// +optional
	Interval string `json:"interval,omitempty"`
}

// MetricSnapshotStatus holds the last collected values and the collection health.
type MetricSnapshotStatus struct {
	// ObservedGeneration is the metadata.generation the status was collected for.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// LastCollectionTime is when data was last collected successfully.
	// +optional
	LastCollectionTime *metav1.Time `json:"lastCollectionTime,omitempty"`
	// Data maps each metric of the spec to its value at lastCollectionTime.
	// +optional
	Data map[string]float64 `json:"data,omitempty"`
	// Conditions report collection health; type Collected is False with the error when a source fails.
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
