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
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

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

// reconcileCertificates reads the stored CA and serving certificate, renews what is due at r.now() and
// stores the result. The Secrets are read from the API server, not the cache: they are the only copy of
// the CA key, and a stale read would renew twice.
func (r *Reconciler) reconcileCertificates(ctx context.Context, a *applier, cas *aggv1alpha1.CustomApiServer, n names) (*certs.Plan, error) {
	var cur certs.Current
	caSecret, err := r.readOwnedSecret(ctx, cas, n.Namespace, n.CASecret)
	if err != nil {
		return nil, err
	}
	cur.CA = storedKeyPair(caSecret)
	if caSecret != nil {
		if prev, err := certs.ParseCerts(caSecret.Data[keyPreviousCA]); err == nil && len(prev) == 1 {
			cur.PreviousCA = prev[0]
		}
	}
	servingSecret, err := r.readOwnedSecret(ctx, cas, n.Namespace, n.ServingSecret)
	if err != nil {
		return nil, err
	}
	cur.Serving = storedKeyPair(servingSecret)

	plan, err := certs.Decide(cur, servingDNSNames(n), r.now(), lifetimes(cas), fmt.Sprintf("aggregation-operator %s CA", cas.Name))
	if err != nil {
		return nil, fmt.Errorf("making certificates: %w", err)
	}
	// The CA first: a serving certificate is never stored without the CA that signed it.
	if err := a.apply(ctx, desiredCASecret(cas, n, plan)); err != nil {
		return nil, err
	}
	if err := a.apply(ctx, desiredServingSecret(cas, n, plan)); err != nil {
		return nil, err
	}
	r.emit(cas, certificateEvents(cur, plan, n)...)
	cas.Status.Certificates = &aggv1alpha1.CertificatesStatus{
		ServingNotAfter: &metav1.Time{Time: plan.Serving.Cert.NotAfter},
		CANotAfter:      &metav1.Time{Time: plan.CA.Cert.NotAfter},
		NextRenewal:     &metav1.Time{Time: plan.NextRenewal},
	}
	return plan, nil
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
