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
	"slices"
	"testing"

	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
)

// With storage.etcd.tlsSecretRef the pods mount the Secret read-only where the etcd flags point; without
// it nothing changes, so existing Deployments do not roll.
func TestDeploymentEtcdClientTLS(t *testing.T) {
	tlsRef := func(c *aggv1alpha1.CustomApiServer) {
		c.Spec.Storage.Etcd = &aggv1alpha1.EtcdStorage{Servers: []string{"https://etcd:2379"}, TLSSecretRef: &aggv1alpha1.EtcdTLSSecretReference{Name: "etcd-client"}}
	}
	tests := []struct {
		name       string
		cas        *aggv1alpha1.CustomApiServer
		wantSecret string // "": no etcd client TLS volume
	}{
		{"plain http etcd", specCAS(), ""},
		{"stateless", specCAS(func(c *aggv1alpha1.CustomApiServer) { c.Spec.Storage = nil }), ""},
		{"tlsSecretRef", specCAS(tlsRef), "etcd-client"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pod := desiredDeployment(tc.cas, namesFor(tc.cas), "img", 0).Spec.Template.Spec
			secret := ""
			for _, v := range pod.Volumes {
				if *v.Name == etcdTLSVolume {
					secret = *v.Secret.SecretName
				}
			}
			if secret != tc.wantSecret {
				t.Fatalf("etcd client TLS volume of Secret %q, want %q", secret, tc.wantSecret)
			}
			mounted := slices.ContainsFunc(pod.Containers[0].VolumeMounts, func(m corev1ac.VolumeMountApplyConfiguration) bool {
				return *m.Name == etcdTLSVolume && *m.MountPath == etcdTLSDir && m.ReadOnly != nil && *m.ReadOnly
			})
			if mounted != (tc.wantSecret != "") {
				t.Errorf("read-only mount at %s: %v, want %v (mounts %v)", etcdTLSDir, mounted, tc.wantSecret != "", pod.Containers[0].VolumeMounts)
			}
			args := pod.Containers[0].Args
			if hasCA := slices.Contains(args, "--etcd-cafile=/var/run/etcd-client-tls/ca.crt"); hasCA != (tc.wantSecret != "") {
				t.Errorf("args %v: --etcd-cafile present %v, want %v", args, hasCA, tc.wantSecret != "")
			}
		})
	}
}
