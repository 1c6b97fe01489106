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
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/registry/generic"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	"example.com/aggregation-operator/apiserver/apis/metrics"
	"example.com/aggregation-operator/apiserver/apis/metrics/validation"
)

// REST serves metricsnapshots.
type REST struct {
	*genericregistry.Store
}

// StatusREST serves metricsnapshots/status.
type StatusREST struct {
	store *genericregistry.Store
}

var (
	_ rest.StandardStorage     = &REST{}
	_ rest.ShortNamesProvider  = &REST{}
	_ rest.CategoriesProvider  = &REST{}
	_ rest.Getter              = &StatusREST{}
	_ rest.Updater             = &StatusREST{}
	_ rest.ResetFieldsStrategy = &StatusREST{}
)

// NewStorage returns the REST storage of the resource and its status subresource in group
// (the server's --api-group). Where the objects live (etcd, embedded etcd, anything else) is
// decided by optsGetter, not here.
func NewStorage(scheme *runtime.Scheme, group string, optsGetter generic.RESTOptionsGetter, sources validation.Sources) (*REST, *StatusREST, error) {
	strategy := NewStrategy(scheme, group, sources)
	store := &genericregistry.Store{
		NewFunc:                   func() runtime.Object { return &metrics.MetricSnapshot{} },
		NewListFunc:               func() runtime.Object { return &metrics.MetricSnapshotList{} },
		PredicateFunc:             Match,
		DefaultQualifiedResource:  schema.GroupResource{Group: group, Resource: "metricsnapshots"},
		SingularQualifiedResource: schema.GroupResource{Group: group, Resource: "metricsnapshot"},

		CreateStrategy:      strategy,
		UpdateStrategy:      strategy,
		DeleteStrategy:      strategy,
		ResetFieldsStrategy: strategy,

		TableConvertor: TableConvertor{},
	}
	if err := store.CompleteWithOptions(&generic.StoreOptions{RESTOptions: optsGetter, AttrFunc: GetAttrs}); err != nil {
		return nil, nil, fmt.Errorf("completing metricsnapshots storage: %w", err)
	}
	statusStore := *store
	status := NewStatusStrategy(strategy)
	statusStore.UpdateStrategy = status
	statusStore.ResetFieldsStrategy = status
	return &REST{Store: store}, &StatusREST{store: &statusStore}, nil
}

// ShortNames lets kubectl accept "ms".
func (*REST) ShortNames() []string { return []string{"ms"} }

// Categories puts MetricSnapshots in "kubectl get all"-style category lists.
func (*REST) Categories() []string { return []string{"metrics"} }

// New returns an empty MetricSnapshot.
func (r *StatusREST) New() runtime.Object { return &metrics.MetricSnapshot{} }

// Destroy is a no-op: the main store owns the storage.
func (r *StatusREST) Destroy() {}

// Get returns the object for the status subresource.
func (r *StatusREST) Get(ctx context.Context, name string, options *metav1.GetOptions) (runtime.Object, error) {
	return r.store.Get(ctx, name, options)
}

// Update writes only the status.
func (r *StatusREST) Update(ctx context.Context, name string, objInfo rest.UpdatedObjectInfo, createValidation rest.ValidateObjectFunc,
	updateValidation rest.ValidateObjectUpdateFunc, _ bool, options *metav1.UpdateOptions) (runtime.Object, bool, error) {
	// Status writes never create objects.
	return r.store.Update(ctx, name, objInfo, createValidation, updateValidation, false, options)
}

// GetResetFields returns the fields a status write may not change.
func (r *StatusREST) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return r.store.GetResetFields()
}

// ConvertToTable renders the status subresource like the resource.
func (r *StatusREST) ConvertToTable(ctx context.Context, obj runtime.Object, tableOptions runtime.Object) (*metav1.Table, error) {
	return r.store.ConvertToTable(ctx, obj, tableOptions)
}
