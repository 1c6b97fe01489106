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
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"
	apiregv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	apiregv1ac "k8s.io/kube-aggregator/pkg/client/applyconfiguration/apiregistration/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
)

// adoptionPending says an APIService someone else installed is to be adopted (spec.apiServices[].adopt) but
// the apiserver's Deployment is not available yet: switching the APIService now would send requests to pods
// that do not serve, so it is left as it is until then.
type adoptionPending struct{ Name, Owner, Deployment string }

func (p *adoptionPending) Error() string {
	return fmt.Sprintf("APIService %s belongs to %s; spec.apiServices[].adopt is set, so it is adopted once Deployment %s is available",
		p.Name, p.Owner, p.Deployment)
}

// applyAdopting applies an APIService whose spec entry has adopt: true. An APIService that is absent or ours
// is applied as any child (keeping the record of an earlier adoption). One someone else installed, with no
// controller, is taken over once the Deployment is available: server-side apply with force moves every field
// the operator sets to its field manager and adds this CustomApiServer as controller, then the previous
// managers' entries are dropped (releaseFields). The previous owner is recorded on the APIService itself
// (annotation aggregation.example.com/adopted-from), where status reads it. It returns the previous owner
// when the APIService was adopted now. An APIService another object controls is never adopted (*ownerConflict).
func (r *Reconciler) applyAdopting(ctx context.Context, a *applier, n names, desired applyConfiguration) (string, error) {
	name := *desired.GetName()
	ac, ok := desired.(*apiregv1ac.APIServiceApplyConfiguration)
	if !ok {
		return "", fmt.Errorf("adopting APIService %s: unexpected apply configuration %T", name, desired)
	}
	live := &apiregv1.APIService{}
	found, err := a.get(ctx, types.NamespacedName{Name: name}, live)
	if err != nil {
		return "", fmt.Errorf("reading APIService %s: %w", name, err)
	}
	if !found || foreignOwner(live, a.cas) == "" {
		if from := live.Annotations[aggv1alpha1.AnnotationAdoptedFrom]; found && from != "" {
			ac.WithAnnotations(map[string]string{aggv1alpha1.AnnotationAdoptedFrom: from})
		}
		return "", a.apply(ctx, ac)
	}
	if ref := metav1.GetControllerOf(live); ref != nil {
		return "", &ownerConflict{Kind: "APIService", Name: name, Owner: foreignOwner(live, a.cas) + ", which controls it (only an APIService no controller owns is adopted)"}
	}
	previous := previousManagers(live)
	if !r.deploymentServes(ctx, a.cas, n) {
		return "", &adoptionPending{Name: name, Owner: previous, Deployment: n.Namespace + "/" + n.Deployment}
	}
	log.FromContext(ctx).Info("adopting APIService", "name", name, "previousOwner", previous)
	ac.WithAnnotations(map[string]string{aggv1alpha1.AnnotationAdoptedFrom: previous})
	if err := a.client.Apply(ctx, ac, client.FieldOwner(FieldManager), client.ForceOwnership); err != nil {
		return "", fmt.Errorf("adopting APIService %s from %s: %w", name, previous, err)
	}
	return previous, r.releaseFields(ctx, name)
}

// releaseFields drops every field manager of an adopted APIService but the operator's and status writers'.
// Forced apply takes only the fields whose values differ; those the previous manager set to the same values
// stay shared, and a later apply of its old manifest would then still own (and could change or remove)
// them. Afterwards the previous manager owns nothing; its fields the operator does not set (its own labels)
// are left on the object, owned by no one. The aggregator writes the status meanwhile, so a conflict is retried.
func (r *Reconciler) releaseFields(ctx context.Context, name string) error {
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		live := &apiregv1.APIService{}
		if err := r.reader().Get(ctx, types.NamespacedName{Name: name}, live); err != nil {
			return err
		}
		patch := client.MergeFromWithOptions(live.DeepCopy(), client.MergeFromWithOptimisticLock{})
		var keep []metav1.ManagedFieldsEntry
		for _, m := range live.ManagedFields {
			if m.Manager == FieldManager || m.Subresource == "status" {
				keep = append(keep, m)
			}
		}
		if len(keep) == len(live.ManagedFields) {
			return nil
		}
		live.ManagedFields = keep
		return r.Client.Patch(ctx, live, patch)
	})
	if err != nil {
		return fmt.Errorf("releasing the previous managers' fields of adopted APIService %s: %w", name, err)
	}
	return nil
}

// deploymentServes says whether the apiserver's Deployment (ours) is available, the moment requests may move
// to it.
func (r *Reconciler) deploymentServes(ctx context.Context, cas *aggv1alpha1.CustomApiServer, n names) bool {
	d := &appsv1.Deployment{}
	if err := r.Client.Get(ctx, types.NamespacedName{Namespace: n.Namespace, Name: n.Deployment}, d); err != nil || foreignOwner(d, cas) != "" {
		return false
	}
	ok, _ := deploymentAvailable(d, cas.Spec.Replicas)
	return ok && d.Status.ObservedGeneration >= d.Generation
}

// previousManagers names who wrote an APIService no controller owns: its field managers (the aggregator's
// status writes left out), the best a person gets of who installed it.
func previousManagers(obj client.Object) string {
	var managers []string
	for _, m := range obj.GetManagedFields() {
		if m.Subresource == "status" || m.Manager == FieldManager {
			continue
		}
		managers = append(managers, m.Manager)
	}
	if len(managers) == 0 {
		return "no owner"
	}
	return "no owner (managed by " + strings.Join(managers, ", ") + ")"
}
