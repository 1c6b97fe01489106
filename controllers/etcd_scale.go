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
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
)

// +kubebuilder:rbac:groups="",resources=configmaps,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups="",resources=persistentvolumeclaims,verbs=get

// etcdScalingRetry: how soon a reconcile looks again while the membership changes (a learner catching up is
// seen by no watch).
const etcdScalingRetry = 2 * time.Second

// scaleEtcd gathers what planEtcdScale needs (the StatefulSet, etcd's member list, the pods, the apiserver's
// rollout), makes the one membership change it plans, if any, and stores the cluster a new member must join
// (the ConfigMap). It returns the step whose replicas and servers the caller applies, and false when the
// ConfigMap could not be written: the StatefulSet must not change then.
func (r *Reconciler) scaleEtcd(ctx context.Context, a *applier, cas *aggv1alpha1.CustomApiServer, n names, certs etcdCertPlan, ready map[int32]bool, o *outcome) (etcdScaleStep, bool) {
	in := etcdScaleInput{Desired: etcdReplicas(managedEtcd(cas)), Ready: ready}
	sts, err := r.etcdStatefulSet(ctx, n)
	if err != nil {
		o.record(err)
		return etcdScaleStep{}, false
	}
	if sts == nil {
		step := planEtcdScale(in)
		ordinals := make([]int32, step.Replicas)
		for i := range ordinals {
			ordinals[i] = int32(i)
		}
		err := a.apply(ctx, desiredEtcdConfigMap(cas, n, ordinals, "new"))
		o.record(err)
		return step, err == nil
	}
	in.StatefulSet = ptr.Deref(sts.Spec.Replicas, 1)
	members, err := dialEtcd(ctx, n, certs, askOrdinals(in.StatefulSet, ready))
	if err == nil {
		defer func() { _ = members.Close() }()
		in.Members, err = members.list(ctx)
	}
	in.MembersErr = err
	if err != nil {
		log.FromContext(ctx).V(1).Info("managed etcd members unknown", "reason", err.Error())
	}
	in.Serving = r.etcdServing(ctx, cas, n)
	if in.Members != nil && int32(len(in.Members)) < in.Desired {
		in.ClaimLeft = r.etcdClaimLeft(ctx, n, int32(len(in.Members)))
	}
	step := planEtcdScale(in)
	if step.Action != etcdNoAction {
		if err := r.changeEtcdMembership(ctx, cas, n, members, in.Members[0], step); err != nil {
			// Expected while a learner catches up; the next look is etcdScalingRetry away.
			step.Progress += ": " + err.Error()
		} else if in.Members, err = members.list(ctx); err == nil {
			step = planEtcdScale(in) // e.g. a learner just added: its pod may start now
		}
	}
	if step.Scaling {
		o.retryAfter = min(cmp.Or(o.retryAfter, etcdScalingRetry), etcdScalingRetry)
	}
	var ordinals []int32
	if in.Members == nil {
		// The ConfigMap stays as it is; only a missing one (a cluster made by an operator before it) is made,
		// from the StatefulSet's ordinals: every member of a running cluster has data and ignores it, and
		// without it no pod starts.
		switch err := r.Client.Get(ctx, types.NamespacedName{Namespace: n.Namespace, Name: n.Etcd}, &corev1.ConfigMap{}); {
		case err == nil:
			return step, true
		case !apierrors.IsNotFound(err):
			o.record(fmt.Errorf("reading ConfigMap %s/%s: %w", n.Namespace, n.Etcd, err))
			return step, false
		}
		for i := range in.StatefulSet {
			ordinals = append(ordinals, i)
		}
	}
	for _, m := range in.Members {
		ordinals = append(ordinals, m.Ordinal)
	}
	err = a.apply(ctx, desiredEtcdConfigMap(cas, n, ordinals, "existing"))
	o.record(err)
	return step, err == nil
}

// askOrdinals are the members to send cluster API calls to: the ready ones but the highest ordinal, the
// only one that may be a learner (which answers none) or a member just removed.
func askOrdinals(replicas int32, ready map[int32]bool) []int32 {
	var out []int32
	for o := range max(replicas-1, 1) {
		if ready[o] {
			out = append(out, o)
		}
	}
	return out
}

// changeEtcdMembership makes the step's membership change and records an event for it; a member removed
// hands its leadership, if it has it, to the first one first.
func (r *Reconciler) changeEtcdMembership(ctx context.Context, cas *aggv1alpha1.CustomApiServer, n names, members *etcdMembership, first etcdMember, step etcdScaleStep) error {
	pod := fmt.Sprintf("%s-%d", n.Etcd, step.Member.Ordinal)
	// Each member its own related object: the recorder folds events of one reason and related object.
	related := &corev1.ObjectReference{APIVersion: "v1", Kind: "Pod", Namespace: n.Namespace, Name: pod}
	var ev event
	switch step.Action {
	case etcdAddLearner:
		id, err := members.addLearner(ctx, step.Member.Ordinal)
		if err != nil {
			return err
		}
		ev = event{corev1.EventTypeNormal, aggv1alpha1.EventEtcdMemberAdded, "AddEtcdMember",
			fmt.Sprintf("managed etcd: added member %s (%x) as a learner, towards %d members; its pod starts next", pod, id, etcdReplicas(managedEtcd(cas))), related}
	case etcdPromote:
		if err := members.promote(ctx, step.Member); err != nil {
			return err
		}
		ev = event{corev1.EventTypeNormal, aggv1alpha1.EventEtcdMemberPromoted, "PromoteEtcdMember",
			fmt.Sprintf("managed etcd: member %s (%x) caught up and was promoted to a voting member", pod, step.Member.ID), related}
	case etcdRemove:
		if err := members.handOverLeadership(ctx, step.Member, first); err != nil {
			return err
		}
		if err := members.remove(ctx, step.Member); err != nil {
			return err
		}
		ev = event{corev1.EventTypeNormal, aggv1alpha1.EventEtcdMemberRemoved, "RemoveEtcdMember",
			fmt.Sprintf("managed etcd: removed member %s (%x), towards %d members; its pod and PersistentVolumeClaim are deleted next", pod, step.Member.ID, etcdReplicas(managedEtcd(cas))), related}
	}
	log.FromContext(ctx).Info(ev.Note)
	r.emit(cas, ev)
	return nil
}

// etcdStatefulSet is the live StatefulSet, nil when it does not exist (a cache miss confirmed uncached:
// a new cluster bootstraps, which must never happen to one that runs).
func (r *Reconciler) etcdStatefulSet(ctx context.Context, n names) (*appsv1.StatefulSet, error) {
	key := types.NamespacedName{Namespace: n.Namespace, Name: n.Etcd}
	sts := &appsv1.StatefulSet{}
	err := r.Client.Get(ctx, key, sts)
	if apierrors.IsNotFound(err) {
		err = r.reader().Get(ctx, key, sts)
	}
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading StatefulSet %s: %w", key, err)
	}
	return sts, nil
}

// etcdServing is how many managed etcd members every apiserver pod is pointed at: the count whose
// --etcd-servers the Deployment has, once rolled out and once no pod with another list is left, not even
// one terminating (it serves until it exits, and a member it uses must not be removed before); 0 while it
// rolls, or when unknown.
func (r *Reconciler) etcdServing(ctx context.Context, cas *aggv1alpha1.CustomApiServer, n names) int32 {
	d := &appsv1.Deployment{}
	if err := r.Client.Get(ctx, types.NamespacedName{Namespace: n.Namespace, Name: n.Deployment}, d); err != nil {
		return 0
	}
	st := d.Status
	if st.ObservedGeneration < d.Generation || st.UpdatedReplicas != ptr.Deref(d.Spec.Replicas, 1) ||
		st.Replicas != st.UpdatedReplicas || st.AvailableReplicas != st.Replicas {
		return 0
	}
	pods := &corev1.PodList{}
	if err := r.Client.List(ctx, pods, client.InNamespace(n.Namespace), client.MatchingLabels(selectorLabels(cas))); err != nil {
		return 0
	}
	specs := []corev1.PodSpec{d.Spec.Template.Spec}
	for _, p := range pods.Items {
		specs = append(specs, p.Spec)
	}
	for _, k := range []int32{1, 3, 5} {
		arg := managedEtcdServersArg(serverFlags(cas), n, k)
		if !slices.ContainsFunc(specs, func(s corev1.PodSpec) bool { return !hasArg(s, arg) }) {
			return k
		}
	}
	return 0
}

// hasArg says whether the apiserver container of a pod spec has an argument.
func hasArg(s corev1.PodSpec, arg string) bool {
	i := slices.IndexFunc(s.Containers, func(c corev1.Container) bool { return c.Name == containerName })
	return i >= 0 && slices.Contains(s.Containers[i].Args, arg)
}

// etcdClaimLeft says whether the claim of an ordinal still exists (read uncached: claims are not watched).
// A failed read counts as present: the member waits rather than risk starting on a removed member's data.
func (r *Reconciler) etcdClaimLeft(ctx context.Context, n names, ordinal int32) bool {
	key := types.NamespacedName{Namespace: n.Namespace, Name: fmt.Sprintf("data-%s-%d", n.Etcd, ordinal)}
	err := r.reader().Get(ctx, key, &corev1.PersistentVolumeClaim{})
	return !apierrors.IsNotFound(err)
}
