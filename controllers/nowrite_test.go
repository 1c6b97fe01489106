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
	"net/http"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/internal/testutil"
)

// A reconcile of an unchanged CustomApiServer whose children are in place issues no write: no apply, no
// status patch. The reconciler here talks through a transport that records every non-GET request.
func TestUnchangedReconcileWritesNothing(t *testing.T) {
	startEnv(t)
	t.Run("defaults", func(t *testing.T) { testNoWrite(t, newCAS("quiet", "quiet.example.com")) })
	// Every optional field set: server-side defaulting inside them must not look like drift.
	t.Run("every option", func(t *testing.T) {
		grantRules(t, "quiet-full", rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list"}})
		testNoWrite(t, newCAS("quiet-full", "quiet-full.example.com", func(c *aggv1alpha1.CustomApiServer) {
			c.Spec.Namespace = "quiet-full-ns"
			c.Spec.Image, c.Spec.ImagePullPolicy = "registry.example.com/apiserver:1", corev1.PullIfNotPresent
			c.Spec.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "pull"}}
			c.Spec.Replicas, c.Spec.SecurePort = 3, 8443
			c.Spec.Args = []string{"--source=prometheus=http://prometheus:9090", "--v=2"}
			c.Spec.Env = []corev1.EnvVar{{Name: "GOMAXPROCS", Value: "2"}, {Name: "NODE", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "spec.nodeName"}}}}
			c.Spec.Resources = &corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("0.1"), corev1.ResourceMemory: resource.MustParse("128Mi")},
				Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("1Gi")},
			}
			c.Spec.NodeSelector = map[string]string{"kubernetes.io/os": "linux"}
			c.Spec.Tolerations = []corev1.Toleration{{Key: "node-role.kubernetes.io/control-plane", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}}
			c.Spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
				NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "kubernetes.io/arch", Operator: corev1.NodeSelectorOpIn, Values: []string{"amd64", "arm64"}}}}},
			}}}
			c.Spec.PriorityClassName = "system-cluster-critical"
			c.Spec.RBAC = &aggv1alpha1.RBACSpec{Rules: []aggv1alpha1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list"}}}}
			c.Spec.APIServices = append(c.Spec.APIServices, aggv1alpha1.APIServiceSpec{Group: "quiet-full.example.com", Version: "v2beta1", GroupPriorityMinimum: 2000, VersionPriority: 20})
		}))
	})
}

func testNoWrite(t *testing.T, cas *aggv1alpha1.CustomApiServer) {
	ctx := context.Background()
	counter := &countingTransport{}
	cfg := rest.CopyConfig(testCfg)
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper { counter.next = rt; return counter }
	c, err := client.New(cfg, client.Options{Scheme: testScheme})
	if err != nil {
		t.Fatal(err)
	}
	events := &eventSpy{}
	r := &Reconciler{Client: c, APIReader: c, Clock: fakeClock, DefaultImage: testImage, Recorder: events}

	createCAS(t, cas)
	req := reconcile.Request{NamespacedName: types.NamespacedName{Name: cas.Name}}
	if _, err := r.Reconcile(ctx, req); err != nil {
		t.Fatal(err)
	}
	if w := counter.reset(); len(w) == 0 {
		t.Fatal("the first reconcile wrote nothing: the counter does not see writes")
	}
	// Let the aggregator report on the APIService and the status follow, so the state is settled.
	testutil.Eventually(t, 60*time.Second, "the aggregator's verdict in status", func(context.Context) error {
		got := reconciled(t, cas.Name)
		cond := meta.FindStatusCondition(got.Status.Conditions, aggv1alpha1.ConditionAPIServicesAvailable)
		if cond == nil || cond.Reason == aggv1alpha1.ReasonAvailabilityUnknown {
			return fmt.Errorf("aggregator has not reported yet: %+v", cond)
		}
		return nil
	})
	if _, err := r.Reconcile(ctx, req); err != nil {
		t.Fatal(err)
	}
	counter.reset()
	events.reset()

	res, err := r.Reconcile(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if w := counter.reset(); len(w) != 0 {
		t.Errorf("reconcile of an unchanged object wrote %d times: %v", len(w), w)
	}
	// Events are writes too; a recorder sends them on its own connection, which the counter does not see.
	if e := events.reset(); len(e) != 0 {
		t.Errorf("reconcile of an unchanged object emitted events %v", e)
	}
	if got := reconciled(t, cas.Name); meta.FindStatusCondition(got.Status.Conditions, aggv1alpha1.ConditionCertificatesReady).Status != metav1.ConditionTrue {
		t.Errorf("not fully reconciled: %+v", got.Status.Conditions)
	}
	if res.RequeueAfter < 300*24*time.Hour {
		t.Errorf("requeue after %s, want the next certificate renewal (about 11 months away)", res.RequeueAfter)
	}
}
