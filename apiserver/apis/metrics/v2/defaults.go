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

import (
	"k8s.io/apimachinery/pkg/runtime"

	"example.com/aggregation-operator/apiserver/apis/metrics"
)

func addDefaultingFuncs(scheme *runtime.Scheme) error {
	return RegisterDefaults(scheme)
}

// SetDefaults_MetricSnapshotSpec collects every minute unless told otherwise.
func SetDefaults_MetricSnapshotSpec(obj *MetricSnapshotSpec) { //nolint:revive // name required by defaulter-gen
	if obj.Interval == "" {
		obj.Interval = metrics.DefaultInterval
	}
}

// SetDefaults_Metric names a metric after its query, as v1 names every metric, so the objects
// written through either version look alike.
func SetDefaults_Metric(obj *Metric) { //nolint:revive // name required by defaulter-gen
	if obj.Name == "" {
		obj.Name = obj.Query
	}
}
