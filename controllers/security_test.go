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
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/internal/testutil"
)

// waitReady waits until Ready has the given reason and returns its message.
func waitReady(t *testing.T, name, reason string) string {
	t.Helper()
	var msg string
	testutil.Eventually(t, 30*time.Second, "Ready with the wanted reason", func(context.Context) error {
		cas := &aggv1alpha1.CustomApiServer{}
		if err := k8s.Get(context.Background(), client.ObjectKey{Name: name}, cas); err != nil {
			return err
		}
		c := meta.FindStatusCondition(cas.Status.Conditions, aggv1alpha1.ConditionReady)
		if c == nil || c.Status != metav1.ConditionFalse || c.Reason != reason {
			return fmt.Errorf("Ready = %+v, want False with reason %s", c, reason)
		}
		msg = c.Message
		return nil
	})
	return msg
}

// absent fails the test when o exists.
func absent(t *testing.T, what string, o client.Object) {
	t.Helper()
	if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(o), o); !apierrors.IsNotFound(err) {
		t.Errorf("%s %s: %v, want NotFound", what, client.ObjectKeyFromObject(o), err)
	}
}

// Rules that name what they grant, and a kube- name with a namespace of its own, are accepted.
func TestNamedRulesAreAccepted(t *testing.T) {
	startEnv(t)
	cas := newCAS("kube-public", "named.example.com", func(c *aggv1alpha1.CustomApiServer) {
		c.Spec.Namespace = "public-api"
		c.Spec.RBAC = &aggv1alpha1.RBACSpec{Rules: []aggv1alpha1.PolicyRule{
			{APIGroups: []string{"", "apps"}, Resources: []string{"configmaps", "deployments/scale"}, Verbs: []string{"get", "list", "watch"}},
			{APIGroups: []string{""}, Resources: []string{"secrets"}, ResourceNames: []string{"my-server-config"}, Verbs: []string{"get"}},
			{NonResourceURLs: []string{"/healthz", "/version"}, Verbs: []string{"get"}},
		}}
	})
	if err := k8s.Create(context.Background(), cas, client.DryRunAll); err != nil {
		t.Fatalf("refused: %v", err)
	}
}

// The operator's own namespace never holds an apiserver: nothing is created, and Ready says why.
func TestOperatorNamespaceIsRefused(t *testing.T) {
	startEnv(t)
	cas := newCAS("sneaky", "sneaky.example.com", func(c *aggv1alpha1.CustomApiServer) { c.Spec.Namespace = testOperatorNamespace })
	createCAS(t, cas)
	msg := waitReady(t, cas.Name, aggv1alpha1.ReasonNamespaceNotAllowed)
	if !strings.Contains(msg, testOperatorNamespace+" is the operator's own namespace") || !strings.Contains(msg, "set spec.namespace") {
		t.Errorf("Ready message %q does not say what is wrong and what to do", msg)
	}
	n := namesFor(cas)
	absent(t, "namespace", &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: n.Namespace}})
	absent(t, "ClusterRoleBinding", &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: n.ClusterRoleBinding}})
	absent(t, "auth-delegator binding", &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: n.AuthDelegator}})
}

// A ServiceAccount of the apiserver's name that is someone else's gets no rules and runs no pods: otherwise a
// CustomApiServer in that namespace would act as it, with an image of its author's choosing.
func TestForeignServiceAccountIsNeverUsed(t *testing.T) {
	startEnv(t)
	ctx := context.Background()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "victim"}}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: ns.Name, Name: "powerful"}}
	for _, o := range []client.Object{ns, sa} {
		if err := k8s.Create(ctx, o); err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatal(err)
		}
	}
	cas := newCAS("powerful", "powerful.example.com", func(c *aggv1alpha1.CustomApiServer) { c.Spec.Namespace = ns.Name })
	createCAS(t, cas)
	msg := waitReady(t, cas.Name, aggv1alpha1.ReasonOwnershipConflict)
	if !strings.Contains(msg, "ServiceAccount victim/powerful") {
		t.Errorf("Ready message %q does not name the ServiceAccount", msg)
	}
	n := namesFor(cas)
	absent(t, "ClusterRoleBinding", &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: n.ClusterRoleBinding}})
	absent(t, "auth-delegator binding", &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: n.AuthDelegator}})
	absent(t, "auth-reader binding", &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: n.AuthReader}})
	absent(t, "RoleBinding", &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: ns.Name, Name: n.Role}})
	absent(t, "Deployment", &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: ns.Name, Name: n.Deployment}})
}

// A namespace the operator creates enforces Pod Security "restricted", and the apiserver's pods meet it:
// envtest's kube-apiserver runs the PodSecurity admission plugin, so a pod from the Deployment's template
// is admitted and a pod that asks for more is not.
func TestCreatedNamespaceEnforcesRestricted(t *testing.T) {
	startEnv(t)
	ctx := context.Background()
	cas := newCAS("restricted", "restricted.example.com", func(c *aggv1alpha1.CustomApiServer) {
		c.Spec.Storage = &aggv1alpha1.StorageSpec{Embedded: &aggv1alpha1.EmbeddedStorage{}}
		c.Spec.Replicas = 1
	})
	createCAS(t, cas)
	n := namesFor(cas)
	ns, d := &corev1.Namespace{}, &appsv1.Deployment{}
	testutil.Eventually(t, 30*time.Second, "the namespace labelled for PodSecurity restricted", func(context.Context) error {
		if err := k8s.Get(ctx, client.ObjectKey{Name: n.Namespace}, ns); err != nil {
			return err
		}
		return k8s.Get(ctx, client.ObjectKey{Namespace: n.Namespace, Name: n.Deployment}, d)
	})
	if got := ns.Labels["pod-security.kubernetes.io/enforce"]; got != "restricted" {
		t.Fatalf("namespace %s labels %v: want pod-security.kubernetes.io/enforce=restricted", ns.Name, ns.Labels)
	}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: n.Namespace, Name: "from-template"}, Spec: *d.Spec.Template.Spec.DeepCopy()}
	if err := k8s.Create(ctx, pod, client.DryRunAll); err != nil {
		t.Errorf("a pod from the apiserver Deployment's template is refused: %v", err)
	}
	pod.Spec.Containers[0].SecurityContext.AllowPrivilegeEscalation = nil
	pod.Spec.Containers[0].SecurityContext.Capabilities = nil
	err := k8s.Create(ctx, pod, client.DryRunAll)
	if err == nil || !strings.Contains(err.Error(), `violates PodSecurity "restricted`) {
		t.Errorf("a pod without allowPrivilegeEscalation=false and dropped capabilities: %v, want a PodSecurity refusal", err)
	}
}
