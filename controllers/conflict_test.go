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

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiregv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/internal/testutil"
)

// waitConflict waits for APIServicesAvailable=False/APIServiceConflict with a message containing owner.
func waitConflict(t *testing.T, name, owner string) {
	t.Helper()
	testutil.Eventually(t, 30*time.Second, "APIServicesAvailable=False/"+aggv1alpha1.ReasonAPIServiceConflict+" naming "+owner, func(context.Context) error {
		cas := reconciled(t, name)
		c := meta.FindStatusCondition(cas.Status.Conditions, aggv1alpha1.ConditionAPIServicesAvailable)
		if c == nil || c.Status != metav1.ConditionFalse || c.Reason != aggv1alpha1.ReasonAPIServiceConflict || !strings.Contains(c.Message, owner) {
			return fmt.Errorf("APIServicesAvailable %+v, want APIServiceConflict naming %q", c, owner)
		}
		if r := meta.FindStatusCondition(cas.Status.Conditions, aggv1alpha1.ConditionReady); r == nil || r.Status != metav1.ConditionFalse {
			return fmt.Errorf("Ready %+v, want False", r)
		}
		return nil
	})
}

// metrics-server's APIService is never taken over, and status says who owns it.
func TestForeignAPIServiceIsLeftUntouched(t *testing.T) {
	startEnv(t)
	ctx := context.Background()
	foreign := &apiregv1.APIService{
		ObjectMeta: metav1.ObjectMeta{Name: "v1beta1.metrics.k8s.io", Labels: map[string]string{"k8s-app": "metrics-server"}},
		Spec: apiregv1.APIServiceSpec{
			Group: "metrics.k8s.io", Version: "v1beta1",
			Service:               &apiregv1.ServiceReference{Namespace: "kube-system", Name: "metrics-server", Port: ptr.To[int32](443)},
			InsecureSkipTLSVerify: true, GroupPriorityMinimum: 100, VersionPriority: 100,
		},
	}
	if err := k8s.Create(ctx, foreign, client.FieldOwner("metrics-server-installer")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = k8s.Delete(ctx, foreign) })
	before := foreign.DeepCopy()

	cas := newCAS("metrics-clash", "metrics.k8s.io", func(c *aggv1alpha1.CustomApiServer) {
		c.Spec.APIServices[0].Version = "v1beta1"
	})
	createCAS(t, cas)
	waitConflict(t, cas.Name, "metrics-server-installer")
	waitEvent(t, reconciled(t, cas.Name).UID, corev1.EventTypeWarning, aggv1alpha1.EventAPIServiceConflict, "v1beta1.metrics.k8s.io", "metrics-server-installer")

	got := &apiregv1.APIService{}
	if err := k8s.Get(ctx, client.ObjectKeyFromObject(foreign), got); err != nil {
		t.Fatal(err)
	}
	// (The aggregator writes its status, so resourceVersion moves; spec and metadata must not.)
	if !equality.Semantic.DeepEqual(got.Spec, before.Spec) || len(got.OwnerReferences) != 0 ||
		!equality.Semantic.DeepEqual(got.Labels, before.Labels) || len(got.Annotations) != 0 {
		t.Errorf("foreign APIService was modified: %+v", got)
	}
	for _, m := range got.ManagedFields {
		if m.Manager == FieldManager {
			t.Errorf("the operator wrote fields of the foreign APIService: %s", m.FieldsV1)
		}
	}
	st := reconciled(t, cas.Name).Status.APIServices
	if len(st) != 1 || st[0].Available != metav1.ConditionFalse || st[0].Reason != aggv1alpha1.ReasonAPIServiceConflict {
		t.Errorf("per-APIService status %+v", st)
	}

	// When metrics-server goes away, the CustomApiServer takes the name over without being touched.
	if err := k8s.Delete(ctx, foreign); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 30*time.Second, "the APIService recreated by "+cas.Name, func(ctx context.Context) error {
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(foreign), got); err != nil {
			return err
		}
		if ref := metav1.GetControllerOf(got); ref == nil || ref.Name != cas.Name {
			return fmt.Errorf("APIService not (re)created by the CustomApiServer: owner %+v", ref)
		}
		return nil
	})
}

// Two CustomApiServers claiming one group/version: the second is told who has it.
func TestSecondClaimOnAGroupVersionConflicts(t *testing.T) {
	startEnv(t)
	ctx := context.Background()
	first := newCAS("claim-first", "claimed.example.com")
	createCAS(t, first)
	reconciled(t, first.Name)
	api := &apiregv1.APIService{}
	testutil.Eventually(t, 30*time.Second, "APIService v1.claimed.example.com", func(ctx context.Context) error {
		return k8s.Get(ctx, client.ObjectKey{Name: "v1.claimed.example.com"}, api)
	})
	before := api.DeepCopy()

	second := newCAS("claim-second", "claimed.example.com")
	createCAS(t, second)
	waitConflict(t, second.Name, "CustomApiServer claim-first")
	waitEvent(t, reconciled(t, second.Name).UID, corev1.EventTypeWarning, aggv1alpha1.EventAPIServiceConflict, "v1.claimed.example.com", "CustomApiServer claim-first")

	if err := k8s.Get(ctx, client.ObjectKeyFromObject(api), api); err != nil {
		t.Fatal(err)
	}
	if ref := metav1.GetControllerOf(api); ref == nil || ref.Name != first.Name || !equality.Semantic.DeepEqual(api.Spec, before.Spec) {
		t.Errorf("APIService taken from its owner: owner %+v spec changed %v", ref, !equality.Semantic.DeepEqual(api.Spec, before.Spec))
	}
}
