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
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	apiregv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/internal/testutil"
)

// An existing namespace is used, not adopted; an existing Secret of the same name as ours is not
// overwritten, and Ready says why.
func TestExistingObjectsAreNotAdopted(t *testing.T) {
	startEnv(t)
	ctx := context.Background()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "platform-apis", Labels: map[string]string{"team": "platform"}}}
	if err := k8s.Create(ctx, ns); err != nil {
		t.Fatal(err)
	}
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: "platform-apis", Name: "adopt-ca"},
		Data:       map[string][]byte{"tls.crt": []byte("someone else's")},
	}
	if err := k8s.Create(ctx, secret); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = k8s.Delete(ctx, secret) })

	cas := newCAS("adopt", "adopt.example.com", func(c *aggv1alpha1.CustomApiServer) { c.Spec.Namespace = "platform-apis" })
	createCAS(t, cas)
	testutil.Eventually(t, 30*time.Second, "Ready=False saying why", func(ctx context.Context) error {
		got := &aggv1alpha1.CustomApiServer{}
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(cas), got); err != nil {
			return err
		}
		ready := meta.FindStatusCondition(got.Status.Conditions, aggv1alpha1.ConditionReady)
		certs := meta.FindStatusCondition(got.Status.Conditions, aggv1alpha1.ConditionCertificatesReady)
		if ready == nil || ready.Reason != aggv1alpha1.ReasonOwnershipConflict || !strings.Contains(ready.Message, "platform-apis/adopt-ca") {
			return fmt.Errorf("Ready %+v, want OwnershipConflict naming the Secret", ready)
		}
		if certs == nil || certs.Status != metav1.ConditionFalse {
			return fmt.Errorf("CertificatesReady %+v, want False", certs)
		}
		return nil
	})
	if err := k8s.Get(ctx, client.ObjectKeyFromObject(secret), secret); err != nil {
		t.Fatal(err)
	}
	if string(secret.Data["tls.crt"]) != "someone else's" || len(secret.OwnerReferences) != 0 {
		t.Errorf("foreign Secret modified: %+v", secret)
	}
	if err := k8s.Get(ctx, client.ObjectKeyFromObject(ns), ns); err != nil {
		t.Fatal(err)
	}
	if len(ns.OwnerReferences) != 0 || ns.Labels[LabelOwner] != "" {
		t.Errorf("existing namespace adopted: %+v", ns.ObjectMeta)
	}
	// Without certificates there is no Deployment (its pods could not start) and no APIService (it would
	// point the aggregator at a server it cannot trust).
	if err := k8s.Get(ctx, client.ObjectKey{Name: "v1.adopt.example.com"}, &apiregv1.APIService{}); !apierrors.IsNotFound(err) {
		t.Errorf("APIService created without certificates (get: %v)", err)
	}
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: "platform-apis", Name: "adopt"}, &appsv1.Deployment{}); !apierrors.IsNotFound(err) {
		t.Errorf("Deployment created without certificates (get: %v)", err)
	}
}

// Scaling to one replica removes the PodDisruptionBudget; scaling up brings it back.
func TestPDBFollowsReplicas(t *testing.T) {
	startEnv(t)
	ctx := context.Background()
	cas := newCAS("scale", "scale.example.com")
	createCAS(t, cas)
	cas = reconciled(t, cas.Name)
	n := namesFor(cas)
	key := client.ObjectKey{Namespace: n.Namespace, Name: n.PDB}
	testutil.Eventually(t, 30*time.Second, "PodDisruptionBudget "+key.Name, func(ctx context.Context) error { return k8s.Get(ctx, key, &policyv1.PodDisruptionBudget{}) })

	patch := client.MergeFrom(cas.DeepCopy())
	cas.Spec.Replicas = 1
	if err := k8s.Patch(ctx, cas, patch); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 30*time.Second, "PodDisruptionBudget "+key.Name+" deleted at replicas 1", func(ctx context.Context) error {
		err := k8s.Get(ctx, key, &policyv1.PodDisruptionBudget{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("PodDisruptionBudget still there with replicas 1 (%v)", err)
	})
}

func TestPreflightSeesAggregationLayer(t *testing.T) {
	startEnv(t)
	if err := CheckAggregationServed(testCfg); err != nil {
		t.Errorf("envtest serves apiregistration.k8s.io/v1: %v", err)
	}
	// A port nobody listens on (picked free, then closed): the operator refuses to start, saying why.
	addr := fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t))
	err := CheckAggregationServed(&rest.Config{Host: "http://" + addr, Timeout: 5 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "apiregistration.k8s.io/v1") {
		t.Errorf("unreachable cluster: %v, want an error naming apiregistration.k8s.io/v1", err)
	}
}
