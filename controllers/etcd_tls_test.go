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
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/controllers/certs"
	"example.com/aggregation-operator/internal/testutil"
)

// etcdClientTLSData is a CA and a client certificate it signed, as the Secret of tlsSecretRef holds them.
func etcdClientTLSData(t *testing.T) map[string][]byte {
	t.Helper()
	ca, err := certs.NewCA("etcd test CA", time.Now(), 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	client, err := certs.NewServing(ca, []string{"apiserver"}, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{etcdCAKey: ca.CertPEM, corev1.TLSCertKey: client.CertPEM, corev1.TLSPrivateKeyKey: client.KeyPEM}
}

// A CustomApiServer with storage.etcd.tlsSecretRef: while the Secret is missing or lacks a key, Ready says
// which (naming the Secret) and no Deployment is rolled onto a broken mount; once it is complete the pods
// mount it and get the etcd client flags; a rotated certificate rolls them; a Secret broken later leaves
// the running Deployment as it is.
func TestEtcdClientTLSSecret(t *testing.T) {
	startEnv(t)
	ctx := context.Background()
	cas := newCAS("etcd-tls", "etcdtls.example.com", func(c *aggv1alpha1.CustomApiServer) {
		c.Spec.Storage.Etcd = &aggv1alpha1.EtcdStorage{Servers: []string{"https://etcd:2379"},
			TLSSecretRef: &aggv1alpha1.EtcdTLSSecretReference{Name: "etcd-client"}}
	})
	createCAS(t, cas)
	n := namesFor(cas)
	invalid := func(want string) {
		t.Helper()
		waitCondition(t, k8s, cas.Name, aggv1alpha1.ConditionReady, func(c *metav1.Condition) bool {
			return c.Status == metav1.ConditionFalse && c.Reason == aggv1alpha1.ReasonEtcdTLSSecretInvalid &&
				strings.Contains(c.Message, "Secret "+n.Namespace+"/etcd-client") && strings.Contains(c.Message, want)
		})
	}

	invalid("does not exist")
	absent(t, "Deployment", &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: n.Namespace, Name: n.Deployment}})

	data := etcdClientTLSData(t)
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: n.Namespace, Name: "etcd-client"},
		Data: map[string][]byte{etcdCAKey: data[etcdCAKey], corev1.TLSCertKey: data[corev1.TLSCertKey]}}
	if err := k8s.Create(ctx, secret); err != nil {
		t.Fatal(err)
	}
	poke(t, cas.Name) // the user's Secret is read every userSecretRecheck; do not wait for it
	invalid("lacks tls.key")
	absent(t, "Deployment", &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: n.Namespace, Name: n.Deployment}})

	setSecretData(t, cas.Name, secret, data)
	d := deploymentOf(t, cas, []string{"--secure-port=6443", "--cert-dir=/var/run/serving-cert", "--etcd-servers=https://etcd:2379",
		"--etcd-cafile=/var/run/etcd-client-tls/ca.crt", "--etcd-certfile=/var/run/etcd-client-tls/tls.crt", "--etcd-keyfile=/var/run/etcd-client-tls/tls.key"})
	pod := d.Spec.Template.Spec
	if !slices.ContainsFunc(pod.Volumes, func(v corev1.Volume) bool { return v.Secret != nil && v.Secret.SecretName == "etcd-client" }) ||
		!slices.ContainsFunc(pod.Containers[0].VolumeMounts, func(m corev1.VolumeMount) bool { return m.MountPath == etcdTLSDir && m.ReadOnly }) {
		t.Errorf("volumes %v, mounts %v: want Secret etcd-client mounted read-only at %s", pod.Volumes, pod.Containers[0].VolumeMounts, etcdTLSDir)
	}
	first := d.Spec.Template.Annotations[annotationEtcdTLSHash]
	if first == "" {
		t.Fatalf("pod template annotations %v: no %s", d.Spec.Template.Annotations, annotationEtcdTLSHash)
	}

	// cert-manager (or the user) renews the client certificate: the pods roll onto it.
	setSecretData(t, cas.Name, secret, etcdClientTLSData(t))
	rolled := waitTemplateHash(t, n, func(h string) bool { return h != "" && h != first })

	// The Secret loses a key: Ready says so, the Deployment keeps the pods it has.
	delete(secret.Data, corev1.TLSPrivateKeyKey)
	setSecretData(t, cas.Name, secret, secret.Data)
	invalid("lacks tls.key")
	waitTemplateHash(t, n, func(h string) bool { return h == rolled })

	// Fixed again: Ready no longer blames the Secret, and the pods roll onto it.
	setSecretData(t, cas.Name, secret, etcdClientTLSData(t))
	waitCondition(t, k8s, cas.Name, aggv1alpha1.ConditionReady, func(c *metav1.Condition) bool {
		return c.Reason != aggv1alpha1.ReasonEtcdTLSSecretInvalid
	})
	waitTemplateHash(t, n, func(h string) bool { return h != "" && h != rolled })
}

// setSecretData replaces the Secret's data and makes the operator look at once.
func setSecretData(t *testing.T, casName string, s *corev1.Secret, data map[string][]byte) {
	t.Helper()
	s.Data = data
	if err := k8s.Update(context.Background(), s); err != nil {
		t.Fatalf("updating Secret %s/%s: %v", s.Namespace, s.Name, err)
	}
	poke(t, casName)
}

// waitTemplateHash waits until the Deployment's etcd client TLS hash satisfies ok, and returns it.
func waitTemplateHash(t *testing.T, n names, ok func(string) bool) string {
	t.Helper()
	var h string
	testutil.Eventually(t, 30*time.Second, "etcd client TLS hash of Deployment "+n.Deployment, func(ctx context.Context) error {
		d := &appsv1.Deployment{}
		if err := k8s.Get(ctx, client.ObjectKey{Namespace: n.Namespace, Name: n.Deployment}, d); err != nil {
			return err
		}
		if h = d.Spec.Template.Annotations[annotationEtcdTLSHash]; !ok(h) {
			return fmt.Errorf("hash %q", h)
		}
		return nil
	})
	return h
}

// What the operator says about each broken Secret, and that only the three keys make the hash.
func TestCheckEtcdTLSSecret(t *testing.T) {
	good, other := etcdClientTLSData(t), etcdClientTLSData(t)
	with := func(k string, v []byte) map[string][]byte {
		d := map[string][]byte{}
		for k, v := range good {
			d[k] = v
		}
		if v == nil {
			delete(d, k)
		} else {
			d[k] = v
		}
		return d
	}
	tests := []struct {
		name string
		data map[string][]byte
		want string // "": usable
	}{
		{"complete", good, ""},
		{"no keys", nil, "lacks ca.crt, tls.crt, tls.key"},
		{"empty tls.key", with(corev1.TLSPrivateKeyKey, []byte{}), "lacks tls.key"},
		{"CA not PEM", with(etcdCAKey, []byte("not a certificate")), "unusable ca.crt"},
		{"key of another certificate", with(corev1.TLSPrivateKeyKey, other[corev1.TLSPrivateKeyKey]), "tls.crt and tls.key that are not a usable pair"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := checkEtcdTLSSecret(tc.data)
			if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
				t.Errorf("%q, want %q", got, tc.want)
			}
		})
	}
	if etcdTLSHash(good) != etcdTLSHash(with("extra", []byte("x"))) {
		t.Error("a key the pods do not read changed the hash")
	}
	if etcdTLSHash(good) == etcdTLSHash(with(etcdCAKey, other[etcdCAKey])) {
		t.Error("a new CA left the hash as it was")
	}
}
