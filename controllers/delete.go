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

package controllers

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	apiregv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
)

// reconcileDelete removes our APIServices first: a dangling APIService breaks discovery for the whole
// cluster and blocks namespace deletion. Only when the API server confirms they are gone is the finalizer
// dropped; garbage collection then removes every other child through its ownerReference.
func (r *Reconciler) reconcileDelete(ctx context.Context, cas *aggv1alpha1.CustomApiServer) (reconcile.Result, error) {
	if !controllerutil.ContainsFinalizer(cas, Finalizer) {
		return reconcile.Result{}, nil
	}
	remaining, err := r.ownedAPIServices(ctx, cas)
	if err != nil {
		return reconcile.Result{}, err
	}
	var deleted []string
	// Also when a later deletion fails: those that went are gone for good and will not be reported again.
	defer func() { r.emit(cas, apiServicesRemovedEvent(deleted, "before deleting the CustomApiServer")...) }()
	for i := range remaining {
		svc := &remaining[i]
		err := r.Client.Delete(ctx, svc, client.Preconditions{UID: &svc.UID})
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return reconcile.Result{}, fmt.Errorf("deleting APIService %s: %w", svc.Name, err)
		}
		log.FromContext(ctx).Info("deleted APIService", "apiservice", svc.Name)
		deleted = append(deleted, svc.Name)
	}
	if len(remaining) > 0 {
		if remaining, err = r.ownedAPIServices(ctx, cas); err != nil {
			return reconcile.Result{}, err
		}
		if len(remaining) > 0 {
			return reconcile.Result{RequeueAfter: time.Second}, nil
		}
	}
	patch := client.MergeFrom(cas.DeepCopy())
	controllerutil.RemoveFinalizer(cas, Finalizer)
	if err := r.Client.Patch(ctx, cas, patch); err != nil && !apierrors.IsNotFound(err) {
		return reconcile.Result{}, fmt.Errorf("removing finalizer: %w", err)
	}
	r.applied.forget(cas.UID)
	operatorMetrics.forget(cas.Name)
	return reconcile.Result{}, nil
}

// ownedAPIServices lists, from the API server itself, the APIServices this CustomApiServer controls.
func (r *Reconciler) ownedAPIServices(ctx context.Context, cas *aggv1alpha1.CustomApiServer) ([]apiregv1.APIService, error) {
	list := &apiregv1.APIServiceList{}
	if err := r.reader().List(ctx, list, client.MatchingLabels{LabelOwner: cas.Name}); err != nil {
		return nil, fmt.Errorf("listing APIServices: %w", err)
	}
	var out []apiregv1.APIService
	seen := map[string]bool{}
	for _, svc := range list.Items {
		if foreignOwner(&svc, cas) == "" {
			out, seen[svc.Name] = append(out, svc), true
		}
	}
	// Also by name, in case someone removed our label.
	for _, s := range cas.Spec.APIServices {
		svc := &apiregv1.APIService{}
		if seen[apiServiceName(s)] {
			continue
		}
		err := r.reader().Get(ctx, types.NamespacedName{Name: apiServiceName(s)}, svc)
		if client.IgnoreNotFound(err) != nil {
			return nil, fmt.Errorf("reading APIService %s: %w", apiServiceName(s), err)
		}
		if err == nil && foreignOwner(svc, cas) == "" {
			out = append(out, *svc)
		}
	}
	return out, nil
}
