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
	"crypto/x509"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/controllers/certs"
	"example.com/aggregation-operator/internal/testutil"
)

func managedStorage(m aggv1alpha1.ManagedEtcdStorage) func(*aggv1alpha1.CustomApiServer) {
	return func(c *aggv1alpha1.CustomApiServer) { c.Spec.Storage = &aggv1alpha1.StorageSpec{Managed: &m} }
}

// A CustomApiServer with storage.managed gets its own etcd: certificates, headless Service, StatefulSet and
// PodDisruptionBudget, all owned by it, and an apiserver pointed at every member over TLS. Status reports
// each member (envtest runs no pods: the test plays the kubelet), and Ready waits for a quorum.
func TestManagedEtcdChildrenAndStatus(t *testing.T) {
	startEnv(t)
	ctx := context.Background()
	size := resource.MustParse("2Gi")
	cas := newCAS("managed", "managed.example.com", managedStorage(aggv1alpha1.ManagedEtcdStorage{
		Storage: &size, StorageClassName: ptr.To("local-etcd"),
	}))
	createCAS(t, cas)
	n := namesFor(cas)
	sts := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Namespace: n.Namespace, Name: n.Etcd}}
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: n.Namespace, Name: n.Etcd}}
	pdb := &policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Namespace: n.Namespace, Name: n.Etcd}}
	peer := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: n.Namespace, Name: n.EtcdPeerSecret}}
	clientTLS := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: n.Namespace, Name: n.EtcdClientSecret}}
	caSecret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: n.Namespace, Name: n.EtcdCASecret}}
	deploy := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: n.Namespace, Name: n.Deployment}}
	kids := map[string]client.Object{"StatefulSet": sts, "Service": svc, "PDB": pdb, "peer Secret": peer, "client Secret": clientTLS, "CA Secret": caSecret, "Deployment": deploy}
	waitChildren(t, kids)
	got := reconciled(t, cas.Name)
	for what, o := range kids {
		if refs := o.GetOwnerReferences(); len(refs) != 1 || refs[0].UID != got.UID || !ptr.Deref(refs[0].Controller, false) {
			t.Errorf("%s is not controlled by the CustomApiServer: %+v", what, refs)
		}
	}

	// The StatefulSet: three members, started together, a claim each, restricted, probed on the plain listener.
	s := sts.Spec
	if ptr.Deref(s.Replicas, 0) != 3 || s.ServiceName != n.Etcd || s.PodManagementPolicy != appsv1.ParallelPodManagement {
		t.Errorf("StatefulSet replicas %v, serviceName %q, podManagementPolicy %q", s.Replicas, s.ServiceName, s.PodManagementPolicy)
	}
	if len(s.VolumeClaimTemplates) != 1 || ptr.Deref(s.VolumeClaimTemplates[0].Spec.StorageClassName, "") != "local-etcd" ||
		!s.VolumeClaimTemplates[0].Spec.Resources.Requests.Storage().Equal(size) {
		t.Errorf("volume claim templates %+v, want one of 2Gi in class local-etcd", s.VolumeClaimTemplates)
	}
	if p := s.PersistentVolumeClaimRetentionPolicy; p == nil || p.WhenDeleted != appsv1.DeletePersistentVolumeClaimRetentionPolicyType ||
		p.WhenScaled != appsv1.DeletePersistentVolumeClaimRetentionPolicyType {
		t.Errorf("PVC retention policy %+v, want whenDeleted and whenScaled Delete", p)
	}
	pod := s.Template.Spec
	c := pod.Containers[0]
	sc := c.SecurityContext
	if sc == nil || !ptr.Deref(sc.RunAsNonRoot, false) || ptr.Deref(sc.AllowPrivilegeEscalation, true) || !ptr.Deref(sc.ReadOnlyRootFilesystem, false) ||
		!slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("etcd container security context %+v is not restricted", sc)
	}
	if r := c.ReadinessProbe; r == nil || r.HTTPGet == nil || r.HTTPGet.Path != "/health" || r.HTTPGet.Port.String() != "metrics" || r.HTTPGet.Scheme != corev1.URISchemeHTTP {
		t.Errorf("readiness probe %+v, want HTTP /health on the metrics port", r)
	}
	if a := pod.Affinity; a == nil || a.PodAntiAffinity == nil || len(a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution) != 1 ||
		len(a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution) != 0 {
		t.Errorf("affinity %+v, want a preferred (not required) pod anti-affinity", a)
	}
	args := strings.Join(c.Args, " ")
	host := func(i int) string { return fmt.Sprintf("%s-%d.%s.%s.svc", n.Etcd, i, n.Etcd, n.Namespace) }
	// The cluster a member starts into comes from the ConfigMap, so the template does not change with the
	// membership: a new cluster bootstraps every ordinal.
	cm := &corev1.ConfigMap{}
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: n.Namespace, Name: n.Etcd}, cm); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%s-0=https://%s:2380,%s-1=https://%s:2380,%s-2=https://%s:2380", n.Etcd, host(0), n.Etcd, host(1), n.Etcd, host(2)); cm.Data["initial-cluster"] != want ||
		cm.Data["initial-cluster-state"] != "new" {
		t.Errorf("ConfigMap %s: %v, want initial-cluster %s, state new", n.Etcd, cm.Data, want)
	}
	for _, w := range []string{
		"--initial-cluster=$(INITIAL_CLUSTER)", "--initial-cluster-state=$(INITIAL_CLUSTER_STATE)",
		"--listen-metrics-urls=http://0.0.0.0:2381", "--client-cert-auth", "--peer-client-cert-auth", "--name=$(POD_NAME)",
	} {
		if !strings.Contains(args, w) {
			t.Errorf("etcd args lack %q:\n%s", w, args)
		}
	}
	if !svc.Spec.PublishNotReadyAddresses || svc.Spec.ClusterIP != corev1.ClusterIPNone {
		t.Errorf("Service %s is not headless with not-ready addresses published: %+v", svc.Name, svc.Spec)
	}
	if pdb.Spec.MinAvailable == nil || pdb.Spec.MinAvailable.IntValue() != 2 {
		t.Errorf("PDB minAvailable %v, want 2 (the quorum of 3)", pdb.Spec.MinAvailable)
	}

	// The apiserver: every member over https, with the client Secret mounted and its three files passed.
	dargs := strings.Join(deploy.Spec.Template.Spec.Containers[0].Args, " ")
	for _, w := range []string{
		fmt.Sprintf("--etcd-servers=https://%s:2379,https://%s:2379,https://%s:2379", host(0), host(1), host(2)),
		"--etcd-cafile=/var/run/etcd-client-tls/ca.crt", "--etcd-certfile=/var/run/etcd-client-tls/tls.crt", "--etcd-keyfile=/var/run/etcd-client-tls/tls.key",
	} {
		if !strings.Contains(dargs, w) {
			t.Errorf("apiserver args lack %q:\n%s", w, dargs)
		}
	}
	if !slices.ContainsFunc(deploy.Spec.Template.Spec.Volumes, func(v corev1.Volume) bool {
		return v.Secret != nil && v.Secret.SecretName == n.EtcdClientSecret
	}) {
		t.Errorf("apiserver pods do not mount %s: %+v", n.EtcdClientSecret, deploy.Spec.Template.Spec.Volumes)
	}

	// The certificates: the members' serves every member's name and the client's is accepted, both under ca.crt.
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(clientTLS.Data["ca.crt"]) {
		t.Fatalf("client Secret has no ca.crt")
	}
	member, err := certs.Parse(peer.Data["tls.crt"], peer.Data["tls.key"])
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 { // every member a scaling may add
		if _, err := member.Cert.Verify(x509.VerifyOptions{Roots: roots, DNSName: host(i), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
			t.Errorf("member certificate for %s: %v", host(i), err)
		}
	}
	cl, err := certs.Parse(clientTLS.Data["tls.crt"], clientTLS.Data["tls.key"])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Cert.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("client certificate: %v", err)
	}

	// No member yet: StorageReady False, and Ready says so rather than waiting on the Deployment.
	storage := waitCondition(t, k8s, cas.Name, aggv1alpha1.ConditionStorageReady, func(c *metav1.Condition) bool {
		return c.Reason == aggv1alpha1.ReasonEtcdQuorumLost
	})
	if storage.Status != metav1.ConditionFalse || !strings.Contains(storage.Message, "0/3 etcd members healthy, 2 needed") ||
		!strings.Contains(storage.Message, n.Etcd+"-0: pod does not exist yet") {
		t.Errorf("StorageReady %+v", storage)
	}
	waitCondition(t, k8s, cas.Name, aggv1alpha1.ConditionReady, func(c *metav1.Condition) bool {
		return c.Status == metav1.ConditionFalse && c.Reason == aggv1alpha1.ReasonEtcdQuorumLost
	})

	// Two ready members of three: a quorum, degraded; the third's state is named.
	for i := range 3 {
		p := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: n.Namespace, Name: fmt.Sprintf("%s-%d", n.Etcd, i), Labels: etcdSelectorLabels(cas)},
			Spec:       *sts.Spec.Template.Spec.DeepCopy(), // restricted, as the namespace enforces
		}
		// The StatefulSet controller would add the claim's volume.
		p.Spec.Volumes = append(p.Spec.Volumes, corev1.Volume{Name: "data", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}})
		if err := k8s.Create(ctx, p); err != nil {
			t.Fatal(err)
		}
		if i < 2 {
			readyPod(p)
		} else {
			p.Status.Phase = corev1.PodPending
			p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable",
				Message: "0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims."}}
		}
		if err := k8s.Status().Update(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	storage = waitCondition(t, k8s, cas.Name, aggv1alpha1.ConditionStorageReady, func(c *metav1.Condition) bool {
		return c.Reason == aggv1alpha1.ReasonEtcdDegraded
	})
	if storage.Status != metav1.ConditionTrue || !strings.Contains(storage.Message, "unbound immediate PersistentVolumeClaims") {
		t.Errorf("StorageReady %+v", storage)
	}
	got = reconciled(t, cas.Name)
	want := &aggv1alpha1.StorageStatus{ReadyMembers: "2/3", Members: []aggv1alpha1.EtcdMemberStatus{
		{Name: n.Etcd + "-0", Healthy: true}, {Name: n.Etcd + "-1", Healthy: true},
		{Name: n.Etcd + "-2", Message: "not scheduled: Unschedulable: 0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims."},
	}}
	if fmt.Sprint(got.Status.Storage) != fmt.Sprint(want) {
		t.Errorf("status.storage\n got %+v\nwant %+v", got.Status.Storage, want)
	}
}

// What the operator cannot do safely, the CRD refuses with a message that says what to do instead.
func TestManagedEtcdChangesRefused(t *testing.T) {
	startEnv(t)
	ctx := context.Background()
	cas := newCAS("managed-fixed", "managedfixed.example.com", managedStorage(aggv1alpha1.ManagedEtcdStorage{Replicas: 1}))
	createCAS(t, cas)
	for _, tc := range []struct {
		name   string
		mutate func(*aggv1alpha1.CustomApiServer)
		want   []string
	}{
		{"members 1 -> 2", func(c *aggv1alpha1.CustomApiServer) { c.Spec.Storage.Managed.Replicas = 2 },
			[]string{"spec.storage.managed.replicas", "Unsupported value"}},
		{"larger volumes", func(c *aggv1alpha1.CustomApiServer) {
			c.Spec.Storage.Managed.Storage = ptr.To(resource.MustParse("5Gi"))
		},
			[]string{"spec.storage.managed.storage", "cannot be changed"}},
		{"to external etcd", func(c *aggv1alpha1.CustomApiServer) {
			c.Spec.Storage = &aggv1alpha1.StorageSpec{Etcd: &aggv1alpha1.EtcdStorage{Servers: []string{"http://etcd:2379"}}}
		}, []string{"spec.storage", "storage.managed cannot be added to or removed"}},
		{"to no storage", func(c *aggv1alpha1.CustomApiServer) { c.Spec.Storage = nil },
			[]string{"spec.storage", "storage.managed cannot be added to or removed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := &aggv1alpha1.CustomApiServer{}
			testutil.Eventually(t, 10*time.Second, "read "+cas.Name, func(ctx context.Context) error {
				return k8s.Get(ctx, client.ObjectKey{Name: cas.Name}, got)
			})
			patch := client.MergeFrom(got.DeepCopy())
			tc.mutate(got)
			err := k8s.Patch(ctx, got, patch)
			for _, w := range tc.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("error %v does not mention %q", err, w)
				}
			}
		})
	}
	// Managed storage takes any apiserver replicas.
	got := &aggv1alpha1.CustomApiServer{}
	if err := k8s.Get(ctx, client.ObjectKey{Name: cas.Name}, got); err != nil {
		t.Fatal(err)
	}
	patch := client.MergeFrom(got.DeepCopy())
	got.Spec.Replicas = 5
	if err := k8s.Patch(ctx, got, patch); err != nil {
		t.Errorf("apiserver replicas 5 with managed storage: %v", err)
	}
	// One member: no PodDisruptionBudget (minAvailable 1 of 1 would block every drain).
	n := namesFor(cas)
	waitChildren(t, map[string]client.Object{"StatefulSet": &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Namespace: n.Namespace, Name: n.Etcd}}})
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: n.Namespace, Name: n.Etcd}, &policyv1.PodDisruptionBudget{}); err == nil {
		t.Errorf("a PodDisruptionBudget for a one-member etcd")
	}
	if c := meta.FindStatusCondition(reconciled(t, cas.Name).Status.Conditions, aggv1alpha1.ConditionStorageReady); c == nil {
		t.Errorf("no StorageReady condition")
	}
}

// A change of members is accepted, and carried out only through etcd's member list: an operator that cannot
// reach etcd (envtest runs no etcd pods) changes nothing, says so, and keeps the apiserver on the members
// that exist.
func TestManagedEtcdScalingHeldWithoutMembers(t *testing.T) {
	startEnv(t)
	ctx := context.Background()
	cas := newCAS("managed-grow", "managedgrow.example.com", managedStorage(aggv1alpha1.ManagedEtcdStorage{Replicas: 1}))
	createCAS(t, cas)
	n := namesFor(cas)
	sts := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Namespace: n.Namespace, Name: n.Etcd}}
	waitChildren(t, map[string]client.Object{"StatefulSet": sts})
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: n.Namespace, Name: n.Etcd + "-0", Labels: etcdSelectorLabels(cas)},
		Spec:       *sts.Spec.Template.Spec.DeepCopy(),
	}
	p.Spec.Volumes = append(p.Spec.Volumes, corev1.Volume{Name: "data", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}})
	if err := k8s.Create(ctx, p); err != nil {
		t.Fatal(err)
	}
	readyPod(p)
	if err := k8s.Status().Update(ctx, p); err != nil {
		t.Fatal(err)
	}
	waitCondition(t, k8s, cas.Name, aggv1alpha1.ConditionStorageReady, func(c *metav1.Condition) bool {
		return c.Reason == aggv1alpha1.ReasonMembersHealthy
	})

	got := reconciled(t, cas.Name)
	patch := client.MergeFrom(got.DeepCopy())
	got.Spec.Storage.Managed.Replicas = 3
	if err := k8s.Patch(ctx, got, patch); err != nil {
		t.Fatalf("members 1 -> 3: %v", err)
	}
	storage := waitCondition(t, k8s, cas.Name, aggv1alpha1.ConditionStorageReady, func(c *metav1.Condition) bool {
		return c.Reason == aggv1alpha1.ReasonEtcdScaling
	})
	if storage.Status != metav1.ConditionTrue || !strings.Contains(storage.Message, "cannot list the etcd members") {
		t.Errorf("StorageReady %+v", storage)
	}
	if s := reconciled(t, cas.Name).Status.Storage; s == nil || !strings.HasPrefix(s.Scaling, "to 3 members: cannot list the etcd members") || s.ReadyMembers != "1/1" {
		t.Errorf("status.storage %+v", s)
	}
	if err := k8s.Get(ctx, client.ObjectKeyFromObject(sts), sts); err != nil {
		t.Fatal(err)
	}
	if r := ptr.Deref(sts.Spec.Replicas, 0); r != 1 {
		t.Errorf("StatefulSet replicas %d while the members are unknown, want 1", r)
	}
	deploy := &appsv1.Deployment{}
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: n.Namespace, Name: n.Deployment}, deploy); err != nil {
		t.Fatal(err)
	}
	if args := strings.Join(deploy.Spec.Template.Spec.Containers[0].Args, " "); !strings.Contains(args, fmt.Sprintf("--etcd-servers=https://%s-0.%s.%s.svc:2379 ", n.Etcd, n.Etcd, n.Namespace)) {
		t.Errorf("apiserver not kept on member 0: %s", args)
	}
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: n.Namespace, Name: n.Etcd}, &policyv1.PodDisruptionBudget{}); err == nil {
		t.Errorf("a PodDisruptionBudget for the one member there is")
	}

	// A cluster whose ConfigMap is gone (one an older operator made has none) gets one, or no pod could
	// start: the StatefulSet's members, to join (a running member has data and ignores it).
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: n.Namespace, Name: n.Etcd}}
	if err := k8s.Delete(ctx, cm); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 10*time.Second, "ConfigMap made again", func(ctx context.Context) error {
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(cm), cm); err != nil {
			return err
		}
		if want := fmt.Sprintf("%s-0=https://%s-0.%s.%s.svc:2380", n.Etcd, n.Etcd, n.Etcd, n.Namespace); cm.Data["initial-cluster"] != want || cm.Data["initial-cluster-state"] != "existing" {
			return fmt.Errorf("data %v, want initial-cluster %s, state existing", cm.Data, want)
		}
		return nil
	})
}
