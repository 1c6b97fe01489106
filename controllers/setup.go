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

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	"k8s.io/apimachinery/pkg/types"
	apiregv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
)

// reconcileWorkers is how many CustomApiServers are reconciled at once. A reconcile mostly waits on the API
// server (a dozen requests), so one worker made 200 new CustomApiServers converge one after the other
// (make bench-operator); the same object is never reconciled by two at once (the workqueue's rule).
const reconcileWorkers = 4

// indexAPIServiceNames indexes CustomApiServers by the APIService names they want, so an event on an
// APIService that is not ours (a conflict going away) still reaches the CustomApiServer waiting for it.
const indexAPIServiceNames = "spec.apiServices.name"

// CacheOptions keeps only our children in the cache (they carry LabelOwner), not every Secret and
// Deployment of the cluster. A cache miss is confirmed with an uncached read before anything is created.
// APIServices are cached whole: there are few, and conflicts must be seen. So are ClusterRoles: the ones
// labelled grantable decide what spec.rbac.rules may have (guards.go).
func CacheOptions() cache.Options {
	req, err := labels.NewRequirement(LabelOwner, selection.Exists, nil)
	if err != nil {
		panic(err) // a constant, valid label key
	}
	ours := cache.ByObject{Label: labels.NewSelector().Add(*req)}
	byObject := map[client.Object]cache.ByObject{}
	for _, o := range []client.Object{
		&corev1.Namespace{}, &corev1.ServiceAccount{}, &corev1.Secret{}, &corev1.ConfigMap{}, &corev1.Service{}, &appsv1.Deployment{},
		&appsv1.StatefulSet{}, &policyv1.PodDisruptionBudget{}, &corev1.Pod{}, &rbacv1.ClusterRoleBinding{}, &rbacv1.Role{}, &rbacv1.RoleBinding{},
	} {
		byObject[o] = ours
	}
	return cache.Options{ByObject: byObject}
}

// SetupWithManager watches CustomApiServers, every owned child, and APIServices (mapped back by label
// and by wanted name), so status follows reality without polling.
func (r *Reconciler) SetupWithManager(ctx context.Context, mgr ctrl.Manager) error {
	if err := mgr.GetFieldIndexer().IndexField(ctx, &aggv1alpha1.CustomApiServer{}, indexAPIServiceNames, func(o client.Object) []string {
		cas := o.(*aggv1alpha1.CustomApiServer)
		out := make([]string, 0, len(cas.Spec.APIServices))
		for _, s := range cas.Spec.APIServices {
			out = append(out, apiServiceName(s))
		}
		return out
	}); err != nil {
		return fmt.Errorf("indexing CustomApiServers by APIService name: %w", err)
	}
	c, err := ctrl.NewControllerManagedBy(mgr).
		Named("customapiserver").
		WithOptions(controller.Options{MaxConcurrentReconciles: reconcileWorkers}).
		For(&aggv1alpha1.CustomApiServer{}).
		Owns(&corev1.Namespace{}).
		Owns(&corev1.ServiceAccount{}).
		Owns(&corev1.Secret{}).
		Owns(&corev1.ConfigMap{}).
		Owns(&corev1.Service{}).
		Owns(&appsv1.Deployment{}).
		Owns(&appsv1.StatefulSet{}).
		Owns(&policyv1.PodDisruptionBudget{}).
		Owns(&rbacv1.ClusterRole{}).
		Owns(&rbacv1.ClusterRoleBinding{}).
		Owns(&rbacv1.Role{}).
		Owns(&rbacv1.RoleBinding{}).
		Watches(&apiregv1.APIService{}, handler.EnqueueRequestsFromMapFunc(r.customApiServersFor)).
		Watches(&corev1.Pod{}, handler.EnqueueRequestsFromMapFunc(customApiServerOfPod)).
		Watches(&rbacv1.ClusterRole{}, handler.EnqueueRequestsFromMapFunc(r.customApiServersWithRules), builder.WithPredicates(grantableChanged)).
		Build(r)
	if err != nil {
		return fmt.Errorf("building the customapiserver controller: %w", err)
	}
	// cert-manager's objects are watched once its CRDs are served: now, or when a reconcile finds them.
	r.certManagerWatch.start = func(context.Context) (cache.Cache, error) { return watchCertManager(mgr, c) }
	if _, err := r.certManagerInstalled(ctx); err != nil {
		log.FromContext(ctx).Error(err, "looking for cert-manager; trying again when a CustomApiServer needs it")
	}
	return nil
}

// customApiServersFor maps an APIService to the CustomApiServer named in its label (its availability
// changed) and to every CustomApiServer that wants its name (a conflict may have gone away).
func (r *Reconciler) customApiServersFor(ctx context.Context, o client.Object) []reconcile.Request {
	seen := map[string]bool{}
	if name := o.GetLabels()[LabelOwner]; name != "" {
		seen[name] = true
	}
	list := &aggv1alpha1.CustomApiServerList{}
	if err := r.Client.List(ctx, list, client.MatchingFields{indexAPIServiceNames: o.GetName()}); err != nil {
		// A map function cannot return an error; the conflict retry (conflictRetry) catches up.
		log.FromContext(ctx).Error(err, "listing CustomApiServers that want an APIService", "apiservice", o.GetName())
	}
	for _, cas := range list.Items {
		seen[cas.Name] = true
	}
	out := make([]reconcile.Request, 0, len(seen))
	for name := range seen {
		out = append(out, reconcile.Request{NamespacedName: types.NamespacedName{Name: name}})
	}
	return out
}
