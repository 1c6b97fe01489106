package controllers

import (
	corev1 "k8s.io/api/core/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/controllers/certs"
)

const (
	// keyPreviousCA holds the CA replaced by the last CA renewal, until it expires.
	keyPreviousCA = "previous-ca.crt"
	keyCABundle   = "ca.crt"
)

// desiredCASecret stores the CA key pair; it is never mounted into pods.
func desiredCASecret(cas *aggv1alpha1.CustomApiServer, n names, p *certs.Plan) *corev1ac.SecretApplyConfiguration {
	data := map[string][]byte{
		corev1.TLSCertKey:       p.CA.CertPEM,
		corev1.TLSPrivateKeyKey: p.CA.KeyPEM,
	}
	if p.PreviousCA != nil {
		data[keyPreviousCA] = certs.EncodeCert(p.PreviousCA)
	}
	return corev1ac.Secret(n.CASecret, n.Namespace).
		WithLabels(childLabels(cas)).
		WithOwnerReferences(ownerRef(cas)).
		WithType(corev1.SecretTypeTLS).
		WithData(data)
}

// desiredServingSecret is mounted at --cert-dir; ca.crt is the bundle clients should trust.
func desiredServingSecret(cas *aggv1alpha1.CustomApiServer, n names, p *certs.Plan) *corev1ac.SecretApplyConfiguration {
	return corev1ac.Secret(n.ServingSecret, n.Namespace).
		WithLabels(childLabels(cas)).
		WithOwnerReferences(ownerRef(cas)).
		WithType(corev1.SecretTypeTLS).
		WithData(map[string][]byte{
			corev1.TLSCertKey:       p.Serving.CertPEM,
			corev1.TLSPrivateKeyKey: p.Serving.KeyPEM,
			keyCABundle:             p.Bundle(),
		})
}
