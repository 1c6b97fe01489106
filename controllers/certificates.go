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
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	apiregv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/controllers/certs"
)

// Defaults of spec.certificates, for objects stored before the CRD defaulted them.
const (
	defaultServingDuration = 365 * 24 * time.Hour
	defaultRenewBefore     = 30 * 24 * time.Hour
	defaultCADuration      = 5 * 365 * 24 * time.Hour
)

func lifetimes(cas *aggv1alpha1.CustomApiServer) certs.Lifetimes {
	pick := func(d *metav1.Duration, def time.Duration) time.Duration {
		if d == nil || d.Duration <= 0 {
			return def
		}
		return d.Duration
	}
	c := cas.Spec.Certificates
	return certs.Lifetimes{
		Serving:     pick(c.Duration, defaultServingDuration),
		RenewBefore: pick(c.RenewBefore, defaultRenewBefore),
		CA:          pick(c.CADuration, defaultCADuration),
	}
}

// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch;create;update;patch;delete

// caInvalid is a user's CA (spec.certificates.caSecretRef) that cannot be used; nothing is changed.
type caInvalid struct{ msg string }

func (e *caInvalid) Error() string { return e.msg }

// reconcileCertificates reads what the cluster holds (CA, serving certificate, each APIService's caBundle),
// decides at r.now() what to renew and which CAs the caBundle keeps, dials the endpoints while an older CA
// waits for proof, and stores the result. The Secrets and APIServices are read from the API server, not
// the cache: the Secrets are the only copy of the CA key, and a stale read would renew twice.
func (r *Reconciler) reconcileCertificates(ctx context.Context, a *applier, cas *aggv1alpha1.CustomApiServer, n names) (*certs.Plan, error) {
	cur, read, err := r.currentCertificates(ctx, cas, n)
	if err != nil {
		return nil, err
	}
	plan, err := certs.Decide(cur, servingDNSNames(n), r.now(), lifetimes(cas), fmt.Sprintf("aggregation-operator %s CA", cas.Name))
	if err != nil {
		return nil, fmt.Errorf("making certificates: %w", err)
	}
	if plan.PendingProof() {
		plan.Prune(r.observeEndpoints(ctx, n))
	}
	// The CA first: a serving certificate is never stored without the CA that signed it. Each write is
	// conditional on the version read: an edit (or deletion) since then is a new state to decide on, not one
	// to overwrite with a decision taken on the old one.
	if !cur.UserCA {
		if err := applySecretAsRead(ctx, a, desiredCASecret(cas, n, plan), read.ca); err != nil {
			return nil, err
		}
	}
	if err := applySecretAsRead(ctx, a, desiredServingSecret(cas, n, plan), read.serving); err != nil {
		return nil, err
	}
	r.emit(cas, certificateEvents(cur, plan, n)...)
	if cur.UserCA && cur.Force.RotateCA {
		r.emit(cas, event{corev1.EventTypeWarning, aggv1alpha1.EventForcedRequestIgnored, "RotateCA",
			"ignored " + aggv1alpha1.AnnotationRotateCA + ": the CA is the user's (spec.certificates.caSecretRef); put another CA in that Secret, or name another Secret, to change it", nil})
	}
	setCertificatesStatus(cas, plan, caSource(cas))
	return plan, nil
}

// readVersions are the resourceVersions of the Secrets as read ("" when absent).
type readVersions struct{ ca, serving string }

// currentCertificates is what the cluster holds: the CA (the user's or the stored one), the CAs remembered
// as previous, every APIService's caBundle, the serving certificate, and the forced requests not yet handled.
func (r *Reconciler) currentCertificates(ctx context.Context, cas *aggv1alpha1.CustomApiServer, n names) (certs.Current, readVersions, error) {
	var cur certs.Current
	var read readVersions
	caSecret, err := r.readOwnedSecret(ctx, cas, n.Namespace, n.CASecret)
	if err != nil {
		return cur, read, err
	}
	// With the user's CA the CA Secret is not written, so what it remembers may be stale: the APIServices'
	// caBundles then say which older CAs are still trusted.
	if caSecret != nil && cas.Spec.Certificates.CASecretRef == nil {
		if prev, err := certs.ParseCerts(caSecret.Data[keyPreviousCA]); err == nil {
			cur.Previous = prev
		}
	}
	if ref := cas.Spec.Certificates.CASecretRef; ref != nil {
		cur.UserCA = true
		if cur.CA, err = r.userCA(ctx, n.Namespace, ref.Name); err != nil {
			return cur, read, err
		}
	} else {
		cur.CA = storedKeyPair(caSecret)
	}
	servingSecret, err := r.readOwnedSecret(ctx, cas, n.Namespace, n.ServingSecret)
	if err != nil {
		return cur, read, err
	}
	cur.Serving = storedKeyPair(servingSecret)
	cur.Force = forcedRequests(cas, caSecret, servingSecret)
	cur.Bundles, err = r.publishedBundles(ctx, cas)
	read.ca, read.serving = resourceVersion(caSecret), resourceVersion(servingSecret)
	return cur, read, err
}

// userCA reads and checks the user's CA; a *caInvalid says what is wrong with it.
func (r *Reconciler) userCA(ctx context.Context, ns, name string) (*certs.KeyPair, error) {
	s := &corev1.Secret{}
	err := r.reader().Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, s)
	if apierrors.IsNotFound(err) {
		return nil, &caInvalid{fmt.Sprintf("Secret %s/%s named by spec.certificates.caSecretRef does not exist; create it with tls.crt and tls.key of a CA", ns, name)}
	}
	if err != nil {
		return nil, fmt.Errorf("reading the CA Secret %s/%s: %w", ns, name, err)
	}
	kp, err := certs.Parse(s.Data[corev1.TLSCertKey], s.Data[corev1.TLSPrivateKeyKey])
	if err != nil {
		return nil, &caInvalid{fmt.Sprintf("Secret %s/%s (spec.certificates.caSecretRef): tls.crt and tls.key are not a usable pair: %v", ns, name, err)}
	}
	if err := certs.CheckCA(kp.Cert, r.now()); err != nil {
		return nil, &caInvalid{fmt.Sprintf("Secret %s/%s (spec.certificates.caSecretRef): %v; give a CA certificate and its key", ns, name, err)}
	}
	return kp, nil
}

// publishedBundles is the caBundle of each existing APIService of ours: what the aggregator trusts now.
// Someone else's APIService is left out: it is never written, so it must not hold back a change of CA.
func (r *Reconciler) publishedBundles(ctx context.Context, cas *aggv1alpha1.CustomApiServer) ([][]*x509.Certificate, error) {
	var out [][]*x509.Certificate
	for _, s := range cas.Spec.APIServices {
		svc := &apiregv1.APIService{}
		err := r.reader().Get(ctx, types.NamespacedName{Name: apiServiceName(s)}, svc)
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading the caBundle of APIService %s: %w", apiServiceName(s), err)
		}
		if foreignOwner(svc, cas) != "" {
			continue
		}
		// An empty or damaged bundle trusts nothing: the new CA is published before it is used.
		b, _ := certs.ParseCerts(svc.Spec.CABundle)
		out = append(out, b)
	}
	return out, nil
}

// forcedRequests: an annotation whose value differs from the last one handled asks once. The value handled
// is kept on the Secret it changed (read uncached), not only in status: a reconcile that starts before the
// cache has the new status must not rotate twice. The user's CA is never rotated; status remembers the
// rotate-ca value it ignored.
func forcedRequests(cas *aggv1alpha1.CustomApiServer, caSecret, servingSecret *corev1.Secret) certs.Force {
	handled := func(s *corev1.Secret) string {
		if s == nil {
			return ""
		}
		return s.Annotations[annotationHandled]
	}
	renew, rotate := cas.Annotations[aggv1alpha1.AnnotationRenewServingCert], cas.Annotations[aggv1alpha1.AnnotationRotateCA]
	rotateHandled := handled(caSecret)
	if cas.Spec.Certificates.CASecretRef != nil && cas.Status.Certificates != nil {
		rotateHandled = cas.Status.Certificates.RotateCAHandled
	}
	return certs.Force{
		RenewServing: renew != "" && renew != handled(servingSecret),
		RotateCA:     rotate != "" && rotate != rotateHandled,
	}
}

func caSource(cas *aggv1alpha1.CustomApiServer) string {
	if ref := cas.Spec.Certificates.CASecretRef; ref != nil {
		return "Secret/" + ref.Name
	}
	return "SelfSigned"
}

// applySecretAsRead applies desired only if the Secret is still at resourceVersion rv ("": it was absent).
func applySecretAsRead(ctx context.Context, a *applier, desired *corev1ac.SecretApplyConfiguration, rv string) error {
	return a.applyAsRead(ctx, desired, &readAt{resourceVersion: rv, set: func(rv string) { desired.WithResourceVersion(rv) }})
}

func resourceVersion(s *corev1.Secret) string {
	if s == nil {
		return ""
	}
	return s.ResourceVersion
}

// storedKeyPair is the key pair a TLS Secret holds; nil when the Secret is absent or its pair is unusable,
// so that a damaged Secret is replaced rather than blocking the reconcile.
func storedKeyPair(s *corev1.Secret) *certs.KeyPair {
	if s == nil {
		return nil
	}
	kp, err := certs.Parse(s.Data[corev1.TLSCertKey], s.Data[corev1.TLSPrivateKeyKey])
	if err != nil {
		return nil
	}
	return kp
}

// readOwnedSecret returns nil when the Secret is absent and an *ownerConflict when it is someone else's.
func (r *Reconciler) readOwnedSecret(ctx context.Context, cas *aggv1alpha1.CustomApiServer, ns, name string) (*corev1.Secret, error) {
	s := &corev1.Secret{}
	err := r.reader().Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, s)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading Secret %s/%s: %w", ns, name, err)
	}
	if owner := foreignOwner(s, cas); owner != "" {
		return nil, &ownerConflict{Kind: "Secret", Name: ns + "/" + name, Owner: owner}
	}
	return s, nil
}
