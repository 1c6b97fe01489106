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

// Package metricsnapshot is the REST storage of MetricSnapshots: a genericregistry.Store with
// strategies for the main resource and the status subresource, field selectors and table output.
package metricsnapshot

import (
	"context"

	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/storage/names"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	"example.com/aggregation-operator/apiserver/apis/metrics"
	"example.com/aggregation-operator/apiserver/apis/metrics/validation"
)

// Strategy writes the spec of MetricSnapshots; status is owned by the status subresource.
type Strategy struct {
	runtime.ObjectTyper
	names.NameGenerator
	// Sources are the source names configured on the server; new sources must be one of them.
	Sources validation.Sources
	// APIVersions are the served versions of the group (<group>/v2, <group>/v1): server-side
	// apply tracks fields in each.
	APIVersions []fieldpath.APIVersion
}

var (
	_ rest.RESTCreateStrategy  = Strategy{}
	_ rest.RESTUpdateStrategy  = Strategy{}
	_ rest.RESTDeleteStrategy  = Strategy{}
	_ rest.ResetFieldsStrategy = Strategy{}
)

// NewStrategy returns the strategy for the main resource served in group.
func NewStrategy(typer runtime.ObjectTyper, group string, sources validation.Sources) Strategy {
	return Strategy{ObjectTyper: typer, NameGenerator: names.SimpleNameGenerator, Sources: sources,
		APIVersions: []fieldpath.APIVersion{fieldpath.APIVersion(group + "/v2"), fieldpath.APIVersion(group + "/v1")}}
}

// NamespaceScoped is true: MetricSnapshots live in namespaces.
func (Strategy) NamespaceScoped() bool { return true }

// GetResetFields tells server-side apply that spec writers never own status.
func (st Strategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return resetInEveryVersion(st.APIVersions, fieldpath.MakePathOrDie("status"))
}

// resetInEveryVersion resets the same paths in every served version: they have the same name in each.
func resetInEveryVersion(versions []fieldpath.APIVersion, paths ...fieldpath.Path) map[fieldpath.APIVersion]*fieldpath.Set {
	out := make(map[fieldpath.APIVersion]*fieldpath.Set, len(versions))
	for _, v := range versions {
		out[v] = fieldpath.NewSet(paths...)
	}
	return out
}

// PrepareForCreate drops any status the client sent, says the first collection is pending, starts
// the generation at 1 and stores spec.interval in its canonical form.
func (Strategy) PrepareForCreate(_ context.Context, obj runtime.Object) {
	s := obj.(*metrics.MetricSnapshot)
	s.Status = metrics.MetricSnapshotStatus{}
	meta.SetStatusCondition(&s.Status.Conditions, metav1.Condition{
		Type: metrics.ConditionCollected, Status: metav1.ConditionUnknown, ObservedGeneration: 1,
		Reason: metrics.ReasonNotCollectedYet, Message: "waiting for the first collection",
	})
	s.Generation = 1
	s.Spec.Interval = metrics.CanonicalInterval(s.Spec.Interval)
}

// PrepareForUpdate keeps the stored status and bumps the generation when the spec changes. A new
// interval is made canonical first, so "60s" applied over a stored "1m" is no change; an unchanged
// one is left as stored (objects from before the canonical form keep theirs, and their generation).
func (Strategy) PrepareForUpdate(_ context.Context, obj, old runtime.Object) {
	s, o := obj.(*metrics.MetricSnapshot), old.(*metrics.MetricSnapshot)
	s.Status = o.Status
	if s.Spec.Interval != o.Spec.Interval {
		s.Spec.Interval = metrics.CanonicalInterval(s.Spec.Interval)
	}
	if !apiequality.Semantic.DeepEqual(s.Spec, o.Spec) {
		s.Generation = o.Generation + 1
	}
}

// Validate checks a new object.
func (st Strategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	return validation.ValidateMetricSnapshot(obj.(*metrics.MetricSnapshot), st.Sources)
}

// ValidateUpdate checks a spec update.
func (st Strategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return validation.ValidateMetricSnapshotUpdate(obj.(*metrics.MetricSnapshot), old.(*metrics.MetricSnapshot), st.Sources)
}

// WarningsOnCreate returns no warnings.
func (Strategy) WarningsOnCreate(context.Context, runtime.Object) []string { return nil }

// WarningsOnUpdate returns no warnings.
func (Strategy) WarningsOnUpdate(context.Context, runtime.Object, runtime.Object) []string {
	return nil
}

// AllowCreateOnUpdate is true so that server-side apply can create objects.
func (Strategy) AllowCreateOnUpdate(context.Context) bool { return true }

// AllowUnconditionalUpdate lets clients update without a resourceVersion.
func (Strategy) AllowUnconditionalUpdate(context.Context) bool { return true }

// Canonicalize has nothing left to normalise: spec.interval is made canonical in PrepareForCreate
// and PrepareForUpdate, before the generation is decided.
func (Strategy) Canonicalize(runtime.Object) {}
