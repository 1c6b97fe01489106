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
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiregv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/controllers/certs"
	"example.com/aggregation-operator/internal/testutil"
)

// rotationBed is one CustomApiServer whose Service has two ready endpoints, each a real TLS server on a
// loopback port serving the key pair of the serving Secret, as the apiserver pods would.
type rotationBed struct {
	cas       *aggv1alpha1.CustomApiServer
	n         names
	apiKey    client.ObjectKey
	endpoints []*tlsEndpoint
	// endpointsSecret is the serving Secret the endpoints serve (until changeCA switches them).
	endpointsSecret *corev1.Secret
}

func newRotationBed(t *testing.T, name string) *rotationBed {
	t.Helper()
	startEnv(t)
	ctx := context.Background()
	cas := newCAS(name, name+".example.com")
	createCAS(t, cas)
	cas = reconciled(t, name)
	b := &rotationBed{cas: cas, n: namesFor(cas), apiKey: client.ObjectKey{Name: "v1." + name + ".example.com"}}
	serving := b.servingSecret(t)
	b.endpointsSecret = serving
	slice := &discoveryv1.EndpointSlice{
		ObjectMeta:  metav1.ObjectMeta{Name: b.n.Service + "-pods", Namespace: b.n.Namespace, Labels: map[string]string{discoveryv1.LabelServiceName: b.n.Service}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Ports:       []discoveryv1.EndpointPort{{Name: ptr.To(portName), Port: ptr.To[int32](6443)}},
	}
	for i := range 2 {
		ep := startTLSEndpoint(t, serving)
		b.endpoints = append(b.endpoints, ep)
		ip := fmt.Sprintf("10.250.%d.%d", len(name), i+1)
		loopback.route(t, ip+":6443", ep.addr())
		slice.Endpoints = append(slice.Endpoints, discoveryv1.Endpoint{Addresses: []string{ip}, Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(true)}})
	}
	// An endpoint that is not ready is not dialled: it takes no traffic, and its route is missing on purpose.
	slice.Endpoints = append(slice.Endpoints, discoveryv1.Endpoint{Addresses: []string{"10.250.0.99"}, Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(false)}})
	if err := k8s.Create(ctx, slice); err != nil {
		t.Fatalf("creating EndpointSlice: %v", err)
	}
	return b
}

func (b *rotationBed) servingSecret(t *testing.T) *corev1.Secret {
	t.Helper()
	s := &corev1.Secret{}
	testutil.Eventually(t, 30*time.Second, "the serving Secret", func(ctx context.Context) error {
		return k8s.Get(ctx, client.ObjectKey{Namespace: b.n.Namespace, Name: b.n.ServingSecret}, s)
	})
	return s
}

func (b *rotationBed) bundle(ctx context.Context) ([]*x509.Certificate, error) {
	api := &apiregv1.APIService{}
	if err := k8s.Get(ctx, b.apiKey, api); err != nil {
		return nil, err
	}
	return certs.ParseCerts(api.Spec.CABundle)
}

func leafOf(t *testing.T, s *corev1.Secret) *x509.Certificate {
	t.Helper()
	c, err := certs.ParseCerts(s.Data[corev1.TLSCertKey])
	if err != nil {
		t.Fatal(err)
	}
	return c[0]
}

func issuerIn(leaf *x509.Certificate, cas []*x509.Certificate) *x509.Certificate {
	for _, c := range cas {
		if leaf.CheckSignatureFrom(c) == nil {
			return c
		}
	}
	return nil
}

// changeCA runs one change of CA against the bed and checks the whole story: the new CA is trusted before
// it is used (at every look, the serving Secret's certificate is signed by a CA the APIService trusts), the
// old CA stays while any endpoint serves its chain, and leaves once both endpoints serve the new one.
// It returns the new CA.
func (b *rotationBed) changeCA(t *testing.T, change func(ctx context.Context)) *x509.Certificate {
	t.Helper()
	ctx := context.Background()
	before, err := b.bundle(ctx)
	if err != nil || len(before) != 1 {
		t.Fatalf("caBundle before the change: %d CAs, %v; want 1", len(before), err)
	}
	oldCA := before[0]
	change(ctx)

	var serving *corev1.Secret
	var newCA *x509.Certificate
	testutil.Eventually(t, 30*time.Second, "a serving certificate of a new CA, with old and new CA in the caBundle", func(ctx context.Context) error {
		s := &corev1.Secret{}
		if err := k8s.Get(ctx, client.ObjectKey{Namespace: b.n.Namespace, Name: b.n.ServingSecret}, s); err != nil {
			return err
		}
		bundle, err := b.bundle(ctx) // read after the Secret: what it holds must already be trusted
		if err != nil {
			return err
		}
		issuer := issuerIn(leafOf(t, s), bundle)
		if issuer == nil {
			t.Fatalf("trust before use broken: the serving certificate's CA is not in the caBundle (%d CAs)", len(bundle))
		}
		if issuer.Equal(oldCA) {
			return fmt.Errorf("serving certificate still signed by the old CA (caBundle %d CAs)", len(bundle))
		}
		if issuerIn(leafOf(t, b.endpointsSecret), bundle) == nil {
			t.Fatalf("the chain the endpoints still serve is no longer trusted")
		}
		if len(bundle) != 2 || !bundle[1].Equal(oldCA) {
			return fmt.Errorf("caBundle holds %d CAs, want the new then the old", len(bundle))
		}
		serving, newCA = s, issuer
		return nil
	})

	// The endpoints still serve the old chain: the old CA stays, however often the operator looks.
	b.waitProof(t, "0/2", 2)
	b.endpoints[0].serve(t, serving)
	b.waitProof(t, "1/2", 2)
	b.endpoints[1].serve(t, serving)
	testutil.Eventually(t, 30*time.Second, "the old CA pruned", func(ctx context.Context) error {
		bundle, err := b.bundle(ctx)
		if err != nil {
			return err
		}
		if len(bundle) != 1 || !bundle[0].Equal(newCA) {
			return fmt.Errorf("caBundle holds %d CAs, want only the new one", len(bundle))
		}
		return nil
	})
	waitEvent(t, b.cas.UID, corev1.EventTypeNormal, aggv1alpha1.EventCAPruned, serialHex(oldCA), "every ready endpoint serves")
	b.endpointsSecret = serving
	return newCA
}

// waitProof waits until status says proven endpoints and the caBundle has cas entries (the old ones
// PendingProof), and checks the APIService agrees.
func (b *rotationBed) waitProof(t *testing.T, proven string, cas int) {
	t.Helper()
	testutil.Eventually(t, 30*time.Second, "status: "+proven+" endpoints on the current CA", func(ctx context.Context) error {
		got := &aggv1alpha1.CustomApiServer{}
		if err := k8s.Get(ctx, client.ObjectKey{Name: b.cas.Name}, got); err != nil {
			return err
		}
		st := got.Status.Certificates
		if st == nil || st.EndpointsOnCurrentCA != proven || len(st.CABundle) != cas {
			return fmt.Errorf("status.certificates %+v", st)
		}
		if st.CABundle[0].Reason != certs.KeptCurrent || st.CABundle[1].Reason != certs.KeptPendingProof {
			return fmt.Errorf("reasons %s, %s", st.CABundle[0].Reason, st.CABundle[1].Reason)
		}
		c := meta.FindStatusCondition(got.Status.Conditions, aggv1alpha1.ConditionCertificatesReady)
		if c == nil || c.Reason != aggv1alpha1.ReasonAwaitingProof {
			return fmt.Errorf("CertificatesReady %+v", c)
		}
		return nil
	})
	bundle, err := b.bundle(context.Background())
	if err != nil || len(bundle) != cas {
		t.Fatalf("caBundle: %d CAs (%v), want %d while endpoints serve the old chain", len(bundle), err, cas)
	}
}

// The acceptance test of issue 8: deleting the CA Secret (a GitOps prune, a mistake) makes a new CA, but the
// old CA stays in the caBundle until every endpoint serves the new chain, so no request through the
// aggregator fails meanwhile.
func TestCASecretDeletedKeepsOldCAUntilEndpointsServeNewChain(t *testing.T) {
	b := newRotationBed(t, "rot-deleted")
	b.changeCA(t, func(ctx context.Context) {
		if err := k8s.Delete(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: b.n.Namespace, Name: b.n.CASecret}}); err != nil {
			t.Fatalf("deleting the CA Secret: %v", err)
		}
	})
	waitEvent(t, b.cas.UID, corev1.EventTypeNormal, aggv1alpha1.EventCARotated, "CA Secret "+b.n.CASecret+" was missing")
}

// Every other change of CA follows the same order, one after another on one CustomApiServer.
func TestEveryChangeOfCA(t *testing.T) {
	b := newRotationBed(t, "rot-every")
	patchCAS := func(ctx context.Context, mutate func(*aggv1alpha1.CustomApiServer)) {
		got := &aggv1alpha1.CustomApiServer{}
		if err := k8s.Get(ctx, client.ObjectKey{Name: b.cas.Name}, got); err != nil {
			t.Fatal(err)
		}
		patch := client.MergeFrom(got.DeepCopy())
		mutate(got)
		if err := k8s.Patch(ctx, got, patch); err != nil {
			t.Fatalf("patching CustomApiServer: %v", err)
		}
	}

	t.Log("forced rotation: annotation " + aggv1alpha1.AnnotationRotateCA)
	b.changeCA(t, func(ctx context.Context) {
		patchCAS(ctx, func(c *aggv1alpha1.CustomApiServer) {
			metav1.SetMetaDataAnnotation(&c.ObjectMeta, aggv1alpha1.AnnotationRotateCA, "2026-11-25T22:00:00Z")
		})
	})
	waitEvent(t, b.cas.UID, corev1.EventTypeNormal, aggv1alpha1.EventCARotated, "rotated the CA ("+aggv1alpha1.AnnotationRotateCA+")")
	testutil.Eventually(t, 30*time.Second, "the rotate-ca value recorded as handled", func(context.Context) error {
		got := reconciled(t, b.cas.Name)
		if got.Status.Certificates.RotateCAHandled != "2026-11-25T22:00:00Z" {
			return fmt.Errorf("rotateCAHandled %q", got.Status.Certificates.RotateCAHandled)
		}
		return nil
	})

	t.Log("CA Secret edited: another CA put in it")
	b.changeCA(t, func(ctx context.Context) {
		ca, err := certs.NewCA("edited by hand", fakeClock.Now(), lifetimes(b.cas).CA)
		if err != nil {
			t.Fatal(err)
		}
		s := &corev1.Secret{}
		if err := k8s.Get(ctx, client.ObjectKey{Namespace: b.n.Namespace, Name: b.n.CASecret}, s); err != nil {
			t.Fatal(err)
		}
		s.Data[corev1.TLSCertKey], s.Data[corev1.TLSPrivateKeyKey] = ca.CertPEM, ca.KeyPEM
		if err := k8s.Update(ctx, s); err != nil {
			t.Fatalf("editing the CA Secret: %v", err)
		}
	})

	t.Log("caDuration changed")
	b.changeCA(t, func(ctx context.Context) {
		patchCAS(ctx, func(c *aggv1alpha1.CustomApiServer) {
			c.Spec.Certificates.CADuration = &metav1.Duration{Duration: 3 * 365 * 24 * time.Hour}
		})
	})

	t.Log("the user's CA swapped in (spec.certificates.caSecretRef)")
	userCA, err := certs.NewCA("user CA", fakeClock.Now(), 2*365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	newCA := b.changeCA(t, func(ctx context.Context) {
		if err := k8s.Create(ctx, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: b.n.Namespace, Name: "user-ca"}, Type: corev1.SecretTypeTLS,
			Data: map[string][]byte{corev1.TLSCertKey: userCA.CertPEM, corev1.TLSPrivateKeyKey: userCA.KeyPEM},
		}); err != nil {
			t.Fatalf("creating the user's CA Secret: %v", err)
		}
		patchCAS(ctx, func(c *aggv1alpha1.CustomApiServer) {
			c.Spec.Certificates.CASecretRef = &aggv1alpha1.CASecretReference{Name: "user-ca"}
		})
	})
	if !newCA.Equal(userCA.Cert) {
		t.Fatalf("after the swap the serving certificate is signed by %s, want the user's CA", newCA.Subject)
	}
	waitEvent(t, b.cas.UID, corev1.EventTypeNormal, aggv1alpha1.EventCARotated, "switched to the user's CA")
	if got := reconciled(t, b.cas.Name); got.Status.Certificates.CASource != "Secret/user-ca" {
		t.Errorf("status.certificates.caSource %q", got.Status.Certificates.CASource)
	}

	t.Log("a forced rotation of the user's CA is refused")
	patchCAS(context.Background(), func(c *aggv1alpha1.CustomApiServer) {
		metav1.SetMetaDataAnnotation(&c.ObjectMeta, aggv1alpha1.AnnotationRotateCA, "2026-11-25T22:30:00Z")
	})
	waitEvent(t, b.cas.UID, corev1.EventTypeWarning, aggv1alpha1.EventForcedRequestIgnored, "the CA is the user's")
	if bundle, err := b.bundle(context.Background()); err != nil || len(bundle) != 1 || !bundle[0].Equal(userCA.Cert) {
		t.Fatalf("caBundle after the refused rotation: %d CAs (%v), want the user's CA alone", len(bundle), err)
	}
}

// A forced renewal renews the serving certificate once per annotation value and leaves the caBundle alone.
func TestForcedServingRenewal(t *testing.T) {
	startEnv(t)
	ctx := context.Background()
	cas := newCAS("forced-renew", "forced-renew.example.com")
	createCAS(t, cas)
	cas = reconciled(t, cas.Name)
	n := namesFor(cas)
	key := client.ObjectKey{Namespace: n.Namespace, Name: n.ServingSecret}
	serving := &corev1.Secret{}
	testutil.Eventually(t, 30*time.Second, "the serving Secret", func(ctx context.Context) error { return k8s.Get(ctx, key, serving) })
	api := &apiregv1.APIService{}
	if err := k8s.Get(ctx, client.ObjectKey{Name: "v1.forced-renew.example.com"}, api); err != nil {
		t.Fatal(err)
	}
	bundle := string(api.Spec.CABundle)
	first := servingSerial(t, serving)

	annotate := func(v string) {
		patch := client.MergeFrom(cas.DeepCopy())
		metav1.SetMetaDataAnnotation(&cas.ObjectMeta, aggv1alpha1.AnnotationRenewServingCert, v)
		if err := k8s.Patch(ctx, cas, patch); err != nil {
			t.Fatal(err)
		}
	}
	annotate("2026-11-25T21:00:00Z")
	waitReissued(t, key, serving, first)
	second := servingSerial(t, serving)
	testutil.Eventually(t, 30*time.Second, "the renew value recorded as handled", func(ctx context.Context) error {
		if err := k8s.Get(ctx, client.ObjectKey{Name: cas.Name}, cas); err != nil {
			return err
		}
		if cas.Status.Certificates == nil || cas.Status.Certificates.RenewServingCertHandled != "2026-11-25T21:00:00Z" {
			return fmt.Errorf("status.certificates %+v", cas.Status.Certificates)
		}
		return nil
	})
	waitEvent(t, cas.UID, corev1.EventTypeNormal, aggv1alpha1.EventServingCertificateRenewed, "now valid until")

	// The same value again, with a reconcile in between: nothing more.
	poke(t, cas.Name)
	testutil.Eventually(t, 30*time.Second, "a reconcile after the poke", func(ctx context.Context) error {
		got := &aggv1alpha1.CustomApiServer{}
		if err := k8s.Get(ctx, client.ObjectKey{Name: cas.Name}, got); err != nil {
			return err
		}
		if got.Status.ObservedGeneration != got.Generation {
			return fmt.Errorf("not reconciled")
		}
		return nil
	})
	if err := k8s.Get(ctx, key, serving); err != nil {
		t.Fatal(err)
	}
	if servingSerial(t, serving) != second {
		t.Errorf("renewed again for the same annotation value")
	}
	if err := k8s.Get(ctx, client.ObjectKey{Name: "v1.forced-renew.example.com"}, api); err != nil {
		t.Fatal(err)
	}
	if string(api.Spec.CABundle) != bundle {
		t.Errorf("caBundle changed on a serving renewal")
	}
	// A new value renews again.
	annotate("2026-11-25T21:05:00Z")
	waitReissued(t, key, serving, second)
}

// A user's "CA" that is not a CA is refused with a condition that says so, and nothing is changed.
func TestUserCANotACARefused(t *testing.T) {
	startEnv(t)
	ctx := context.Background()
	cas := newCAS("user-notca", "user-notca.example.com")
	createCAS(t, cas)
	cas = reconciled(t, cas.Name)
	n := namesFor(cas)
	ca, err := certs.NewCA("real CA", fakeClock.Now(), 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := certs.NewServing(ca, []string{"not-a-ca.example.com"}, fakeClock.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := k8s.Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: n.Namespace, Name: "leaf"}, Type: corev1.SecretTypeTLS,
		Data: map[string][]byte{corev1.TLSCertKey: leaf.CertPEM, corev1.TLSPrivateKeyKey: leaf.KeyPEM},
	}); err != nil {
		t.Fatal(err)
	}
	api := &apiregv1.APIService{}
	if err := k8s.Get(ctx, client.ObjectKey{Name: "v1.user-notca.example.com"}, api); err != nil {
		t.Fatal(err)
	}
	patch := client.MergeFrom(cas.DeepCopy())
	cas.Spec.Certificates.CASecretRef = &aggv1alpha1.CASecretReference{Name: "leaf"}
	if err := k8s.Patch(ctx, cas, patch); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 30*time.Second, "CertificatesReady False, CASecretInvalid", func(context.Context) error {
		got := reconciled(t, cas.Name)
		c := meta.FindStatusCondition(got.Status.Conditions, aggv1alpha1.ConditionCertificatesReady)
		if c == nil || c.Status != metav1.ConditionFalse || c.Reason != aggv1alpha1.ReasonCASecretInvalid {
			return fmt.Errorf("CertificatesReady %+v", c)
		}
		for _, want := range []string{n.Namespace + "/leaf", "is not a CA", "basicConstraints"} {
			if !strings.Contains(c.Message, want) {
				return fmt.Errorf("message %q lacks %q", c.Message, want)
			}
		}
		return nil
	})
	after := &apiregv1.APIService{}
	if err := k8s.Get(ctx, client.ObjectKey{Name: "v1.user-notca.example.com"}, after); err != nil {
		t.Fatal(err)
	}
	if string(after.Spec.CABundle) != string(api.Spec.CABundle) {
		t.Errorf("caBundle changed although the user's CA was refused")
	}
}
