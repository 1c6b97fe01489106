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

// desiredEtcdTLSSecret stores a key pair with the CA to trust (ca.crt, tls.crt, tls.key): the members'
// (mounted into etcd) or the apiserver's client pair (mounted into the apiserver, the shape of
// spec.storage.etcd.tlsSecretRef). The etcd CA Secret has no ca.crt: it is never mounted.
func desiredEtcdTLSSecret(cas *aggv1alpha1.CustomApiServer, n names, name string, kp, ca *certs.KeyPair) *corev1ac.SecretApplyConfiguration {
	data := map[string][]byte{corev1.TLSCertKey: kp.CertPEM, corev1.TLSPrivateKeyKey: kp.KeyPEM}
	if ca != nil {
		data[keyCABundle] = ca.CertPEM
	}
	return corev1ac.Secret(name, n.Namespace).
		WithLabels(childLabels(cas)).
		WithOwnerReferences(ownerRef(cas)).
		WithType(corev1.SecretTypeTLS).
		WithData(data)
}
