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

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/registry/rest"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	"example.com/aggregation-operator/apiserver/apis/metrics"
	"example.com/aggregation-operator/apiserver/apis/metrics/validation"
)

// StatusStrategy writes only the status of MetricSnapshots (the collector's path).
type StatusStrategy struct {
	Strategy
}

var (
	_ rest.RESTUpdateStrategy  = StatusStrategy{}
	_ rest.ResetFieldsStrategy = StatusStrategy{}
)

// NewStatusStrategy returns the strategy for the status subresource.
func NewStatusStrategy(s Strategy) StatusStrategy { return StatusStrategy{Strategy: s} }

// GetResetFields tells server-side apply that status writers never own spec or metadata.
func (st StatusStrategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return resetInEveryVersion(st.APIVersions,
		fieldpath.MakePathOrDie("spec"),
		fieldpath.MakePathOrDie("metadata", "labels"),
		fieldpath.MakePathOrDie("metadata", "annotations"),
	)
}

// PrepareForUpdate keeps the stored spec, labels and annotations: a status write changes only status.
func (StatusStrategy) PrepareForUpdate(_ context.Context, obj, old runtime.Object) {
	s, o := obj.(*metrics.MetricSnapshot), old.(*metrics.MetricSnapshot)
	s.Spec = o.Spec
	s.Labels = o.Labels
	s.Annotations = o.Annotations
	s.Generation = o.Generation
}

// ValidateUpdate checks the new status.
func (StatusStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return validation.ValidateMetricSnapshotStatusUpdate(obj.(*metrics.MetricSnapshot), old.(*metrics.MetricSnapshot))
}

// WarningsOnUpdate returns no warnings.
func (StatusStrategy) WarningsOnUpdate(context.Context, runtime.Object, runtime.Object) []string {
	return nil
}
