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

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/controllers/certs"
	"example.com/aggregation-operator/internal/version"
)

// +kubebuilder:rbac:groups=apps,resources=statefulsets,verbs=get;list;watch;create;update;patch;delete

// reconcileManagedEtcd runs the dedicated etcd of spec.storage.managed: its certificates, headless Service,
// ConfigMap, StatefulSet and PodDisruptionBudget, one membership change at a time towards the replicas spec
// asks (etcd_scale.go), then reports the members (status.storage, StorageReady). Without
// managed storage it clears that report; the CRD keeps managed from being added or removed later, so there
// is never an etcd to take down.
func (r *Reconciler) reconcileManagedEtcd(ctx context.Context, a *applier, cas *aggv1alpha1.CustomApiServer, n names, o *outcome) {
	m := managedEtcd(cas)
	if m == nil {
		meta.RemoveStatusCondition(&cas.Status.Conditions, aggv1alpha1.ConditionStorageReady)
		cas.Status.Storage = nil
		return
	}
	plan, err := r.reconcileEtcdCertificates(ctx, a, cas, n)
	if err != nil {
		setCondition(cas, aggv1alpha1.ConditionStorageReady, false, aggv1alpha1.ReasonEtcdCertificateError,
			fmt.Sprintf("etcd certificates: %v", err))
		o.record(err)
		return // the members cannot start without their certificate
	}
	o.etcdRenewal = plan.NextRenewal
	o.record(a.apply(ctx, desiredEtcdService(cas, n)))
	pods := &corev1.PodList{}
	if err := r.Client.List(ctx, pods, client.InNamespace(n.Namespace), client.MatchingLabels(etcdSelectorLabels(cas))); err != nil {
		setCondition(cas, aggv1alpha1.ConditionStorageReady, false, aggv1alpha1.ReasonReconcileError, fmt.Sprintf("listing the etcd pods: %v", err))
		o.record(fmt.Errorf("listing the etcd pods: %w", err))
		return
	}
	byName := map[string]corev1.Pod{}
	for _, p := range pods.Items {
		byName[p.Name] = p
	}
	step, ok := r.scaleEtcd(ctx, a, cas, n, plan, readyOrdinals(n, byName), o)
	if step.Replicas == 0 {
		return // the StatefulSet could not be read
	}
	o.etcdServers = step.Servers
	if ok {
		o.record(a.apply(ctx, desiredEtcdStatefulSet(cas, n, etcdImage(m, r.defaultEtcdImage()), step.Replicas)))
	}
	if step.Replicas > 1 {
		o.record(a.apply(ctx, desiredEtcdPDB(cas, n, step.Replicas)))
	} else {
		o.record(r.deleteOwnedPDB(ctx, cas, n.Namespace, n.Etcd))
	}
	observeEtcd(cas, n, step.Replicas, byName)
	if step.Scaling {
		cas.Status.Storage.Scaling = fmt.Sprintf("to %d members: %s", etcdReplicas(m), step.Progress)
		if c := meta.FindStatusCondition(cas.Status.Conditions, aggv1alpha1.ConditionStorageReady); c != nil && c.Status == metav1.ConditionTrue {
			setCondition(cas, aggv1alpha1.ConditionStorageReady, true, aggv1alpha1.ReasonEtcdScaling,
				fmt.Sprintf("scaling the etcd cluster to %d members, a quorum serving throughout (%s healthy): %s", etcdReplicas(m), cas.Status.Storage.ReadyMembers, step.Progress))
		}
	}
}

// readyOrdinals are the ordinals whose member pod is ready.
func readyOrdinals(n names, pods map[string]corev1.Pod) map[int32]bool {
	out := map[int32]bool{}
	for o := range int32(etcdMaxMembers) {
		if p, ok := pods[fmt.Sprintf("%s-%d", n.Etcd, o)]; ok && podReady(p) {
			out[o] = true
		}
	}
	return out
}

// reconcileEtcdCertificates reads the etcd CA, member and client Secrets uncached (the CA Secret is the only
// copy of its key), decides what to (re)issue and stores it, the CA first and only if unchanged since read.
func (r *Reconciler) reconcileEtcdCertificates(ctx context.Context, a *applier, cas *aggv1alpha1.CustomApiServer, n names) (etcdCertPlan, error) {
	var cur etcdCertSet
	caSecret, err := r.readOwnedSecret(ctx, cas, n.Namespace, n.EtcdCASecret)
	if err != nil {
		return etcdCertPlan{}, err
	}
	cur.CA = storedKeyPair(caSecret)
	for _, s := range []struct {
		name string
		kp   **certs.KeyPair
	}{{n.EtcdPeerSecret, &cur.Member}, {n.EtcdClientSecret, &cur.Client}} {
		secret, err := r.readOwnedSecret(ctx, cas, n.Namespace, s.name)
		if err != nil {
			return etcdCertPlan{}, err
		}
		*s.kp = storedKeyPair(secret)
	}
	plan, err := decideEtcdCerts(cur, etcdDNSNames(n), r.now(), lifetimes(cas),
		fmt.Sprintf("aggregation-operator %s etcd CA", cas.Name))
	if err != nil {
		return plan, err
	}
	if err := applySecretAsRead(ctx, a, desiredEtcdTLSSecret(cas, n, n.EtcdCASecret, plan.CA, nil), resourceVersion(caSecret)); err != nil {
		return plan, err
	}
	if err := a.apply(ctx, desiredEtcdTLSSecret(cas, n, n.EtcdPeerSecret, plan.Member, plan.CA)); err != nil {
		return plan, err
	}
	if err := a.apply(ctx, desiredEtcdTLSSecret(cas, n, n.EtcdClientSecret, plan.Client, plan.CA)); err != nil {
		return plan, err
	}
	if len(plan.Issued) > 0 {
		r.emit(cas, event{corev1.EventTypeNormal, aggv1alpha1.EventCertificateIssued, "IssueEtcdCertificates",
			"managed etcd: issued " + strings.Join(plan.Issued, ", ") + " certificate(s)", nil})
	}
	return plan, nil
}

// observeEtcd reports each member of the StatefulSet's replicas by its pod: healthy when ready (etcd's
// /health: started, and the cluster has a leader), else why not; StorageReady holds while a quorum is healthy.
func observeEtcd(cas *aggv1alpha1.CustomApiServer, n names, replicas int32, byName map[string]corev1.Pod) {
	st := &aggv1alpha1.StorageStatus{}
	var healthy int32
	var down []string
	for _, name := range etcdMemberNames(n, replicas) {
		m := aggv1alpha1.EtcdMemberStatus{Name: name}
		switch p, ok := byName[name]; {
		case !ok:
			m.Message = "pod does not exist yet"
		case podReady(p):
			m.Healthy = true
			healthy++
		default:
			m.Message = strings.TrimPrefix(describePod(p, ""), "pod "+name+": ")
		}
		if !m.Healthy {
			down = append(down, name+": "+m.Message)
		}
		st.Members = append(st.Members, m)
	}
	st.ReadyMembers = fmt.Sprintf("%d/%d", healthy, replicas)
	cas.Status.Storage = st
	quorum := etcdQuorum(replicas)
	switch {
	case healthy == replicas:
		setCondition(cas, aggv1alpha1.ConditionStorageReady, true, aggv1alpha1.ReasonMembersHealthy,
			fmt.Sprintf("all %d etcd members are healthy", replicas))
	case healthy >= quorum:
		setCondition(cas, aggv1alpha1.ConditionStorageReady, true, aggv1alpha1.ReasonEtcdDegraded,
			fmt.Sprintf("%d/%d etcd members healthy (a quorum); not healthy: %s", healthy, replicas, strings.Join(down, "; ")))
	default:
		setCondition(cas, aggv1alpha1.ConditionStorageReady, false, aggv1alpha1.ReasonEtcdQuorumLost,
			fmt.Sprintf("%d/%d etcd members healthy, %d needed for a quorum: %s; look at the pods %s-* and their PersistentVolumeClaims (a claim no volume can bind keeps its pod pending)",
				healthy, replicas, quorum, strings.Join(down, "; "), n.Etcd))
	}
}

func (r *Reconciler) defaultEtcdImage() string {
	if r.DefaultEtcdImage != "" {
		return r.DefaultEtcdImage
	}
	return version.EtcdImage()
}
