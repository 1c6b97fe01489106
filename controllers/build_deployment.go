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
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	metav1ac "k8s.io/client-go/applyconfigurations/meta/v1"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
)

const (
	containerName = "apiserver"
	portName      = "https"
	nonRootUID    = 65532
	// preStopSleep keeps a terminating pod serving while its endpoint leaves the EndpointSlices the
	// aggregator routes by: without it a rollout fails the requests sent in between (connection refused,
	// HTTP 503). A sleep hook needs no flag and no shell, so it fits any image.
	preStopSleep = 5
	// startupProbeFailures is how long (s) a new container may take to turn ready before the kubelet
	// restarts it: 10 minutes, so a server waiting for its storage (or metrics-server for its first
	// scrape) is left alone as long as an operator would reasonably wait.
	startupProbeFailures = 600
)

// apiserverImage is spec.image, or the operator's default (its own release's apiserver image).
func apiserverImage(cas *aggv1alpha1.CustomApiServer, defaultImage string) string {
	if cas.Spec.Image != "" {
		return cas.Spec.Image
	}
	return defaultImage
}

// deploymentArgs are the contract flags (spec.flags, build_flags.go) followed by the user's spec.args.
func deploymentArgs(cas *aggv1alpha1.CustomApiServer, etcdServers int32) []string {
	return append(contractArgs(cas, etcdServers), cas.Spec.Args...)
}

// desiredDeployment runs the aggregated apiserver: hardened, probed on /livez and /readyz over HTTPS,
// spread across nodes when replicated. The serving Secret is mounted, not hashed into the pod template:
// the apiserver reloads renewed certificate files without a restart.
func desiredDeployment(cas *aggv1alpha1.CustomApiServer, n names, image string, etcdServers int32) *appsv1ac.DeploymentApplyConfiguration {
	c := corev1ac.Container().
		WithName(containerName).
		WithImage(image).
		WithArgs(deploymentArgs(cas, etcdServers)...).
		WithPorts(corev1ac.ContainerPort().WithName(portName).WithContainerPort(cas.Spec.SecurePort).WithProtocol(corev1.ProtocolTCP)).
		WithEnv(corev1ac.EnvVar().WithName("POD_NAMESPACE").
			WithValueFrom(corev1ac.EnvVarSource().WithFieldRef(corev1ac.ObjectFieldSelector().WithFieldPath("metadata.namespace")))).
		// Readiness every 10 s alone left a new pod unready for ~10 s after it could serve (its first probe
		// comes as the process starts); the startup probe asks /readyz every second until it passes, and
		// the kubelet probes readiness at once when it does.
		WithStartupProbe(httpsProbe("/readyz", 1, startupProbeFailures)).
		WithLivenessProbe(httpsProbe("/livez", 10, 3)).
		WithReadinessProbe(httpsProbe("/readyz", 10, 1)).
		WithLifecycle(corev1ac.Lifecycle().WithPreStop(corev1ac.LifecycleHandler().WithSleep(corev1ac.SleepAction().WithSeconds(preStopSleep)))).
		// A crash's last log lines land in the pod status, and from there in DeploymentAvailable's message.
		WithTerminationMessagePolicy(corev1.TerminationMessageFallbackToLogsOnError).
		WithSecurityContext(restrictedContainerSecurity()).
		WithVolumeMounts(
			corev1ac.VolumeMount().WithName("serving-cert").WithMountPath(certDir).WithReadOnly(true),
			corev1ac.VolumeMount().WithName("tmp").WithMountPath("/tmp"),
		)
	for _, e := range cas.Spec.Env {
		c.WithEnv(viaJSON[corev1ac.EnvVarApplyConfiguration](e))
	}
	if cas.Spec.ImagePullPolicy != "" {
		c.WithImagePullPolicy(cas.Spec.ImagePullPolicy)
	}
	if cas.Spec.Resources != nil {
		c.WithResources(viaJSON[corev1ac.ResourceRequirementsApplyConfiguration](cas.Spec.Resources))
	}

	pod := corev1ac.PodSpec().
		WithServiceAccountName(n.ServiceAccount).
		WithSecurityContext(corev1ac.PodSecurityContext().
			WithRunAsNonRoot(true).
			WithSeccompProfile(corev1ac.SeccompProfile().WithType(corev1.SeccompProfileTypeRuntimeDefault))).
		WithVolumes(
			servingCertVolume(cas, n),
			corev1ac.Volume().WithName("tmp").WithEmptyDir(corev1ac.EmptyDirVolumeSource()),
		)
	if name := etcdTLSSecretName(cas); name != "" {
		tls := buildEtcdClientTLS(serverFlags(cas), name)
		c.WithVolumeMounts(tls.Mount)
		pod.WithVolumes(tls.Volume)
	}
	if embeddedStorage(cas) {
		c.WithVolumeMounts(corev1ac.VolumeMount().WithName("data").WithMountPath(dataDir))
		pod.WithVolumes(corev1ac.Volume().WithName("data").WithEmptyDir(corev1ac.EmptyDirVolumeSource()))
	}
	if v := postgresDSNVolume(cas); v != nil {
		c.WithVolumeMounts(corev1ac.VolumeMount().WithName(*v.Name).WithMountPath(dsnDir).WithReadOnly(true))
		pod.WithVolumes(v)
	}
	pod.WithContainers(c)
	for _, s := range cas.Spec.ImagePullSecrets {
		pod.WithImagePullSecrets(corev1ac.LocalObjectReference().WithName(s.Name))
	}
	if len(cas.Spec.NodeSelector) > 0 {
		pod.WithNodeSelector(cas.Spec.NodeSelector)
	}
	for _, t := range cas.Spec.Tolerations {
		pod.WithTolerations(viaJSON[corev1ac.TolerationApplyConfiguration](t))
	}
	if a := podAffinity(cas); a != nil {
		pod.WithAffinity(a)
	}
	if cas.Spec.PriorityClassName != "" {
		pod.WithPriorityClassName(cas.Spec.PriorityClassName)
	}

	return appsv1ac.Deployment(n.Deployment, n.Namespace).
		WithLabels(childLabels(cas)).
		WithOwnerReferences(ownerRef(cas)).
		WithSpec(appsv1ac.DeploymentSpec().
			WithReplicas(cas.Spec.Replicas).
			WithSelector(metav1ac.LabelSelector().WithMatchLabels(selectorLabels(cas))).
			WithTemplate(corev1ac.PodTemplateSpec().
				WithLabels(selectorLabels(cas)).
				WithSpec(pod)))
}

// restrictedContainerSecurity meets Pod Security "restricted" and more: non-root, read-only root filesystem,
// no capabilities, no privilege escalation, the runtime's default seccomp profile.
func restrictedContainerSecurity() *corev1ac.SecurityContextApplyConfiguration {
	return corev1ac.SecurityContext().
		WithRunAsNonRoot(true).
		WithRunAsUser(nonRootUID).
		WithRunAsGroup(nonRootUID).
		WithReadOnlyRootFilesystem(true).
		WithAllowPrivilegeEscalation(false).
		WithCapabilities(corev1ac.Capabilities().WithDrop("ALL")).
		WithSeccompProfile(corev1ac.SeccompProfile().WithType(corev1.SeccompProfileTypeRuntimeDefault))
}

func httpsProbe(path string, periodSeconds, failureThreshold int32) *corev1ac.ProbeApplyConfiguration {
	return corev1ac.Probe().
		WithHTTPGet(corev1ac.HTTPGetAction().WithPath(path).WithPort(intstr.FromString(portName)).WithScheme(corev1.URISchemeHTTPS)).
		WithPeriodSeconds(periodSeconds).
		WithFailureThreshold(failureThreshold)
}

// podAffinity is the user's affinity; with replicas > 1 and no podAntiAffinity of the user's own it adds a
// preferred spread across nodes, so one node going down does not take the API with it.
func podAffinity(cas *aggv1alpha1.CustomApiServer) *corev1ac.AffinityApplyConfiguration {
	var a *corev1ac.AffinityApplyConfiguration
	if cas.Spec.Affinity != nil {
		a = viaJSON[corev1ac.AffinityApplyConfiguration](cas.Spec.Affinity)
	}
	if cas.Spec.Replicas <= 1 || (cas.Spec.Affinity != nil && cas.Spec.Affinity.PodAntiAffinity != nil) {
		return a
	}
	if a == nil {
		a = corev1ac.Affinity()
	}
	return a.WithPodAntiAffinity(corev1ac.PodAntiAffinity().WithPreferredDuringSchedulingIgnoredDuringExecution(
		corev1ac.WeightedPodAffinityTerm().WithWeight(100).WithPodAffinityTerm(
			corev1ac.PodAffinityTerm().
				WithTopologyKey(corev1.LabelHostname).
				WithLabelSelector(metav1ac.LabelSelector().WithMatchLabels(selectorLabels(cas))))))
}

// viaJSON turns an API struct into its apply configuration; both share one JSON form. It cannot fail
// for the API types it is used with, so a failure is a programming error.
func viaJSON[T any](v any) *T {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("encoding %T: %v", v, err))
	}
	out := new(T)
	if err := json.Unmarshal(b, out); err != nil {
		panic(fmt.Sprintf("decoding %T into %T: %v", v, out, err))
	}
	return out
}
