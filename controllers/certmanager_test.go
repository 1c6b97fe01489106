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
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	cmv1 "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	cmmetav1 "github.com/cert-manager/cert-manager/pkg/apis/meta/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiregv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/internal/testutil"
)

// cainjectorManager is the field manager cert-manager's cainjector writes caBundle under.
const cainjectorManager = "cert-manager-cainjector"

func certManagerMode(ref *aggv1alpha1.IssuerReference) func(*aggv1alpha1.CustomApiServer) {
	return func(c *aggv1alpha1.CustomApiServer) {
		c.Spec.Certificates.CertManager = &aggv1alpha1.CertManagerSpec{IssuerRef: ref}
	}
}

// getEventually reads obj (its key set) until it exists.
func getEventually(t *testing.T, what string, obj client.Object) {
	t.Helper()
	testutil.Eventually(t, 30*time.Second, what, func(ctx context.Context) error {
		return k8s.Get(ctx, client.ObjectKeyFromObject(obj), obj)
	})
}

func certificate(ns, name string) *cmv1.Certificate {
	return &cmv1.Certificate{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
}

func issuer(ns, name string) *cmv1.Issuer {
	return &cmv1.Issuer{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
}

// checkOwned fails unless obj is labelled and controlled by cas, like every other child.
func checkOwned(t *testing.T, what string, obj client.Object, cas *aggv1alpha1.CustomApiServer) {
	t.Helper()
	if ref := metav1.GetControllerOf(obj); ref == nil || ref.UID != cas.UID {
		t.Errorf("%s has controller %+v, want the CustomApiServer", what, ref)
	}
	if obj.GetLabels()[LabelOwner] != cas.Name {
		t.Errorf("%s labels %v lack %s=%s", what, obj.GetLabels(), LabelOwner, cas.Name)
	}
}

// Without an issuerRef the operator makes the self-signed -> CA -> serving chain, with the spec's
// lifetimes and every Service name, and points the APIService at the serving Certificate for cainjector.
// With cert-manager's work done by hand (there is no cert-manager in envtest), the status follows the
// Certificate and the Secret cert-manager writes becomes the CustomApiServer's.
func TestCertManagerChain(t *testing.T) {
	startEnv(t)
	ctx := context.Background()
	cas := newCAS("cm-chain", "cmchain.example.com", certManagerMode(nil), func(c *aggv1alpha1.CustomApiServer) {
		c.Spec.Certificates.Duration = &metav1.Duration{Duration: 2 * time.Hour}
		c.Spec.Certificates.RenewBefore = &metav1.Duration{Duration: time.Hour}
		c.Spec.Certificates.CADuration = &metav1.Duration{Duration: 4 * time.Hour}
	})
	createCAS(t, cas)
	cas = reconciled(t, cas.Name)
	n := namesFor(cas)
	cm := certManagerNames(n)

	selfSigned, caIssuer := issuer(n.Namespace, cm.SelfSignedIssuer), issuer(n.Namespace, cm.CAIssuer)
	caCert, serving := certificate(n.Namespace, cm.CACertificate), certificate(n.Namespace, cm.Serving)
	for what, o := range map[string]client.Object{"self-signed Issuer": selfSigned, "CA Issuer": caIssuer, "CA Certificate": caCert, "serving Certificate": serving} {
		getEventually(t, what, o)
		checkOwned(t, what, o, cas)
	}
	if selfSigned.Spec.SelfSigned == nil {
		t.Errorf("Issuer %s is not self-signed: %+v", selfSigned.Name, selfSigned.Spec)
	}
	if caIssuer.Spec.CA == nil || caIssuer.Spec.CA.SecretName != cm.CASecret {
		t.Errorf("Issuer %s: %+v, want a CA issuer of Secret %s", caIssuer.Name, caIssuer.Spec, cm.CASecret)
	}
	if s := caCert.Spec; !s.IsCA || s.SecretName != cm.CASecret || s.IssuerRef.Name != cm.SelfSignedIssuer || s.IssuerRef.Kind != "Issuer" ||
		s.Duration.Duration != 4*time.Hour || s.PrivateKey.RotationPolicy != cmv1.RotationPolicyNever {
		t.Errorf("CA Certificate spec %+v", s)
	}
	s := serving.Spec
	if s.IsCA || s.SecretName != n.ServingSecret || s.IssuerRef.Name != cm.CAIssuer || s.IssuerRef.Kind != "Issuer" || s.IssuerRef.Group != "cert-manager.io" {
		t.Errorf("serving Certificate: secretName %s issuerRef %+v, want Secret %s from Issuer %s", s.SecretName, s.IssuerRef, n.ServingSecret, cm.CAIssuer)
	}
	if want := servingDNSNames(n); !slices.Equal(s.DNSNames, want) {
		t.Errorf("serving Certificate dnsNames %v, want %v", s.DNSNames, want)
	}
	if s.Duration.Duration != 2*time.Hour || s.RenewBefore.Duration != time.Hour {
		t.Errorf("serving Certificate duration %v renewBefore %v, want 2h and 1h", s.Duration, s.RenewBefore)
	}
	if s.SecretTemplate == nil || s.SecretTemplate.Labels[LabelOwner] != cas.Name {
		t.Errorf("serving Certificate secretTemplate %+v lacks %s", s.SecretTemplate, LabelOwner)
	}

	// The Deployment mounts the Secret cert-manager writes; the APIService waits for cainjector.
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: n.Namespace, Name: n.Deployment}}
	getEventually(t, "Deployment", d)
	if v := d.Spec.Template.Spec.Volumes[0]; v.Secret == nil || v.Secret.SecretName != n.ServingSecret {
		t.Errorf("Deployment volume %+v, want Secret %s", v, n.ServingSecret)
	}
	svc := &apiregv1.APIService{ObjectMeta: metav1.ObjectMeta{Name: apiServiceName(cas.Spec.APIServices[0])}}
	getEventually(t, "APIService", svc)
	if got, want := svc.Annotations[annotationInjectCAFrom], n.Namespace+"/"+cm.Serving; got != want {
		t.Errorf("APIService annotation %s=%q, want %q", annotationInjectCAFrom, got, want)
	}
	if len(svc.Spec.CABundle) != 0 {
		t.Errorf("APIService has a caBundle of the operator's in cert-manager mode")
	}
	// The operator's own CA is not made in cert-manager mode.
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: n.Namespace, Name: n.CASecret}, &corev1.Secret{}); err == nil {
		t.Errorf("Secret %s (the operator's own CA) exists in cert-manager mode", n.CASecret)
	}
	cond := waitCondition(t, k8s, cas.Name, aggv1alpha1.ConditionCertificatesReady, func(c *metav1.Condition) bool {
		return c.Reason == aggv1alpha1.ReasonCertificateNotReady
	})
	if !strings.Contains(cond.Message, serving.Namespace+"/"+serving.Name) {
		t.Errorf("CertificatesReady message %q does not name the Certificate", cond.Message)
	}

	// cert-manager's part: the Secret (labelled by the secretTemplate, no owner) and the Certificate's status.
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: n.Namespace, Name: n.ServingSecret, Labels: map[string]string{LabelOwner: cas.Name}},
		Type: corev1.SecretTypeTLS, Data: map[string][]byte{corev1.TLSCertKey: []byte("x"), corev1.TLSPrivateKeyKey: []byte("y")}}
	if err := k8s.Create(ctx, secret); err != nil {
		t.Fatal(err)
	}
	notAfter := metav1.NewTime(time.Now().Add(2 * time.Hour).Truncate(time.Second))
	renewal := metav1.NewTime(notAfter.Add(-time.Hour))
	setCertificateStatus(t, k8s, serving, cmmetav1.ConditionTrue, "Ready", "Certificate is up to date and has not expired", &notAfter, &renewal)
	waitCondition(t, k8s, cas.Name, aggv1alpha1.ConditionCertificatesReady, func(c *metav1.Condition) bool { return c.Status == metav1.ConditionTrue })
	got := reconciled(t, cas.Name).Status.Certificates
	if got.ServingNotAfter == nil || !got.ServingNotAfter.Equal(&notAfter) || got.NextRenewal == nil || !got.NextRenewal.Equal(&renewal) {
		t.Errorf("status.certificates %+v, want servingNotAfter %v and nextRenewal %v from the Certificate", got, notAfter, renewal)
	}
	testutil.Eventually(t, 30*time.Second, "the serving Secret adopted", func(ctx context.Context) error {
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(secret), secret); err != nil {
			return err
		}
		if ref := metav1.GetControllerOf(secret); ref == nil || ref.UID != cas.UID {
			return fmt.Errorf("controller %+v", ref)
		}
		return nil
	})

	// A renewal failing at cert-manager shows in the CustomApiServer with cert-manager's words.
	setCertificateStatus(t, k8s, serving, cmmetav1.ConditionFalse, "Failed", "the issuer refused: e2e", &notAfter, &renewal)
	cond = waitCondition(t, k8s, cas.Name, aggv1alpha1.ConditionCertificatesReady, func(c *metav1.Condition) bool { return c.Status == metav1.ConditionFalse })
	if cond.Reason != aggv1alpha1.ReasonCertificateNotReady || !strings.Contains(cond.Message, "the issuer refused: e2e") {
		t.Errorf("CertificatesReady %s/%s %q, want CertificateNotReady with the Certificate's message", cond.Status, cond.Reason, cond.Message)
	}
}

// With an issuerRef the serving Certificate names it and the operator makes no chain.
func TestCertManagerIssuerRef(t *testing.T) {
	startEnv(t)
	ctx := context.Background()
	cas := newCAS("cm-ref", "cmref.example.com", certManagerMode(&aggv1alpha1.IssuerReference{Name: "corp-ca", Kind: "ClusterIssuer"}))
	createCAS(t, cas)
	cas = reconciled(t, cas.Name)
	n := namesFor(cas)
	cm := certManagerNames(n)
	serving := certificate(n.Namespace, cm.Serving)
	getEventually(t, "serving Certificate", serving)
	if r := serving.Spec.IssuerRef; r.Name != "corp-ca" || r.Kind != "ClusterIssuer" || r.Group != "cert-manager.io" {
		t.Errorf("serving Certificate issuerRef %+v, want ClusterIssuer corp-ca (group defaulted)", r)
	}
	for _, o := range []client.Object{issuer(n.Namespace, cm.SelfSignedIssuer), issuer(n.Namespace, cm.CAIssuer), certificate(n.Namespace, cm.CACertificate)} {
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(o), o); err == nil {
			t.Errorf("%T %s exists with an issuerRef", o, o.GetName())
		}
	}
}

// The CRD refuses an issuerRef of cert-manager's group with a kind cert-manager does not have, naming the
// field; another group (an external issuer) may use its own kind.
func TestCertManagerIssuerRefValidation(t *testing.T) {
	startEnv(t)
	ctx := context.Background()
	bad := newCAS("cm-bad", "cmbad.example.com", certManagerMode(&aggv1alpha1.IssuerReference{Name: "x", Kind: "Foo"}))
	err := k8s.Create(ctx, bad)
	if err == nil {
		_ = k8s.Delete(ctx, bad)
		t.Fatal("an issuerRef of kind Foo in group cert-manager.io was accepted")
	}
	for _, want := range []string{"spec.certificates.certManager.issuerRef.kind", "Issuer or ClusterIssuer"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	ext := newCAS("cm-ext", "cmext.example.com", certManagerMode(&aggv1alpha1.IssuerReference{Name: "x", Kind: "AWSPCAClusterIssuer", Group: "awspca.cert-manager.io"}))
	if err := k8s.Create(ctx, ext, client.DryRunAll); err != nil {
		t.Errorf("an external issuer was refused: %v", err)
	}
}

// cainjector owns the caBundle in cert-manager mode: once another field manager has set it, the
// operator's applies (after a spec change, and repairing an edit of another field) neither remove nor
// change it, and the operator never takes the field.
func TestCertManagerLeavesCABundleToCainjector(t *testing.T) {
	startEnv(t)
	ctx := context.Background()
	cas := newCAS("cm-inject", "cminject.example.com", certManagerMode(nil))
	createCAS(t, cas)
	cas = reconciled(t, cas.Name)
	svc := &apiregv1.APIService{ObjectMeta: metav1.ObjectMeta{Name: apiServiceName(cas.Spec.APIServices[0])}}
	getEventually(t, "APIService", svc)

	injected := []byte("-----BEGIN CERTIFICATE-----\ninjected by cainjector\n-----END CERTIFICATE-----\n")
	inject(t, svc, injected)

	// A spec change makes the operator apply every child again.
	updateCAS(t, cas, func(c *aggv1alpha1.CustomApiServer) { c.Spec.Args = []string{"--v=2"} })
	// An edit of a field the operator owns is put back, so the APIService was applied again.
	if err := k8s.Get(ctx, client.ObjectKeyFromObject(svc), svc); err != nil {
		t.Fatal(err)
	}
	svc.Spec.GroupPriorityMinimum = 7
	if err := k8s.Update(ctx, svc, client.FieldOwner("someone")); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 30*time.Second, "the edited groupPriorityMinimum repaired", func(ctx context.Context) error {
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(svc), svc); err != nil {
			return err
		}
		if svc.Spec.GroupPriorityMinimum != cas.Spec.APIServices[0].GroupPriorityMinimum {
			return fmt.Errorf("groupPriorityMinimum %d", svc.Spec.GroupPriorityMinimum)
		}
		return nil
	})
	checkCABundle(t, svc, injected)
}

// Switching an existing CustomApiServer from the operator's CA to cert-manager keeps the caBundle the
// operator had published until cainjector writes its own, and then leaves cainjector's alone.
func TestCertManagerSwitchKeepsTrustUntilInjected(t *testing.T) {
	startEnv(t)
	cas := newCAS("cm-switch", "cmswitch.example.com")
	createCAS(t, cas)
	cas = reconciled(t, cas.Name)
	svc := &apiregv1.APIService{ObjectMeta: metav1.ObjectMeta{Name: apiServiceName(cas.Spec.APIServices[0])}}
	var own []byte
	testutil.Eventually(t, 30*time.Second, "the operator's caBundle", func(ctx context.Context) error {
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(svc), svc); err != nil {
			return err
		}
		if own = svc.Spec.CABundle; len(own) == 0 {
			return errors.New("no caBundle yet")
		}
		return nil
	})

	updateCAS(t, cas, certManagerMode(nil))
	testutil.Eventually(t, 30*time.Second, "the APIService annotated for cainjector", func(ctx context.Context) error {
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(svc), svc); err != nil {
			return err
		}
		if svc.Annotations[annotationInjectCAFrom] == "" {
			return errors.New("no annotation yet")
		}
		return nil
	})
	if !bytes.Equal(svc.Spec.CABundle, own) {
		t.Fatalf("after the switch the caBundle is %q, want the operator's until cainjector injects", svc.Spec.CABundle)
	}

	injected := append(slices.Clone(own), []byte("-----BEGIN CERTIFICATE-----\ncert-manager CA\n-----END CERTIFICATE-----\n")...)
	inject(t, svc, injected)
	updateCAS(t, cas, func(c *aggv1alpha1.CustomApiServer) { c.Spec.Args = []string{"--v=2"} })
	checkCABundle(t, svc, injected)
}

// updateCAS changes the stored CustomApiServer and waits until the operator has reconciled the change.
func updateCAS(t *testing.T, cas *aggv1alpha1.CustomApiServer, mutate func(*aggv1alpha1.CustomApiServer)) {
	t.Helper()
	// The operator writes the object too (finalizer, status): retry on conflict.
	testutil.Eventually(t, 30*time.Second, "CustomApiServer "+cas.Name+" updated", func(ctx context.Context) error {
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(cas), cas); err != nil {
			return err
		}
		mutate(cas)
		return k8s.Update(ctx, cas)
	})
	reconciled(t, cas.Name)
}

// inject sets the caBundle as cainjector does (an update under its own field manager).
func inject(t *testing.T, svc *apiregv1.APIService, bundle []byte) {
	t.Helper()
	testutil.Eventually(t, 30*time.Second, "caBundle injected", func(ctx context.Context) error {
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(svc), svc); err != nil {
			return err
		}
		svc.Spec.CABundle = bundle
		return k8s.Update(ctx, svc, client.FieldOwner(cainjectorManager))
	})
}

// checkCABundle: the caBundle is still want, and only cainjector manages it.
func checkCABundle(t *testing.T, svc *apiregv1.APIService, want []byte) {
	t.Helper()
	if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(svc), svc); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(svc.Spec.CABundle, want) {
		t.Errorf("caBundle changed by the operator's reconciles: %q, want %q", svc.Spec.CABundle, want)
	}
	var managers []string
	for _, m := range svc.ManagedFields {
		if managesCABundle(m) {
			managers = append(managers, m.Manager)
		}
	}
	if !slices.Equal(managers, []string{cainjectorManager}) {
		t.Errorf("spec.caBundle is managed by %v, want only %s", managers, cainjectorManager)
	}
}

// setCertificateStatus writes a Certificate's status as cert-manager would.
func setCertificateStatus(t *testing.T, k client.Client, c *cmv1.Certificate, ready cmmetav1.ConditionStatus, reason, msg string, notAfter, renewal *metav1.Time) {
	t.Helper()
	testutil.Eventually(t, 30*time.Second, "Certificate status written", func(ctx context.Context) error {
		if err := k.Get(ctx, client.ObjectKeyFromObject(c), c); err != nil {
			return err
		}
		now := metav1.Now()
		c.Status.Conditions = []cmv1.CertificateCondition{{Type: cmv1.CertificateConditionReady, Status: ready, Reason: reason, Message: msg, LastTransitionTime: &now}}
		c.Status.NotAfter, c.Status.RenewalTime = notAfter, renewal
		return k.Status().Update(ctx, c)
	})
}

// waitCondition waits until condition typ of the CustomApiServer satisfies ok, and returns it.
func waitCondition(t *testing.T, k client.Client, name, typ string, ok func(*metav1.Condition) bool) *metav1.Condition {
	t.Helper()
	var c *metav1.Condition
	testutil.Eventually(t, 30*time.Second, "condition "+typ+" of "+name, func(ctx context.Context) error {
		cas := &aggv1alpha1.CustomApiServer{}
		if err := k.Get(ctx, client.ObjectKey{Name: name}, cas); err != nil {
			return err
		}
		if c = meta.FindStatusCondition(cas.Status.Conditions, typ); c == nil || !ok(c) {
			return fmt.Errorf("%s is %+v", typ, c)
		}
		return nil
	})
	return c
}

// The chain goes when an issuerRef replaces it, and every cert-manager object goes when cert-manager mode
// is left: the operator's own CA then serves, and the APIService carries its caBundle, not the annotation.
func TestCertManagerObjectsPrunedWhenNoLongerWanted(t *testing.T) {
	startEnv(t)
	ctx := context.Background()
	cas := newCAS("cm-prune", "cmprune.example.com", certManagerMode(nil))
	createCAS(t, cas)
	cas = reconciled(t, cas.Name)
	n := namesFor(cas)
	cm := certManagerNames(n)
	chain := []client.Object{issuer(n.Namespace, cm.SelfSignedIssuer), issuer(n.Namespace, cm.CAIssuer), certificate(n.Namespace, cm.CACertificate)}
	serving := certificate(n.Namespace, cm.Serving)
	for _, o := range append(chain, serving) {
		getEventually(t, o.GetName(), o)
	}
	waitGone := func(objs ...client.Object) {
		t.Helper()
		testutil.Eventually(t, 30*time.Second, "objects no longer wanted deleted", func(ctx context.Context) error {
			for _, o := range objs {
				if err := k8s.Get(ctx, client.ObjectKeyFromObject(o), o); err == nil {
					return fmt.Errorf("%T %s still there", o, o.GetName())
				}
			}
			return nil
		})
	}

	updateCAS(t, cas, certManagerMode(&aggv1alpha1.IssuerReference{Name: "corp-ca", Kind: "ClusterIssuer"}))
	waitGone(chain...)
	testutil.Eventually(t, 30*time.Second, "the serving Certificate issued by corp-ca", func(ctx context.Context) error {
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(serving), serving); err != nil {
			return err
		}
		if serving.Spec.IssuerRef.Name != "corp-ca" {
			return fmt.Errorf("issuerRef %+v", serving.Spec.IssuerRef)
		}
		return nil
	})

	updateCAS(t, cas, func(c *aggv1alpha1.CustomApiServer) { c.Spec.Certificates.CertManager = nil })
	waitGone(serving)
	waitCondition(t, k8s, cas.Name, aggv1alpha1.ConditionCertificatesReady, func(c *metav1.Condition) bool { return c.Status == metav1.ConditionTrue })
	svc := &apiregv1.APIService{ObjectMeta: metav1.ObjectMeta{Name: apiServiceName(cas.Spec.APIServices[0])}}
	testutil.Eventually(t, 30*time.Second, "the APIService back on the operator's CA", func(ctx context.Context) error {
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(svc), svc); err != nil {
			return err
		}
		if _, ok := svc.Annotations[annotationInjectCAFrom]; ok || len(svc.Spec.CABundle) == 0 {
			return fmt.Errorf("annotations %v, caBundle %d bytes", svc.Annotations, len(svc.Spec.CABundle))
		}
		return nil
	})
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: n.Namespace, Name: n.CASecret}, &corev1.Secret{}); err != nil {
		t.Errorf("the operator's own CA Secret: %v", err)
	}
}
