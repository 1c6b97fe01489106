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
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiregv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/controllers/certs"
	"example.com/aggregation-operator/internal/testutil"
)

// children lists every child one CustomApiServer gets, as empty objects with their keys.
func children(cas *aggv1alpha1.CustomApiServer) map[string]client.Object {
	n := namesFor(cas)
	obj := func(o client.Object, ns, name string) client.Object { o.SetNamespace(ns); o.SetName(name); return o }
	out := map[string]client.Object{
		"Namespace":          obj(&corev1.Namespace{}, "", n.Namespace),
		"ServiceAccount":     obj(&corev1.ServiceAccount{}, n.Namespace, n.ServiceAccount),
		"ClusterRole":        obj(&rbacv1.ClusterRole{}, "", n.ClusterRole),
		"ClusterRoleBinding": obj(&rbacv1.ClusterRoleBinding{}, "", n.ClusterRoleBinding),
		"AuthDelegator":      obj(&rbacv1.ClusterRoleBinding{}, "", n.AuthDelegator),
		"AuthReader":         obj(&rbacv1.RoleBinding{}, "kube-system", n.AuthReader),
		"Role":               obj(&rbacv1.Role{}, n.Namespace, n.Role),
		"RoleBinding":        obj(&rbacv1.RoleBinding{}, n.Namespace, n.Role),
		"CASecret":           obj(&corev1.Secret{}, n.Namespace, n.CASecret),
		"ServingSecret":      obj(&corev1.Secret{}, n.Namespace, n.ServingSecret),
		"Service":            obj(&corev1.Service{}, n.Namespace, n.Service),
		"Deployment":         obj(&appsv1.Deployment{}, n.Namespace, n.Deployment),
	}
	if cas.Spec.Replicas > 1 {
		out["PodDisruptionBudget"] = obj(&policyv1.PodDisruptionBudget{}, n.Namespace, n.PDB)
	}
	for _, s := range cas.Spec.APIServices {
		out["APIService "+apiServiceName(s)] = obj(&apiregv1.APIService{}, "", apiServiceName(s))
	}
	return out
}

// waitChildren waits until every child exists, reading each into its object.
func waitChildren(t *testing.T, kids map[string]client.Object) {
	t.Helper()
	testutil.Eventually(t, 30*time.Second, "every child", func(ctx context.Context) error {
		for what, o := range kids {
			if err := k8s.Get(ctx, client.ObjectKeyFromObject(o), o); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
		}
		return nil
	})
}

func TestCreateMakesEveryChild(t *testing.T) {
	startEnv(t)
	ctx := context.Background()
	cas := newCAS("create", "create.example.com", func(c *aggv1alpha1.CustomApiServer) {
		c.Spec.Args = []string{"--source=prometheus=http://prometheus:9090"}
		c.Spec.RBAC = &aggv1alpha1.RBACSpec{Rules: []aggv1alpha1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"list"}}}}
	})
	grantRules(t, "create", rbacv1.PolicyRule(cas.Spec.RBAC.Rules[0]))
	createCAS(t, cas)
	cas = reconciled(t, cas.Name)
	if cas.Spec.Replicas != 2 || cas.Spec.SecurePort != 6443 || cas.Spec.APIServices[0].GroupPriorityMinimum != 1000 ||
		cas.Spec.APIServices[0].VersionPriority != 15 || cas.Spec.Certificates.Duration.Duration != 365*24*time.Hour {
		t.Errorf("CRD defaults not applied: %+v", cas.Spec)
	}
	n := namesFor(cas)

	kids := children(cas)
	waitChildren(t, kids)
	for what, o := range kids {
		ref := metav1.GetControllerOf(o)
		if ref == nil || ref.UID != cas.UID || ref.Kind != "CustomApiServer" {
			t.Errorf("%s has controller reference %+v, want the CustomApiServer", what, ref)
		}
		if o.GetLabels()[LabelOwner] != cas.Name {
			t.Errorf("%s labels %v lack %s=%s", what, o.GetLabels(), LabelOwner, cas.Name)
		}
		// Nothing of the operator's bookkeeping shows up in users' and GitOps tools' diffs.
		if len(o.GetAnnotations()) != 0 {
			t.Errorf("%s has annotations %v, want none", what, o.GetAnnotations())
		}
	}

	role := kids["ClusterRole"].(*rbacv1.ClusterRole)
	for _, want := range append(slices.Clone(baseClusterRules), rbacv1.PolicyRule(cas.Spec.RBAC.Rules[0])) {
		if !slices.ContainsFunc(role.Rules, func(r rbacv1.PolicyRule) bool { return fmt.Sprint(r) == fmt.Sprint(want) }) {
			t.Errorf("ClusterRole lacks rule %v; has %v", want, role.Rules)
		}
	}
	if crb := kids["AuthDelegator"].(*rbacv1.ClusterRoleBinding); crb.RoleRef.Name != "system:auth-delegator" ||
		crb.Subjects[0].Name != n.ServiceAccount || crb.Subjects[0].Namespace != n.Namespace {
		t.Errorf("auth-delegator binding: %+v %+v", crb.RoleRef, crb.Subjects)
	}
	if rb := kids["AuthReader"].(*rbacv1.RoleBinding); rb.RoleRef.Name != "extension-apiserver-authentication-reader" {
		t.Errorf("kube-system RoleBinding refers to %q", rb.RoleRef.Name)
	}

	d := kids["Deployment"].(*appsv1.Deployment)
	c := d.Spec.Template.Spec.Containers[0]
	for _, arg := range []string{"--secure-port=6443", "--cert-dir=/var/run/serving-cert", "--etcd-servers=http://etcd:2379", "--source=prometheus=http://prometheus:9090"} {
		if !slices.Contains(c.Args, arg) {
			t.Errorf("Deployment args %v lack %s", c.Args, arg)
		}
	}
	if c.Image != testImage || *d.Spec.Replicas != 2 {
		t.Errorf("Deployment image %q replicas %d", c.Image, *d.Spec.Replicas)
	}
	sc := c.SecurityContext
	if sc == nil || !*sc.RunAsNonRoot || *sc.RunAsUser != 65532 || !*sc.ReadOnlyRootFilesystem || sc.Capabilities.Drop[0] != "ALL" ||
		sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("container security context %+v", sc)
	}
	if c.LivenessProbe.HTTPGet.Path != "/livez" || c.ReadinessProbe.HTTPGet.Path != "/readyz" ||
		c.ReadinessProbe.HTTPGet.Scheme != corev1.URISchemeHTTPS || c.ReadinessProbe.HTTPGet.Port.StrVal != "https" {
		t.Errorf("probes %+v %+v", c.LivenessProbe.HTTPGet, c.ReadinessProbe.HTTPGet)
	}
	if d.Spec.Template.Spec.Affinity == nil || d.Spec.Template.Spec.Affinity.PodAntiAffinity == nil {
		t.Errorf("replicas 2 without pod anti-affinity")
	}

	svc := kids["Service"].(*corev1.Service)
	if p := svc.Spec.Ports[0]; p.Port != 443 || p.TargetPort.StrVal != "https" {
		t.Errorf("Service port %+v", p)
	}

	api := kids["APIService v1.create.example.com"].(*apiregv1.APIService)
	if api.Spec.InsecureSkipTLSVerify || api.Spec.Service.Name != n.Service || api.Spec.Service.Namespace != n.Namespace ||
		*api.Spec.Service.Port != 443 || api.Spec.GroupPriorityMinimum != 1000 || api.Spec.VersionPriority != 15 {
		t.Errorf("APIService spec %+v", api.Spec)
	}
	// What the aggregator does: trust caBundle, dial <svc>.<ns>.svc.
	serving := kids["ServingSecret"].(*corev1.Secret)
	verifyServing(t, serving.Data[corev1.TLSCertKey], api.Spec.CABundle, n.Service+"."+n.Namespace+".svc", time.Now())

	// Status mirrors the aggregator's verdict on the APIService (no pods run here, so it is not Available).
	var avail *apiregv1.APIServiceCondition
	testutil.Eventually(t, 60*time.Second, "the aggregator's verdict in status", func(context.Context) error {
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(api), api); err != nil {
			return err
		}
		avail = nil
		for i := range api.Status.Conditions {
			if api.Status.Conditions[i].Type == apiregv1.Available {
				avail = &api.Status.Conditions[i]
			}
		}
		if avail == nil {
			return fmt.Errorf("aggregator has not checked the APIService yet")
		}
		got := reconciled(t, cas.Name)
		cond := meta.FindStatusCondition(got.Status.Conditions, aggv1alpha1.ConditionAPIServicesAvailable)
		if cond == nil || cond.Reason != avail.Reason || !strings.Contains(cond.Message, avail.Message) {
			return fmt.Errorf("condition %+v does not mirror APIService Available %+v", cond, avail)
		}
		if len(got.Status.APIServices) != 1 || got.Status.APIServices[0].Reason != avail.Reason || got.Status.APIServicesSummary != "0/1" {
			return fmt.Errorf("per-APIService status %+v summary %q", got.Status.APIServices, got.Status.APIServicesSummary)
		}
		ready := meta.FindStatusCondition(got.Status.Conditions, aggv1alpha1.ConditionReady)
		if ready == nil || ready.Status != metav1.ConditionFalse {
			return fmt.Errorf("Ready %+v, want False while nothing runs", ready)
		}
		if c := meta.FindStatusCondition(got.Status.Conditions, aggv1alpha1.ConditionCertificatesReady); c == nil || c.Status != metav1.ConditionTrue {
			return fmt.Errorf("CertificatesReady %+v", c)
		}
		if c := meta.FindStatusCondition(got.Status.Conditions, aggv1alpha1.ConditionDeploymentAvailable); c == nil || c.Status != metav1.ConditionFalse {
			return fmt.Errorf("DeploymentAvailable %+v, want False without pods", c)
		}
		if got.Status.Replicas != "0/2" || got.Status.Namespace != n.Namespace {
			return fmt.Errorf("status replicas %q namespace %q", got.Status.Replicas, got.Status.Namespace)
		}
		return nil
	})

	// Events tell the same story to `kubectl describe`: the certificates were issued, the aggregator's
	// reason for not serving the API.
	waitEvent(t, cas.UID, corev1.EventTypeNormal, aggv1alpha1.EventCertificateIssued, "serving certificate for "+n.Service+"."+n.Namespace+".svc")
	waitEvent(t, cas.UID, corev1.EventTypeWarning, aggv1alpha1.EventAPIServiceUnavailable, "v1.create.example.com", avail.Reason)
}

// verifyServing checks what a client trusting bundle sees when it dials serverName.
func verifyServing(t *testing.T, certPEM, bundle []byte, serverName string, at time.Time) {
	t.Helper()
	leaf, err := certs.ParseCerts(certPEM)
	if err != nil {
		t.Fatalf("serving certificate: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(bundle) {
		t.Fatalf("caBundle holds no certificate")
	}
	if _, err := leaf[0].Verify(x509.VerifyOptions{DNSName: serverName, Roots: pool, CurrentTime: at}); err != nil {
		t.Errorf("serving certificate does not verify for %s against caBundle: %v", serverName, err)
	}
}
