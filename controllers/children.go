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
	"errors"
	"fmt"

	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	apiregv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
)

// +kubebuilder:rbac:groups="",resources=namespaces;serviceaccounts;services,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=apps,resources=deployments,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=policy,resources=poddisruptionbudgets,verbs=get;list;watch;create;update;patch;delete
// No escalate or bind: the operator grants only rules it holds (build_rbac.go), so RBAC's own escalation
// check bounds what a CustomApiServer can hand its apiserver.
// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=clusterroles;roles;clusterrolebindings;rolebindings,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=apiregistration.k8s.io,resources=apiservices,verbs=get;list;watch;create;update;patch;delete

// reconcilePDB keeps a PodDisruptionBudget while replicas > 1 and removes ours otherwise (a PDB with
// maxUnavailable 1 over one replica would be pointless, not harmful, but it is not what the user asked).
func (r *Reconciler) reconcilePDB(ctx context.Context, a *applier, cas *aggv1alpha1.CustomApiServer, n names) error {
	if cas.Spec.Replicas > 1 {
		return a.apply(ctx, desiredPDB(cas, n))
	}
	return r.deleteOwnedPDB(ctx, cas, n.Namespace, n.PDB)
}

// deleteOwnedPDB deletes a PodDisruptionBudget of ours, if there is one.
func (r *Reconciler) deleteOwnedPDB(ctx context.Context, cas *aggv1alpha1.CustomApiServer, namespace, name string) error {
	pdb := &policyv1.PodDisruptionBudget{}
	if err := r.Client.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, pdb); err != nil {
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("reading PodDisruptionBudget %s/%s: %w", namespace, name, err)
	}
	if foreignOwner(pdb, cas) != "" {
		return nil
	}
	if err := r.Client.Delete(ctx, pdb); client.IgnoreNotFound(err) != nil {
		return fmt.Errorf("deleting PodDisruptionBudget %s/%s: %w", namespace, name, err)
	}
	return nil
}

// apiServiceClaims is what reconcileAPIServices found of APIServices someone else has, by name.
type apiServiceClaims struct {
	conflicts map[string]string // left untouched: their owner
	pending   map[string]string // to adopt once the Deployment is available: their owner
	adopted   map[string]string // adopted by this reconcile: their previous owner
}

// reconcileAPIServices applies one APIService per spec entry and deletes ours that are no longer wanted.
// It returns the APIServices that belong to someone else, left untouched or adopted (adopt.go).
func (r *Reconciler) reconcileAPIServices(ctx context.Context, a *applier, cas *aggv1alpha1.CustomApiServer, n names, bundle []byte) (apiServiceClaims, error) {
	claims := apiServiceClaims{conflicts: map[string]string{}, pending: map[string]string{}, adopted: map[string]string{}}
	want := map[string]bool{}
	var errs []error
	for _, s := range cas.Spec.APIServices {
		name := apiServiceName(s)
		want[name] = true
		desired, err := r.desiredAPIServiceFor(ctx, cas, n, s, bundle)
		if err == nil && s.Adopt {
			var previous string
			if previous, err = r.applyAdopting(ctx, a, n, desired); previous != "" {
				claims.adopted[name] = previous
			}
		} else if err == nil {
			err = a.apply(ctx, desired)
		}
		var c *ownerConflict
		var p *adoptionPending
		switch {
		case errors.As(err, &c):
			claims.conflicts[name] = c.Owner
		case errors.As(err, &p):
			claims.pending[name] = p.Owner
		case err != nil:
			errs = append(errs, err)
		}
	}
	list := &apiregv1.APIServiceList{}
	if err := r.Client.List(ctx, list, client.MatchingLabels{LabelOwner: cas.Name}); err != nil {
		return claims, errors.Join(append(errs, fmt.Errorf("listing APIServices: %w", err))...)
	}
	var deleted []string
	for i := range list.Items {
		svc := &list.Items[i]
		if want[svc.Name] || foreignOwner(svc, cas) != "" {
			continue
		}
		err := r.Client.Delete(ctx, svc, client.Preconditions{UID: &svc.UID})
		switch {
		case err == nil:
			deleted = append(deleted, svc.Name)
		case !apierrors.IsNotFound(err) && !apierrors.IsConflict(err):
			errs = append(errs, fmt.Errorf("deleting APIService %s no longer in spec: %w", svc.Name, err))
		}
	}
	r.emit(cas, apiServicesRemovedEvent(deleted, "no longer in spec.apiServices")...)
	return claims, errors.Join(errs...)
}
