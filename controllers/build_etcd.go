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
	// etcdMaxMembers is the most members spec.storage.managed.replicas allows (the CRD's enum): the members'
	// certificate names all of them, so a member added later is covered without a new certificate.
	etcdMaxMembers = 5
	// The keys of the ConfigMap <name>-etcd that a starting member reads (env, so the pod template does not
	// change with the membership and no member restarts when another is added).
	keyInitialCluster      = "initial-cluster"
	keyInitialClusterState = "initial-cluster-state"
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

// etcdClientURLs are what the apiserver's --etcd-servers lists: the first voting members, 1 or 3
// (etcdScaleStep.Servers), so its client balances and fails over between them.
func etcdClientURLs(n names, replicas int32) []string {
	var out []string
	for _, m := range etcdMemberNames(n, replicas) {
		out = append(out, fmt.Sprintf("https://%s:%d", etcdMemberHost(n, m), etcdClientPort))
	}
	return out
}

// etcdPeerURL is the peer URL of the member of one ordinal, as etcd's member list shows it.
func etcdPeerURL(n names, ordinal int32) string {
	return fmt.Sprintf("https://%s:%d", etcdMemberHost(n, fmt.Sprintf("%s-%d", n.Etcd, ordinal)), etcdPeerPort)
}

// etcdDNSNames are the names the members' certificate is valid for: the headless Service's, and each
// member's (short and full) up to etcdMaxMembers, so scaling needs no new certificate.
func etcdDNSNames(n names) []string {
	out := []string{n.Etcd + "." + n.Namespace + ".svc", n.Etcd + "." + n.Namespace + ".svc.cluster.local"}
	for _, m := range etcdMemberNames(n, etcdMaxMembers) {
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

// etcdInitialCluster is --initial-cluster for members of these ordinals: name=peer URL each.
func etcdInitialCluster(n names, ordinals []int32) string {
	out := make([]string, len(ordinals))
	for i, o := range ordinals {
		out[i] = fmt.Sprintf("%s-%d=%s", n.Etcd, o, etcdPeerURL(n, o))
	}
	return strings.Join(out, ",")
}

// desiredEtcdConfigMap is what a member starting without data reads: the cluster to bootstrap (state new,
// every ordinal of a new cluster) or to join (state existing, the members etcd lists, the new learner
// among them: etcd checks they match). A member with data ignores both.
func desiredEtcdConfigMap(cas *aggv1alpha1.CustomApiServer, n names, ordinals []int32, state string) *corev1ac.ConfigMapApplyConfiguration {
	return corev1ac.ConfigMap(n.Etcd, n.Namespace).
		WithLabels(childLabels(cas)).
		WithOwnerReferences(ownerRef(cas)).
		WithData(map[string]string{keyInitialCluster: etcdInitialCluster(n, ordinals), keyInitialClusterState: state})
}

// etcdArgs are etcd's flags. The member's name comes from its pod ($(POD_NAME), expanded by the kubelet);
// --initial-cluster and --initial-cluster-state come from the ConfigMap (desiredEtcdConfigMap) through the
// environment and are ignored once a member has data, so a member restarted (or all of them) rejoins from
// its volume.
func etcdArgs(cas *aggv1alpha1.CustomApiServer, n names) []string {
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
		"--initial-cluster=$(INITIAL_CLUSTER)",
		"--initial-cluster-state=$(INITIAL_CLUSTER_STATE)",
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

// desiredEtcdStatefulSet runs replicas members (the scaling plan's, etcdScaleStep.Replicas): stable names,
// one PersistentVolumeClaim each, started in parallel (a cluster whose members all went down needs them all
// up to re-form its quorum), ready when etcd's /health on the plain metrics listener says the member has a
// leader, hardened as the apiserver is.
func desiredEtcdStatefulSet(cas *aggv1alpha1.CustomApiServer, n names, image string, replicas int32) *appsv1ac.StatefulSetApplyConfiguration {
	m := managedEtcd(cas)
	fromConfigMap := func(env, key string) *corev1ac.EnvVarApplyConfiguration {
		return corev1ac.EnvVar().WithName(env).WithValueFrom(corev1ac.EnvVarSource().
			WithConfigMapKeyRef(corev1ac.ConfigMapKeySelector().WithName(n.Etcd).WithKey(key)))
	}
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
		WithArgs(etcdArgs(cas, n)...).
		WithEnv(corev1ac.EnvVar().WithName("POD_NAME").
			WithValueFrom(corev1ac.EnvVarSource().WithFieldRef(corev1ac.ObjectFieldSelector().WithFieldPath("metadata.name"))),
			fromConfigMap("INITIAL_CLUSTER", keyInitialCluster),
			fromConfigMap("INITIAL_CLUSTER_STATE", keyInitialClusterState)).
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
			// The data goes with the CustomApiServer (README, "Managed etcd"), and a removed member's with its
			// pod: a member added later at that ordinal must start empty, not as the member etcd removed.
			WithPersistentVolumeClaimRetentionPolicy(appsv1ac.StatefulSetPersistentVolumeClaimRetentionPolicy().
				WithWhenDeleted(appsv1.DeletePersistentVolumeClaimRetentionPolicyType).
				WithWhenScaled(appsv1.DeletePersistentVolumeClaimRetentionPolicyType)))
}

func etcdStorageSize(m *aggv1alpha1.ManagedEtcdStorage) resource.Quantity {
	if m.Storage != nil && !m.Storage.IsZero() {
		return *m.Storage
	}
	return resource.MustParse(defaultEtcdStorage)
}

// desiredEtcdPDB lets voluntary disruptions (drains) take members only while a quorum of replicas (the
// StatefulSet's, which may be mid-scaling) stays.
func desiredEtcdPDB(cas *aggv1alpha1.CustomApiServer, n names, replicas int32) *policyv1ac.PodDisruptionBudgetApplyConfiguration {
	return policyv1ac.PodDisruptionBudget(n.Etcd, n.Namespace).
		WithLabels(childLabels(cas)).
		WithOwnerReferences(ownerRef(cas)).
		WithSpec(policyv1ac.PodDisruptionBudgetSpec().
			WithMinAvailable(intstr.FromInt32(etcdQuorum(replicas))).
			WithSelector(metav1ac.LabelSelector().WithMatchLabels(etcdSelectorLabels(cas))))
}
