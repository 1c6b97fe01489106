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
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiregv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/controllers/certs"
	"example.com/aggregation-operator/internal/testutil"
)

// poke makes the operator reconcile now (an annotation change is an event, not a spec change).
func poke(t *testing.T, name string) {
	t.Helper()
	cas := &aggv1alpha1.CustomApiServer{}
	if err := k8s.Get(context.Background(), client.ObjectKey{Name: name}, cas); err != nil {
		t.Fatal(err)
	}
	patch := client.MergeFrom(cas.DeepCopy())
	if cas.Annotations == nil {
		cas.Annotations = map[string]string{}
	}
	cas.Annotations["test.example.com/poke"] = time.Now().String()
	if err := k8s.Patch(context.Background(), cas, patch); err != nil {
		t.Fatal(err)
	}
}

func servingSerial(t *testing.T, s *corev1.Secret) string {
	t.Helper()
	c, err := certs.ParseCerts(s.Data[corev1.TLSCertKey])
	if err != nil {
		t.Fatal(err)
	}
	return c[0].SerialNumber.String()
}

// waitReissued waits until the serving Secret at key holds a certificate other than serial prev.
func waitReissued(t *testing.T, key client.ObjectKey, serving *corev1.Secret, prev string) {
	t.Helper()
	testutil.Eventually(t, 30*time.Second, "the serving certificate re-issued", func(ctx context.Context) error {
		if err := k8s.Get(ctx, key, serving); err != nil {
			return err
		}
		if servingSerial(t, serving) == prev {
			return fmt.Errorf("serving certificate %s not re-issued yet", prev)
		}
		return nil
	})
}

// Renewal with a moved clock: the serving certificate renews when renewBefore is reached and the caBundle
// stays the same; when the CA itself is due, the bundle carries the old and the new CA. The Deployment's
// pod template never changes (the apiserver reloads the files).
func TestCertificateRenewal(t *testing.T) {
	startEnv(t)
	ctx := context.Background()
	t.Cleanup(func() { fakeClock.SetTime(time.Now()) }) // later tests start from the real time again
	cas := newCAS("renew", "renew.example.com")
	createCAS(t, cas)
	cas = reconciled(t, cas.Name)
	n := namesFor(cas)
	apiKey := client.ObjectKey{Name: "v1.renew.example.com"}
	servingKey := client.ObjectKey{Namespace: n.Namespace, Name: n.ServingSecret}
	svcName := n.Service + "." + n.Namespace + ".svc"

	api := &apiregv1.APIService{}
	serving := &corev1.Secret{}
	deploy := &appsv1.Deployment{}
	testutil.Eventually(t, 30*time.Second, "the APIService, Deployment and serving Secret", func(ctx context.Context) error {
		if err := k8s.Get(ctx, apiKey, api); err != nil {
			return err
		}
		if err := k8s.Get(ctx, client.ObjectKey{Namespace: n.Namespace, Name: n.Deployment}, deploy); err != nil {
			return err
		}
		return k8s.Get(ctx, servingKey, serving)
	})
	bundle := api.Spec.CABundle
	firstSerial := servingSerial(t, serving)
	renewal := cas.Status.Certificates.NextRenewal.Time
	if want := cas.Status.Certificates.ServingNotAfter.Add(-30 * 24 * time.Hour); !renewal.Equal(want) {
		t.Errorf("next renewal %s, want serving notAfter - renewBefore = %s", renewal, want)
	}

	// Just before renewBefore: a reconcile (a spec change, so observedGeneration tells it happened)
	// renews nothing.
	fakeClock.SetTime(renewal.Add(-time.Minute))
	patch := client.MergeFrom(cas.DeepCopy())
	cas.Spec.Args = append(cas.Spec.Args, "--v=2")
	if err := k8s.Patch(ctx, cas, patch); err != nil {
		t.Fatal(err)
	}
	reconciled(t, cas.Name)
	testutil.Eventually(t, 30*time.Second, "the Deployment args updated", func(ctx context.Context) error {
		if err := k8s.Get(ctx, client.ObjectKey{Namespace: n.Namespace, Name: n.Deployment}, deploy); err != nil {
			return err
		}
		if len(deploy.Spec.Template.Spec.Containers[0].Args) == 0 || deploy.Spec.Template.Spec.Containers[0].Args[len(deploy.Spec.Template.Spec.Containers[0].Args)-1] != "--v=2" {
			return fmt.Errorf("Deployment args not updated: %v", deploy.Spec.Template.Spec.Containers[0].Args)
		}
		return nil
	})
	templateGen := deploy.Generation
	if err := k8s.Get(ctx, servingKey, serving); err != nil {
		t.Fatal(err)
	}
	if s := servingSerial(t, serving); s != firstSerial {
		t.Fatalf("serving certificate renewed before it was due")
	}

	// renewBefore reached: a new serving certificate, same CA bundle.
	fakeClock.SetTime(renewal.Add(time.Minute))
	poke(t, cas.Name)
	waitReissued(t, servingKey, serving, firstSerial)
	if err := k8s.Get(ctx, apiKey, api); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(api.Spec.CABundle, bundle) {
		t.Errorf("caBundle changed although only the serving certificate was due")
	}
	verifyServing(t, serving.Data[corev1.TLSCertKey], api.Spec.CABundle, svcName, fakeClock.Now())
	waitEvent(t, cas.UID, corev1.EventTypeNormal, aggv1alpha1.EventServingCertificateRenewed, "renewed the serving certificate")
	testutil.Eventually(t, 30*time.Second, "status.certificates.nextRenewal moved", func(context.Context) error {
		got := reconciled(t, cas.Name)
		if !got.Status.Certificates.NextRenewal.After(renewal) {
			return fmt.Errorf("status next renewal %s not moved past %s", got.Status.Certificates.NextRenewal, renewal)
		}
		return nil
	})

	// Just before the CA is due the serving certificate is re-issued by the old CA (capped at its expiry);
	// then the CA is due: the new CA is published next to the old one, the serving certificate follows, and
	// the old CA leaves once proven unused: this Service has no endpoint at all (envtest runs no pods), so
	// no pod can serve the old chain (rotation_test.go has pods, as TLS servers on loopback).
	got := reconciled(t, cas.Name)
	caRenewal := got.Status.Certificates.CANotAfter.Add(-30 * 24 * time.Hour)
	prevSerial := servingSerial(t, serving)
	fakeClock.SetTime(caRenewal.Add(-time.Minute))
	poke(t, cas.Name)
	waitReissued(t, servingKey, serving, prevSerial)
	oldCA, err := certs.ParseCerts(bundle)
	if err != nil {
		t.Fatal(err)
	}
	fakeClock.SetTime(caRenewal.Add(time.Minute))
	poke(t, cas.Name)
	testutil.Eventually(t, 30*time.Second, "the CA renewed and the serving certificate signed by it", func(ctx context.Context) error {
		if err := k8s.Get(ctx, servingKey, serving); err != nil {
			return err
		}
		if err := k8s.Get(ctx, apiKey, api); err != nil {
			return err
		}
		cas, err := certs.ParseCerts(api.Spec.CABundle)
		if err != nil {
			return err
		}
		if cas[0].Equal(oldCA[0]) || leafOf(t, serving).CheckSignatureFrom(cas[0]) != nil {
			return fmt.Errorf("caBundle of %d CAs; serving certificate not yet signed by a new CA", len(cas))
		}
		return nil
	})
	verifyServing(t, serving.Data[corev1.TLSCertKey], api.Spec.CABundle, svcName, fakeClock.Now())
	waitEvent(t, cas.UID, corev1.EventTypeNormal, aggv1alpha1.EventCARotated, "renewed the CA")
	waitEvent(t, cas.UID, corev1.EventTypeNormal, aggv1alpha1.EventCAPruned, serialHex(oldCA[0]))

	if err := k8s.Get(ctx, client.ObjectKey{Namespace: n.Namespace, Name: n.Deployment}, deploy); err != nil {
		t.Fatal(err)
	}
	if deploy.Generation != templateGen {
		t.Errorf("Deployment changed (generation %d -> %d) on renewal; pods would restart needlessly", templateGen, deploy.Generation)
	}
}
