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
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	metav1ac "k8s.io/client-go/applyconfigurations/meta/v1"
	policyv1ac "k8s.io/client-go/applyconfigurations/policy/v1"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
)

const (
	etcdContainer   = "etcd"
	etcdClientPort  = 2379
	etcdPeerPort    = 2380
	etcdMetricsPort = 2381 // plain HTTP, /health, /livez, /readyz and /metrics only: what the probes read
	etcdDataMount   = "/var/lib/etcd"
	// etcdDataDir is a directory etcd creates itself inside the volume, so it gets the 0700 etcd wants
	// whatever the volume's root looks like (fsGroup makes that group-writable).
	etcdDataDir      = etcdDataMount + "/data"
	etcdMemberTLSDir = "/etc/etcd/tls"
	// defaultEtcdStorage is the CRD's default of spec.storage.managed.storage.
	defaultEtcdStorage = "1Gi"
)

// managedEtcd is spec.storage.managed, or nil.
func managedEtcd(cas *aggv1alpha1.CustomApiServer) *aggv1alpha1.ManagedEtcdStorage {
	if cas.Spec.Storage == nil {
		return nil
	}
	return cas.Spec.Storage.Managed
}

// etcdReplicas is the member count (the CRD defaults it to 3).
func etcdReplicas(m *aggv1alpha1.ManagedEtcdStorage) int32 {
	if m.Replicas == 0 {
		return 3
	}
	return m.Replicas
}

// etcdQuorum is how many members must be healthy for etcd to write.
func etcdQuorum(replicas int32) int32 { return replicas/2 + 1 }

// etcdImage is spec.storage.managed.image, or the operator's default (--etcd-image).
func etcdImage(m *aggv1alpha1.ManagedEtcdStorage, defaultImage string) string {
	if m.Image != "" {
		return m.Image
	}
	return defaultImage
}

// etcdMemberNames are the members' names: the StatefulSet's pods, <name>-etcd-<ordinal>.
func etcdMemberNames(n names, replicas int32) []string {
	out := make([]string, replicas)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%d", n.Etcd, i)
	}
	return out
}

// etcdMemberHost is a member's stable DNS name through the headless Service.
func etcdMemberHost(n names, member string) string {
	return member + "." + n.Etcd + "." + n.Namespace + ".svc"
}

// etcdClientURLs are what the apiserver's --etcd-servers lists: every member, so its client balances and
// fails over between them.
func etcdClientURLs(n names, replicas int32) []string {
	var out []string
	for _, m := range etcdMemberNames(n, replicas) {
		out = append(out, fmt.Sprintf("https://%s:%d", etcdMemberHost(n, m), etcdClientPort))
	}
	return out
}

// etcdDNSNames are the names the members' certificate is valid for: each member's (short and full), and the
// headless Service's.
func etcdDNSNames(n names, replicas int32) []string {
	out := []string{n.Etcd + "." + n.Namespace + ".svc", n.Etcd + "." + n.Namespace + ".svc.cluster.local"}
	for _, m := range etcdMemberNames(n, replicas) {
		out = append(out, etcdMemberHost(n, m), etcdMemberHost(n, m)+".cluster.local")
	}
	return out
}

// etcdSelectorLabels select the etcd pods of one CustomApiServer (never the apiserver's).
func etcdSelectorLabels(cas *aggv1alpha1.CustomApiServer) map[string]string {
	return map[string]string{
		LabelOwner:                    cas.Name,
		"app.kubernetes.io/component": "etcd",
	}
}

// desiredEtcdService is the headless Service that gives each member a stable DNS name. Not-ready members are
// published too: members must find each other to form a quorum before any of them is ready.
func desiredEtcdService(cas *aggv1alpha1.CustomApiServer, n names) *corev1ac.ServiceApplyConfiguration {
	return corev1ac.Service(n.Etcd, n.Namespace).
		WithLabels(childLabels(cas)).
		WithOwnerReferences(ownerRef(cas)).
		WithSpec(corev1ac.ServiceSpec().
			WithClusterIP(corev1.ClusterIPNone).
			WithPublishNotReadyAddresses(true).
			WithSelector(etcdSelectorLabels(cas)).
			WithPorts(
				corev1ac.ServicePort().WithName("client").WithPort(etcdClientPort).WithTargetPort(intstr.FromString("client")).WithProtocol(corev1.ProtocolTCP),
				corev1ac.ServicePort().WithName("peer").WithPort(etcdPeerPort).WithTargetPort(intstr.FromString("peer")).WithProtocol(corev1.ProtocolTCP)))
}

// etcdArgs are etcd's flags. The member's name comes from its pod ($(POD_NAME), expanded by the kubelet);
// --initial-cluster lists every ordinal, and is ignored once a member has data, so a member restarted (or
// all of them) rejoins from its volume.
func etcdArgs(cas *aggv1alpha1.CustomApiServer, n names, replicas int32) []string {
	var initial []string
	for _, m := range etcdMemberNames(n, replicas) {
		initial = append(initial, fmt.Sprintf("%s=https://%s:%d", m, etcdMemberHost(n, m), etcdPeerPort))
	}
	self := etcdMemberHost(n, "$(POD_NAME)")
	tls := func(f string) string { return etcdMemberTLSDir + "/" + f }
	return []string{
		"--name=$(POD_NAME)",
		"--data-dir=" + etcdDataDir,
		fmt.Sprintf("--listen-client-urls=https://0.0.0.0:%d", etcdClientPort),
		fmt.Sprintf("--advertise-client-urls=https://%s:%d", self, etcdClientPort),
		fmt.Sprintf("--listen-peer-urls=https://0.0.0.0:%d", etcdPeerPort),
		fmt.Sprintf("--initial-advertise-peer-urls=https://%s:%d", self, etcdPeerPort),
		fmt.Sprintf("--listen-metrics-urls=http://0.0.0.0:%d", etcdMetricsPort),
		"--initial-cluster=" + strings.Join(initial, ","),
		"--initial-cluster-state=new",
		// The UID keeps a member of a deleted and re-created CustomApiServer of the same name out.
		"--initial-cluster-token=" + n.Etcd + "-" + string(cas.UID),
		"--client-cert-auth",
		"--trusted-ca-file=" + tls(keyCABundle),
		"--cert-file=" + tls(corev1.TLSCertKey),
		"--key-file=" + tls(corev1.TLSPrivateKeyKey),
		"--peer-client-cert-auth",
		// Any certificate of this cluster's own CA is a member; the default check also resolves the peer's DNS
		// names and compares them with its address, which fails on a cached record while a restarted member's
		// new pod IP propagates (CoreDNS caches 30 s).
		"--peer-skip-client-san-verification",
		"--peer-trusted-ca-file=" + tls(keyCABundle),
		"--peer-cert-file=" + tls(corev1.TLSCertKey),
		"--peer-key-file=" + tls(corev1.TLSPrivateKeyKey),
		"--log-outputs=stderr",
	}
}

// desiredEtcdStatefulSet runs the members: stable names, one PersistentVolumeClaim each, started in parallel
// (a cluster whose members all went down needs them all up to re-form its quorum), ready when etcd's /health
// on the plain metrics listener says the member has a leader, hardened as the apiserver is.
func desiredEtcdStatefulSet(cas *aggv1alpha1.CustomApiServer, n names, image string) *appsv1ac.StatefulSetApplyConfiguration {
	m := managedEtcd(cas)
	replicas := etcdReplicas(m)
	probe := func(path string, failures int32) *corev1ac.ProbeApplyConfiguration {
		return corev1ac.Probe().
			WithHTTPGet(corev1ac.HTTPGetAction().WithPath(path).WithPort(intstr.FromString("metrics")).WithScheme(corev1.URISchemeHTTP)).
			WithPeriodSeconds(5).
			WithTimeoutSeconds(3).
			WithFailureThreshold(failures)
	}
	c := corev1ac.Container().
		WithName(etcdContainer).
		WithImage(image).
		WithArgs(etcdArgs(cas, n, replicas)...).
		WithEnv(corev1ac.EnvVar().WithName("POD_NAME").
			WithValueFrom(corev1ac.EnvVarSource().WithFieldRef(corev1ac.ObjectFieldSelector().WithFieldPath("metadata.name")))).
		WithPorts(
			corev1ac.ContainerPort().WithName("client").WithContainerPort(etcdClientPort).WithProtocol(corev1.ProtocolTCP),
			corev1ac.ContainerPort().WithName("peer").WithContainerPort(etcdPeerPort).WithProtocol(corev1.ProtocolTCP),
			corev1ac.ContainerPort().WithName("metrics").WithContainerPort(etcdMetricsPort).WithProtocol(corev1.ProtocolTCP)).
		WithReadinessProbe(probe("/health", 2)).
		// /livez is true while the process serves, quorum or not: a member waiting for its peers is not killed.
		WithLivenessProbe(probe("/livez", 12)).
		WithTerminationMessagePolicy(corev1.TerminationMessageFallbackToLogsOnError).
		WithSecurityContext(restrictedContainerSecurity()).
		WithVolumeMounts(
			corev1ac.VolumeMount().WithName("data").WithMountPath(etcdDataMount),
			corev1ac.VolumeMount().WithName("tls").WithMountPath(etcdMemberTLSDir).WithReadOnly(true))
	if m.Resources != nil {
		c.WithResources(viaJSON[corev1ac.ResourceRequirementsApplyConfiguration](m.Resources))
	}
	if cas.Spec.ImagePullPolicy != "" {
		c.WithImagePullPolicy(cas.Spec.ImagePullPolicy)
	}
	pod := corev1ac.PodSpec().
		WithAutomountServiceAccountToken(false). // etcd never talks to the Kubernetes API
		WithSecurityContext(corev1ac.PodSecurityContext().
			WithRunAsNonRoot(true).
			WithRunAsUser(nonRootUID).
			WithRunAsGroup(nonRootUID).
			WithFSGroup(nonRootUID).
			WithFSGroupChangePolicy(corev1.FSGroupChangeOnRootMismatch).
			WithSeccompProfile(corev1ac.SeccompProfile().WithType(corev1.SeccompProfileTypeRuntimeDefault))).
		WithVolumes(corev1ac.Volume().WithName("tls").WithSecret(corev1ac.SecretVolumeSource().WithSecretName(n.EtcdPeerSecret))).
		WithContainers(c).
		// Preferred, not required: a one-node cluster still runs every member.
		WithAffinity(corev1ac.Affinity().WithPodAntiAffinity(corev1ac.PodAntiAffinity().WithPreferredDuringSchedulingIgnoredDuringExecution(
			corev1ac.WeightedPodAffinityTerm().WithWeight(100).WithPodAffinityTerm(corev1ac.PodAffinityTerm().
				WithTopologyKey(corev1.LabelHostname).
				WithLabelSelector(metav1ac.LabelSelector().WithMatchLabels(etcdSelectorLabels(cas))))))).
		WithTerminationGracePeriodSeconds(30)
	for _, s := range cas.Spec.ImagePullSecrets {
		pod.WithImagePullSecrets(corev1ac.LocalObjectReference().WithName(s.Name))
	}
	if cas.Spec.PriorityClassName != "" {
		pod.WithPriorityClassName(cas.Spec.PriorityClassName)
	}
	pvc := corev1ac.PersistentVolumeClaim("data", "").
		WithLabels(etcdSelectorLabels(cas)).
		WithSpec(corev1ac.PersistentVolumeClaimSpec().
			WithAccessModes(corev1.ReadWriteOnce).
			WithResources(corev1ac.VolumeResourceRequirements().WithRequests(corev1.ResourceList{corev1.ResourceStorage: etcdStorageSize(m)})))
	if m.StorageClassName != nil {
		pvc.Spec.WithStorageClassName(*m.StorageClassName)
	}
	return appsv1ac.StatefulSet(n.Etcd, n.Namespace).
		WithLabels(childLabels(cas)).
		WithOwnerReferences(ownerRef(cas)).
		WithSpec(appsv1ac.StatefulSetSpec().
			WithReplicas(replicas).
			WithServiceName(n.Etcd).
			WithPodManagementPolicy(appsv1.ParallelPodManagement).
			WithSelector(metav1ac.LabelSelector().WithMatchLabels(etcdSelectorLabels(cas))).
			WithTemplate(corev1ac.PodTemplateSpec().WithLabels(etcdSelectorLabels(cas)).WithSpec(pod)).
			WithVolumeClaimTemplates(pvc).
			// The data goes with the CustomApiServer (README, "Managed etcd"); replicas cannot change, so
			// whenScaled never applies.
			WithPersistentVolumeClaimRetentionPolicy(appsv1ac.StatefulSetPersistentVolumeClaimRetentionPolicy().
				WithWhenDeleted(appsv1.DeletePersistentVolumeClaimRetentionPolicyType).
				WithWhenScaled(appsv1.RetainPersistentVolumeClaimRetentionPolicyType)))
}

func etcdStorageSize(m *aggv1alpha1.ManagedEtcdStorage) resource.Quantity {
	if m.Storage != nil && !m.Storage.IsZero() {
		return *m.Storage
	}
	return resource.MustParse(defaultEtcdStorage)
}

// desiredEtcdPDB lets voluntary disruptions (drains) take members only while a quorum stays.
func desiredEtcdPDB(cas *aggv1alpha1.CustomApiServer, n names) *policyv1ac.PodDisruptionBudgetApplyConfiguration {
	return policyv1ac.PodDisruptionBudget(n.Etcd, n.Namespace).
		WithLabels(childLabels(cas)).
		WithOwnerReferences(ownerRef(cas)).
		WithSpec(policyv1ac.PodDisruptionBudgetSpec().
			WithMinAvailable(intstr.FromInt32(etcdQuorum(etcdReplicas(managedEtcd(cas))))).
			WithSelector(metav1ac.LabelSelector().WithMatchLabels(etcdSelectorLabels(cas))))
}
