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
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
)

// specCAS is a CustomApiServer as the API server stores it (defaults applied).
func specCAS(mutate ...func(*aggv1alpha1.CustomApiServer)) *aggv1alpha1.CustomApiServer {
	cas := &aggv1alpha1.CustomApiServer{
		ObjectMeta: metav1.ObjectMeta{Name: "custom-apiserver", UID: types.UID("uid-1")},
		Spec: aggv1alpha1.CustomApiServerSpec{
			Replicas: 2, SecurePort: 6443,
			APIServices: []aggv1alpha1.APIServiceSpec{{Group: "metrics.example.com", Version: "v1", GroupPriorityMinimum: 1000, VersionPriority: 15}},
			Storage:     &aggv1alpha1.StorageSpec{Etcd: &aggv1alpha1.EtcdStorage{Servers: []string{"http://etcd:2379"}}},
		},
	}
	for _, m := range mutate {
		m(cas)
	}
	return cas
}

func TestNamesFor(t *testing.T) {
	n := namesFor(specCAS())
	if n.Namespace != "custom-apiserver" || n.Service != "custom-apiserver" || n.ServingSecret != "custom-apiserver-serving-cert" {
		t.Errorf("names %+v", n)
	}
	if got := namesFor(specCAS(func(c *aggv1alpha1.CustomApiServer) { c.Spec.Namespace = "team-a" })).Namespace; got != "team-a" {
		t.Errorf("spec.namespace ignored: %s", got)
	}
	want := []string{"custom-apiserver", "custom-apiserver.custom-apiserver", "custom-apiserver.custom-apiserver.svc", "custom-apiserver.custom-apiserver.svc.cluster.local"}
	if got := servingDNSNames(n); !slices.Equal(got, want) {
		t.Errorf("SANs %v, want %v", got, want)
	}
}

func TestDeploymentArgs(t *testing.T) {
	tests := []struct {
		name string
		cas  *aggv1alpha1.CustomApiServer
		want []string
	}{
		{"external etcd, tutorial flags", specCAS(), []string{"--secure-port=6443", "--cert-dir=/var/run/serving-cert", "--etcd-servers=http://etcd:2379"}},
		{"several etcd servers joined", specCAS(func(c *aggv1alpha1.CustomApiServer) {
			c.Spec.Storage.Etcd.Servers = []string{"https://a:2379", "https://b:2379"}
		}), []string{"--secure-port=6443", "--cert-dir=/var/run/serving-cert", "--etcd-servers=https://a:2379,https://b:2379"}},
		{"embedded storage", specCAS(func(c *aggv1alpha1.CustomApiServer) {
			c.Spec.Replicas, c.Spec.Storage = 1, &aggv1alpha1.StorageSpec{Embedded: &aggv1alpha1.EmbeddedStorage{}}
		}), []string{"--secure-port=6443", "--cert-dir=/var/run/serving-cert", "--data-dir=/var/lib/metricsnapshot"}},
		{"user args last, other port", specCAS(func(c *aggv1alpha1.CustomApiServer) {
			c.Spec.SecurePort, c.Spec.Args = 8443, []string{"--source=prometheus=http://prometheus:9090"}
		}), []string{"--secure-port=8443", "--cert-dir=/var/run/serving-cert", "--etcd-servers=http://etcd:2379", "--source=prometheus=http://prometheus:9090"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := deploymentArgs(tc.cas, 0); !slices.Equal(got, tc.want) {
				t.Errorf("args %v, want %v", got, tc.want)
			}
		})
	}
}

func volumeNames(vs []corev1ac.VolumeApplyConfiguration) []string {
	var out []string
	for _, v := range vs {
		out = append(out, *v.Name)
	}
	return out
}

func TestDesiredDeployment(t *testing.T) {
	tests := []struct {
		name         string
		cas          *aggv1alpha1.CustomApiServer
		antiAffinity bool
		volumes      []string
		check        func(t *testing.T, c corev1ac.ContainerApplyConfiguration, p *corev1ac.PodSpecApplyConfiguration)
	}{
		{"two replicas: spread, hardened", specCAS(), true, []string{"serving-cert", "tmp"}, nil},
		{"stateless, two replicas: no data volume", specCAS(func(c *aggv1alpha1.CustomApiServer) { c.Spec.Storage = nil }),
			true, []string{"serving-cert", "tmp"}, nil},
		{"one replica embedded: data volume, no anti-affinity", specCAS(func(c *aggv1alpha1.CustomApiServer) {
			c.Spec.Replicas, c.Spec.Storage = 1, &aggv1alpha1.StorageSpec{Embedded: &aggv1alpha1.EmbeddedStorage{}}
		}), false, []string{"serving-cert", "tmp", "data"}, nil},
		{"user anti-affinity wins", specCAS(func(c *aggv1alpha1.CustomApiServer) {
			c.Spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{}}
		}), true, []string{"serving-cert", "tmp"}, func(t *testing.T, _ corev1ac.ContainerApplyConfiguration, p *corev1ac.PodSpecApplyConfiguration) {
			if len(p.Affinity.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution) != 0 {
				t.Error("operator anti-affinity added on top of the user's")
			}
		}},
		{"pass-through pod settings", specCAS(func(c *aggv1alpha1.CustomApiServer) {
			c.Spec.Image, c.Spec.ImagePullPolicy = "registry.example.com/x:1", corev1.PullAlways
			c.Spec.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "pull"}}
			c.Spec.NodeSelector = map[string]string{"role": "infra"}
			c.Spec.Tolerations = []corev1.Toleration{{Key: "infra", Operator: corev1.TolerationOpExists}}
			c.Spec.PriorityClassName = "system-cluster-critical"
			c.Spec.Env = []corev1.EnvVar{{Name: "GOMAXPROCS", Value: "2"}}
			c.Spec.Resources = &corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m")}}
		}), true, []string{"serving-cert", "tmp"}, func(t *testing.T, c corev1ac.ContainerApplyConfiguration, p *corev1ac.PodSpecApplyConfiguration) {
			if *c.ImagePullPolicy != corev1.PullAlways || p.ImagePullSecrets[0].Name == nil || *p.ImagePullSecrets[0].Name != "pull" ||
				p.NodeSelector["role"] != "infra" || *p.Tolerations[0].Key != "infra" || *p.PriorityClassName != "system-cluster-critical" {
				t.Errorf("pod settings not passed through: %+v", p)
			}
			if len(c.Env) != 2 || *c.Env[0].Name != "POD_NAMESPACE" || *c.Env[1].Name != "GOMAXPROCS" {
				t.Errorf("env %+v", c.Env)
			}
			if q := (*c.Resources.Requests)[corev1.ResourceCPU]; q.String() != "100m" {
				t.Errorf("resources %+v", c.Resources)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := desiredDeployment(tc.cas, namesFor(tc.cas), apiserverImage(tc.cas, "default:image"), 0)
			p := d.Spec.Template.Spec
			c := p.Containers[0]
			wantImage := tc.cas.Spec.Image
			if wantImage == "" {
				wantImage = "default:image"
			}
			if *c.Image != wantImage || *d.Spec.Replicas != tc.cas.Spec.Replicas {
				t.Errorf("image %s replicas %d", *c.Image, *d.Spec.Replicas)
			}
			if *p.ServiceAccountName != tc.cas.Name {
				t.Errorf("service account %s", *p.ServiceAccountName)
			}
			sc := c.SecurityContext
			if !*sc.RunAsNonRoot || *sc.RunAsUser != 65532 || !*sc.ReadOnlyRootFilesystem || *sc.AllowPrivilegeEscalation ||
				!slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || *sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
				t.Errorf("security context %+v", sc)
			}
			if *c.Ports[0].Name != "https" || *c.Ports[0].ContainerPort != tc.cas.Spec.SecurePort {
				t.Errorf("port %+v", c.Ports[0])
			}
			if *c.LivenessProbe.HTTPGet.Path != "/livez" || *c.ReadinessProbe.HTTPGet.Path != "/readyz" ||
				*c.ReadinessProbe.HTTPGet.Scheme != corev1.URISchemeHTTPS || c.ReadinessProbe.HTTPGet.Port.StrVal != "https" {
				t.Errorf("probes")
			}
			if p := c.StartupProbe; p == nil || *p.HTTPGet.Path != "/readyz" || *p.PeriodSeconds != 1 {
				t.Errorf("no startup probe of /readyz every second (readiness every 10 s left a new pod unready ~10 s): %+v", p)
			}
			if l := c.Lifecycle; l == nil || l.PreStop == nil || l.PreStop.Sleep == nil || *l.PreStop.Sleep.Seconds != 5 {
				t.Errorf("no 5 s preStop sleep (a terminating pod must keep serving while the aggregator drops it): %+v", l)
			}
			if *c.Env[0].Name != "POD_NAMESPACE" || *c.Env[0].ValueFrom.FieldRef.FieldPath != "metadata.namespace" {
				t.Errorf("POD_NAMESPACE not from the downward API: %+v", c.Env[0])
			}
			if got := volumeNames(p.Volumes); !slices.Equal(got, tc.volumes) {
				t.Errorf("volumes %v, want %v", got, tc.volumes)
			}
			if *p.Volumes[0].Secret.SecretName != tc.cas.Name+"-serving-cert" || *c.VolumeMounts[0].MountPath != "/var/run/serving-cert" || !*c.VolumeMounts[0].ReadOnly {
				t.Errorf("serving certificate not mounted read-only at --cert-dir")
			}
			hasAnti := p.Affinity != nil && p.Affinity.PodAntiAffinity != nil
			if hasAnti != tc.antiAffinity {
				t.Errorf("pod anti-affinity %v, want %v", hasAnti, tc.antiAffinity)
			}
			if d.Spec.Template.Annotations != nil {
				t.Errorf("pod template annotations %v: nothing may roll the pods on certificate renewal", d.Spec.Template.Annotations)
			}
			if tc.check != nil {
				tc.check(t, c, p)
			}
		})
	}
}

func TestDesiredClusterRole(t *testing.T) {
	extra := rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"list"}}
	tests := []struct {
		name    string
		granted []rbacv1.PolicyRule
		rules   int
	}{
		{"rules every server needs", nil, len(baseClusterRules)},
		{"plus granted spec.rbac.rules", []rbacv1.PolicyRule{extra}, len(baseClusterRules) + 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := desiredClusterRole(specCAS(), namesFor(specCAS()), tc.granted)
			if len(r.Rules) != tc.rules {
				t.Fatalf("%d rules, want %d", len(r.Rules), tc.rules)
			}
			if !slices.Contains(r.Rules[2].Resources, "subjectaccessreviews") || !slices.Contains(r.Rules[0].Resources, "namespaces") {
				t.Errorf("tutorial rules missing: %+v", r.Rules)
			}
		})
	}
	n := namesFor(specCAS())
	if rb := desiredAuthReader(specCAS(), n); *rb.Namespace != "kube-system" || *rb.RoleRef.Name != "extension-apiserver-authentication-reader" {
		t.Errorf("auth reader %+v", rb)
	}
	if crb := desiredAuthDelegator(specCAS(), n); *crb.RoleRef.Name != "system:auth-delegator" || *crb.Subjects[0].Namespace != n.Namespace {
		t.Errorf("auth delegator %+v", crb)
	}
	role := desiredRole(specCAS(), n)
	if !slices.Contains(role.Rules[0].Resources, "leases") || !slices.Contains(role.Rules[0].Verbs, "update") {
		t.Errorf("leader-election role %+v", role.Rules)
	}
}

func TestDesiredAPIServiceAndService(t *testing.T) {
	cas := specCAS()
	n := namesFor(cas)
	a := desiredAPIService(cas, n, cas.Spec.APIServices[0], []byte("CA"))
	if *a.Name != "v1.metrics.example.com" || string(a.Spec.CABundle) != "CA" || *a.Spec.InsecureSkipTLSVerify ||
		*a.Spec.Service.Name != n.Service || *a.Spec.Service.Namespace != n.Namespace || *a.Spec.Service.Port != 443 ||
		*a.Spec.GroupPriorityMinimum != 1000 || *a.Spec.VersionPriority != 15 {
		t.Errorf("APIService %+v", a.Spec)
	}
	if ref := a.OwnerReferences[0]; *ref.UID != cas.UID || !*ref.Controller || !*ref.BlockOwnerDeletion {
		t.Errorf("owner reference %+v", ref)
	}
	if a.Labels[LabelOwner] != cas.Name {
		t.Errorf("labels %v", a.Labels)
	}
	s := desiredService(cas, n)
	if p := s.Spec.Ports[0]; *p.Port != 443 || p.TargetPort.StrVal != "https" || s.Spec.Selector[LabelOwner] != cas.Name {
		t.Errorf("service %+v", s.Spec)
	}
}

func TestSummariseAPIServices(t *testing.T) {
	tests := []struct {
		name   string
		obs    []apiServiceObservation
		ok     bool
		reason string
	}{
		{"all available", []apiServiceObservation{{Name: "a", Available: metav1.ConditionTrue, Reason: "Passed"}}, true, aggv1alpha1.ReasonPassed},
		{"mirrors the aggregator's reason", []apiServiceObservation{
			{Name: "a", Available: metav1.ConditionTrue, Reason: "Passed"},
			{Name: "b", Available: metav1.ConditionFalse, Reason: "FailedDiscoveryCheck", Message: "failing or missing response"},
		}, false, "FailedDiscoveryCheck"},
		{"conflict wins", []apiServiceObservation{
			{Name: "a", Available: metav1.ConditionFalse, Reason: "MissingEndpoints"},
			{Name: "b", Owner: "X"},
		}, false, aggv1alpha1.ReasonAPIServiceConflict},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, reason, _ := summariseAPIServices(tc.obs)
			if ok != tc.ok || reason != tc.reason {
				t.Errorf("got %v %s, want %v %s", ok, reason, tc.ok, tc.reason)
			}
		})
	}
}
