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
	"path"

	corev1 "k8s.io/api/core/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
)

const (
	// etcdTLSDir is where the etcd client TLS Secret is mounted; the flags give the server each file's path.
	etcdTLSDir    = "/var/run/etcd-client-tls"
	etcdTLSVolume = "etcd-client-tls"
	// etcdCAKey is the CA key of the Secret (cert-manager's and the service account token's name for it).
	etcdCAKey = "ca.crt"
)

// etcdTLSKeys are the keys the etcd client TLS Secret must hold, in the order the flags take them.
var etcdTLSKeys = []string{etcdCAKey, corev1.TLSCertKey, corev1.TLSPrivateKeyKey}

// etcdClientTLS is what the apiserver's pods need to reach etcd over TLS with a client certificate: the
// Secret's volume, its read-only mount, and the flags naming each file in it.
type etcdClientTLS struct {
	Volume *corev1ac.VolumeApplyConfiguration
	Mount  *corev1ac.VolumeMountApplyConfiguration
	Args   []string
}

// buildEtcdClientTLS mounts secretName (ca.crt, tls.crt, tls.key) and passes its files under the names the
// flag contract f gives them (filled in by serverFlags).
func buildEtcdClientTLS(f aggv1alpha1.ServerFlags, secretName string) etcdClientTLS {
	return etcdClientTLS{
		Volume: corev1ac.Volume().WithName(etcdTLSVolume).WithSecret(corev1ac.SecretVolumeSource().WithSecretName(secretName)),
		Mount:  corev1ac.VolumeMount().WithName(etcdTLSVolume).WithMountPath(etcdTLSDir).WithReadOnly(true),
		Args: []string{
			f.EtcdCAFile.Arg(path.Join(etcdTLSDir, etcdCAKey)),
			f.EtcdCertFile.Arg(path.Join(etcdTLSDir, corev1.TLSCertKey)),
			f.EtcdKeyFile.Arg(path.Join(etcdTLSDir, corev1.TLSPrivateKeyKey)),
		},
	}
}

// etcdTLSSecretName is the Secret holding the apiserver's etcd client certificate, "" when etcd is reached
// without one.
func etcdTLSSecretName(cas *aggv1alpha1.CustomApiServer) string {
	switch s := cas.Spec.Storage; {
	case s == nil:
	case s.Etcd != nil && s.Etcd.TLSSecretRef != nil:
		return s.Etcd.TLSSecretRef.Name
	case s.Managed != nil: // the client certificate the operator issues for its own etcd, in the same shape
		return namesFor(cas).EtcdClientSecret
	}
	return ""
}
