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
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiregv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/internal/testutil"
)

// Deletion removes the APIServices before the finalizer lets anything else go. envtest runs no garbage
// collector, so the test holds the object with a second finalizer to look at the moment our finalizer is
// gone: APIServices deleted, every other child still there and owned (garbage collection removes them).
func TestDeletionRemovesAPIServicesFirst(t *testing.T) {
	startEnv(t)
	ctx := context.Background()
	const hold = "test.example.com/hold"
	cas := newCAS("teardown", "teardown.example.com", func(c *aggv1alpha1.CustomApiServer) {
		c.Finalizers = []string{hold}
		c.Spec.APIServices = append(c.Spec.APIServices, aggv1alpha1.APIServiceSpec{Group: "teardown.example.com", Version: "v2beta1"})
	})
	createCAS(t, cas)
	cas = reconciled(t, cas.Name)
	kids := children(cas)
	waitChildren(t, kids)

	if err := k8s.Delete(ctx, cas); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 30*time.Second, "the finalizer removed", func(ctx context.Context) error {
		got := &aggv1alpha1.CustomApiServer{}
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(cas), got); err != nil {
			return err
		}
		if slices.Contains(got.Finalizers, Finalizer) {
			return fmt.Errorf("finalizer %s still present", Finalizer)
		}
		return nil
	})
	waitEvent(t, cas.UID, corev1.EventTypeNormal, aggv1alpha1.EventAPIServicesRemoved, "v1.teardown.example.com", "v2beta1.teardown.example.com")
	for what, o := range kids {
		err := k8s.Get(ctx, client.ObjectKeyFromObject(o), o)
		if _, isAPI := o.(*apiregv1.APIService); isAPI {
			if !apierrors.IsNotFound(err) {
				t.Errorf("%s still exists after the finalizer was removed (err %v)", what, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v (only APIServices are deleted by the operator; the rest is garbage collection's job)", what, err)
			continue
		}
		if ref := metav1.GetControllerOf(o); ref == nil || ref.UID != cas.UID || ref.BlockOwnerDeletion == nil || !*ref.BlockOwnerDeletion {
			t.Errorf("%s would not be garbage collected: controller reference %+v", what, ref)
		}
	}

	// Letting go of the object: nothing of the CustomApiServer is left.
	got := &aggv1alpha1.CustomApiServer{}
	if err := k8s.Get(ctx, client.ObjectKeyFromObject(cas), got); err != nil {
		t.Fatal(err)
	}
	got.Finalizers = nil
	if err := k8s.Update(ctx, got); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 30*time.Second, "the CustomApiServer gone", func(ctx context.Context) error {
		err := k8s.Get(ctx, client.ObjectKeyFromObject(cas), got)
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("CustomApiServer still present: %v", err)
	})
}

// An APIService dropped from spec.apiServices is deleted; the others stay.
func TestRemovedAPIServiceIsDeleted(t *testing.T) {
	startEnv(t)
	ctx := context.Background()
	cas := newCAS("shrink", "shrink.example.com", func(c *aggv1alpha1.CustomApiServer) {
		c.Spec.APIServices = append(c.Spec.APIServices, aggv1alpha1.APIServiceSpec{Group: "shrink.example.com", Version: "v2"})
	})
	createCAS(t, cas)
	reconciled(t, cas.Name)
	testutil.Eventually(t, 30*time.Second, "APIService v2.shrink.example.com", func(ctx context.Context) error {
		return k8s.Get(ctx, client.ObjectKey{Name: "v2.shrink.example.com"}, &apiregv1.APIService{})
	})
	got := reconciled(t, cas.Name)
	patch := client.MergeFrom(got.DeepCopy())
	got.Spec.APIServices = got.Spec.APIServices[:1]
	if err := k8s.Patch(ctx, got, patch); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 30*time.Second, "APIService v2.shrink.example.com deleted, v1 kept", func(ctx context.Context) error {
		err := k8s.Get(ctx, client.ObjectKey{Name: "v2.shrink.example.com"}, &apiregv1.APIService{})
		if !apierrors.IsNotFound(err) {
			return fmt.Errorf("v2.shrink.example.com still there: %v", err)
		}
		return k8s.Get(ctx, client.ObjectKey{Name: "v1.shrink.example.com"}, &apiregv1.APIService{})
	})
	waitEvent(t, got.UID, corev1.EventTypeNormal, aggv1alpha1.EventAPIServicesRemoved, "v2.shrink.example.com", "no longer in spec.apiServices")
}
