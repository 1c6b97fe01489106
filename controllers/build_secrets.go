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
	corev1 "k8s.io/api/core/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/controllers/certs"
)

const (
	// keyPreviousCA holds the older CAs of the caBundle (PEM bundle), so they are remembered while they wait
	// for proof even if an APIService is edited or deleted.
	keyPreviousCA = "previous-ca.crt"
	keyCABundle   = "ca.crt"
	// annotationHandled on the CA Secret is the last aggregation.example.com/rotate-ca value acted on, and on
	// the serving Secret the last aggregation.example.com/renew-serving-cert value.
	annotationHandled = "aggregation.example.com/handled-request"
)

// handledAnnotation records the value of the CustomApiServer's annotation key as handled (none when unset).
func handledAnnotation(cas *aggv1alpha1.CustomApiServer, key string) map[string]string {
	if v := cas.Annotations[key]; v != "" {
		return map[string]string{annotationHandled: v}
	}
	return nil
}

// desiredCASecret stores the CA key pair; it is never mounted into pods.
func desiredCASecret(cas *aggv1alpha1.CustomApiServer, n names, p *certs.Plan) *corev1ac.SecretApplyConfiguration {
	data := map[string][]byte{
		corev1.TLSCertKey:       p.CA.CertPEM,
		corev1.TLSPrivateKeyKey: p.CA.KeyPEM,
	}
	var older []byte
	for _, c := range p.Older() {
		older = append(older, certs.EncodeCert(c)...)
	}
	if older != nil {
		data[keyPreviousCA] = older
	}
	return corev1ac.Secret(n.CASecret, n.Namespace).
		WithLabels(childLabels(cas)).
		WithAnnotations(handledAnnotation(cas, aggv1alpha1.AnnotationRotateCA)).
		WithOwnerReferences(ownerRef(cas)).
		WithType(corev1.SecretTypeTLS).
		WithData(data)
}

// desiredServingSecret is mounted at --cert-dir; ca.crt is the bundle clients should trust.
func desiredServingSecret(cas *aggv1alpha1.CustomApiServer, n names, p *certs.Plan) *corev1ac.SecretApplyConfiguration {
	return corev1ac.Secret(n.ServingSecret, n.Namespace).
		WithLabels(childLabels(cas)).
		WithAnnotations(handledAnnotation(cas, aggv1alpha1.AnnotationRenewServingCert)).
		WithOwnerReferences(ownerRef(cas)).
		WithType(corev1.SecretTypeTLS).
		WithData(map[string][]byte{
			corev1.TLSCertKey:       p.Serving.CertPEM,
			corev1.TLSPrivateKeyKey: p.Serving.KeyPEM,
			keyCABundle:             p.BundlePEM(),
		})
}
