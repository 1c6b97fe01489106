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
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apiregv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"example.com/aggregation-operator/internal/testutil"
)

// Drift: a deleted child comes back, an edited field is put back, and fields of other managers stay.
func TestDriftIsRepaired(t *testing.T) {
	startEnv(t)
	ctx := context.Background()
	cas := newCAS("drift", "drift.example.com")
	createCAS(t, cas)
	cas = reconciled(t, cas.Name)
	n := namesFor(cas)
	kids := children(cas)
	waitChildren(t, kids)

	t.Run("deleted Service is recreated", func(t *testing.T) {
		svc := kids["Service"].(*corev1.Service)
		oldUID := svc.UID
		if err := k8s.Delete(ctx, svc); err != nil {
			t.Fatal(err)
		}
		testutil.Eventually(t, 30*time.Second, "the deleted Service recreated", func(ctx context.Context) error {
			got := &corev1.Service{}
			if err := k8s.Get(ctx, client.ObjectKeyFromObject(svc), got); err != nil {
				return err
			}
			if got.UID == oldUID {
				return fmt.Errorf("still the old Service")
			}
			return nil
		})
	})

	t.Run("edited Deployment is put back, foreign fields kept", func(t *testing.T) {
		d := &appsv1.Deployment{}
		key := client.ObjectKey{Namespace: n.Namespace, Name: n.Deployment}
		if err := k8s.Get(ctx, key, d); err != nil {
			t.Fatal(err)
		}
		// Someone scales it and adds a label and an annotation of their own, as kubectl edit would.
		d.Spec.Replicas = ptr.To[int32](5)
		d.Labels["team"] = "platform"
		d.Spec.Template.Annotations = map[string]string{"example.com/restartedAt": "now"}
		if err := k8s.Update(ctx, d, client.FieldOwner("kubectl-edit")); err != nil {
			t.Fatal(err)
		}
		testutil.Eventually(t, 30*time.Second, "the edited Deployment restored", func(ctx context.Context) error {
			got := &appsv1.Deployment{}
			if err := k8s.Get(ctx, key, got); err != nil {
				return err
			}
			if *got.Spec.Replicas != 2 {
				return fmt.Errorf("replicas %d, want 2 again", *got.Spec.Replicas)
			}
			if got.Labels["team"] != "platform" || got.Spec.Template.Annotations["example.com/restartedAt"] != "now" {
				return fmt.Errorf("foreign fields lost: labels %v template annotations %v", got.Labels, got.Spec.Template.Annotations)
			}
			return nil
		})
	})

	t.Run("edited caBundle is put back", func(t *testing.T) {
		api := kids["APIService v1.drift.example.com"].(*apiregv1.APIService)
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(api), api); err != nil {
			t.Fatal(err)
		}
		want := api.Spec.CABundle
		api.Spec.CABundle = []byte("-----BEGIN CERTIFICATE-----\nbm90IGEgY2E=\n-----END CERTIFICATE-----\n")
		api.Spec.InsecureSkipTLSVerify = false
		if err := k8s.Update(ctx, api, client.FieldOwner("old-controller")); err != nil {
			t.Fatal(err)
		}
		testutil.Eventually(t, 30*time.Second, "the APIService caBundle restored", func(ctx context.Context) error {
			got := &apiregv1.APIService{}
			if err := k8s.Get(ctx, client.ObjectKeyFromObject(api), got); err != nil {
				return err
			}
			if !equality.Semantic.DeepEqual(got.Spec.CABundle, want) {
				return fmt.Errorf("caBundle not restored: %q", got.Spec.CABundle)
			}
			return nil
		})
	})

	t.Run("deleted serving Secret is re-issued from the same CA", func(t *testing.T) {
		ca := &corev1.Secret{}
		if err := k8s.Get(ctx, client.ObjectKey{Namespace: n.Namespace, Name: n.CASecret}, ca); err != nil {
			t.Fatal(err)
		}
		s := &corev1.Secret{}
		s.Namespace, s.Name = n.Namespace, n.ServingSecret
		if err := k8s.Delete(ctx, s); err != nil {
			t.Fatal(err)
		}
		testutil.Eventually(t, 30*time.Second, "the deleted serving Secret recreated", func(ctx context.Context) error {
			got := &corev1.Secret{}
			if err := k8s.Get(ctx, client.ObjectKeyFromObject(s), got); err != nil {
				if apierrors.IsNotFound(err) {
					return fmt.Errorf("serving Secret not recreated yet")
				}
				return err
			}
			verifyServing(t, got.Data[corev1.TLSCertKey], ca.Data[corev1.TLSCertKey], n.Service+"."+n.Namespace+".svc", fakeClock.Now())
			return nil
		})
	})
}
