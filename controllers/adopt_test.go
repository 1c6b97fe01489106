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
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiregv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/internal/testutil"
)

// waitAPIServiceStatus waits until status.apiServices[0] of name satisfies ok.
func waitAPIServiceStatus(t *testing.T, name, what string, ok func(aggv1alpha1.APIServiceStatus) bool) aggv1alpha1.APIServiceStatus {
	t.Helper()
	var got aggv1alpha1.APIServiceStatus
	testutil.Eventually(t, 30*time.Second, what, func(ctx context.Context) error {
		cas := &aggv1alpha1.CustomApiServer{}
		if err := k8s.Get(ctx, client.ObjectKey{Name: name}, cas); err != nil {
			return err
		}
		if len(cas.Status.APIServices) != 1 || !ok(cas.Status.APIServices[0]) {
			return fmt.Errorf("status.apiServices %+v", cas.Status.APIServices)
		}
		got = cas.Status.APIServices[0]
		return nil
	})
	return got
}

// markAvailable reports the Deployment available, as the Deployment controller (absent from envtest) would.
func markAvailable(t *testing.T, cas *aggv1alpha1.CustomApiServer) {
	t.Helper()
	n := namesFor(cas)
	testutil.Eventually(t, 30*time.Second, "Deployment "+n.Deployment+" marked available", func(ctx context.Context) error {
		d := &appsv1.Deployment{}
		if err := k8s.Get(ctx, client.ObjectKey{Namespace: n.Namespace, Name: n.Deployment}, d); err != nil {
			return err
		}
		d.Status = appsv1.DeploymentStatus{ObservedGeneration: d.Generation, Replicas: *d.Spec.Replicas, ReadyReplicas: *d.Spec.Replicas,
			AvailableReplicas: *d.Spec.Replicas, UpdatedReplicas: *d.Spec.Replicas,
			Conditions: []appsv1.DeploymentCondition{{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue, Reason: "MinimumReplicasAvailable"}}}
		return k8s.Status().Update(ctx, d)
	})
}

// An APIService someone installed by hand is adopted only with spec.apiServices[].adopt, only once the
// apiserver's Deployment is available, with server-side apply taking its fields from the installer; an
// APIService another CustomApiServer controls is never adopted. (Without adopt it is left untouched:
// TestForeignAPIServiceIsLeftUntouched.)
func TestAdoptAPIService(t *testing.T) {
	startEnv(t)
	ctx := context.Background()
	const installer = "metrics-server-installer"
	foreign := &apiregv1.APIService{
		ObjectMeta: metav1.ObjectMeta{Name: "v1beta1.adopted.example.com", Labels: map[string]string{"k8s-app": "metrics-server"}},
		Spec: apiregv1.APIServiceSpec{
			Group: "adopted.example.com", Version: "v1beta1",
			Service:               &apiregv1.ServiceReference{Namespace: "kube-system", Name: "metrics-server", Port: ptr.To[int32](443)},
			InsecureSkipTLSVerify: true, GroupPriorityMinimum: 100, VersionPriority: 100,
		},
	}
	if err := k8s.Create(ctx, foreign, client.FieldOwner(installer)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = k8s.Delete(ctx, foreign) })
	before := foreign.DeepCopy()

	cas := newCAS("adopter", "adopted.example.com", func(c *aggv1alpha1.CustomApiServer) {
		c.Spec.Storage = nil
		c.Spec.APIServices[0].Version, c.Spec.APIServices[0].Adopt = "v1beta1", true
	})
	createCAS(t, cas)
	waitAPIServiceStatus(t, cas.Name, "AdoptionPending until the Deployment is available", func(s aggv1alpha1.APIServiceStatus) bool {
		return s.Reason == aggv1alpha1.ReasonAdoptionPending && strings.Contains(s.Message, installer)
	})
	got := &apiregv1.APIService{}
	if err := k8s.Get(ctx, client.ObjectKeyFromObject(foreign), got); err != nil {
		t.Fatal(err)
	}
	if !equality.Semantic.DeepEqual(got.Spec, before.Spec) || metav1.GetControllerOf(got) != nil {
		t.Fatalf("APIService changed before the Deployment was available: %+v", got)
	}

	markAvailable(t, cas)
	st := waitAPIServiceStatus(t, cas.Name, "adoptedFrom naming the installer", func(s aggv1alpha1.APIServiceStatus) bool {
		return strings.Contains(s.AdoptedFrom, installer)
	})
	t.Logf("status.apiServices[0]: %+v", st)
	casUID := reconciled(t, cas.Name).UID
	waitEvent(t, casUID, corev1.EventTypeNormal, aggv1alpha1.EventAPIServiceAdopted, foreign.Name, installer)
	if err := k8s.Get(ctx, client.ObjectKeyFromObject(foreign), got); err != nil {
		t.Fatal(err)
	}
	n := namesFor(cas)
	if ref := metav1.GetControllerOf(got); ref == nil || ref.UID != casUID {
		t.Errorf("adopted APIService controller %+v, want the CustomApiServer", ref)
	}
	if from := got.Annotations[aggv1alpha1.AnnotationAdoptedFrom]; !strings.Contains(from, installer) {
		t.Errorf("annotation %s = %q, want the installer", aggv1alpha1.AnnotationAdoptedFrom, from)
	}
	if s := got.Spec.Service; s.Namespace != n.Namespace || s.Name != n.Service || got.Spec.InsecureSkipTLSVerify || len(got.Spec.CABundle) == 0 {
		t.Errorf("adopted APIService spec %+v, want the CustomApiServer's Service and caBundle", got.Spec)
	}
	for _, m := range got.ManagedFields {
		if m.Manager == installer && m.FieldsV1 != nil && strings.Contains(m.FieldsV1.GetRawString(), "f:spec") {
			t.Errorf("the installer still manages spec fields after the adoption: %s", m.FieldsV1.GetRawString())
		}
	}

	// Another CustomApiServer with adopt: true does not take it from the first.
	second := newCAS("adopter-second", "adopted.example.com", func(c *aggv1alpha1.CustomApiServer) {
		c.Spec.Storage = nil
		c.Spec.APIServices[0].Version, c.Spec.APIServices[0].Adopt = "v1beta1", true
	})
	createCAS(t, second)
	waitConflict(t, second.Name, "CustomApiServer "+cas.Name)
}
