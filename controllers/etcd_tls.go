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
	"crypto/sha256"
	"crypto/tls"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"

	"example.com/aggregation-operator/controllers/certs"
)

// annotationEtcdTLSHash on the pod template is a hash of the etcd client TLS Secret's three keys. etcd's
// client (go.etcd.io/etcd/client/pkg transport.TLSInfo, which k8s.io/apiserver uses) reads the CA once, at
// start, so a changed Secret must restart the pods; changing the hash rolls them.
const annotationEtcdTLSHash = "aggregation.example.com/etcd-client-tls-hash"

// etcdTLSProblem says why the etcd client TLS Secret cannot be mounted as it is; the Deployment is then
// left as it is rather than rolled onto pods that cannot reach etcd.
type etcdTLSProblem struct{ msg string }

func (e *etcdTLSProblem) Error() string { return e.msg }

// etcdClientTLSHash reads the Secret (uncached: it is the user's, and the cache holds only the operator's
// own) and returns the hash of its keys, or an *etcdTLSProblem naming what is missing or unusable.
func (r *Reconciler) etcdClientTLSHash(ctx context.Context, ns, name string) (string, error) {
	s := &corev1.Secret{}
	err := r.reader().Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, s)
	if apierrors.IsNotFound(err) {
		return "", &etcdTLSProblem{fmt.Sprintf("Secret %s/%s named by spec.storage.etcd.tlsSecretRef does not exist; create it with %s",
			ns, name, strings.Join(etcdTLSKeys, ", "))}
	}
	if err != nil {
		return "", fmt.Errorf("reading the etcd client TLS Secret %s/%s: %w", ns, name, err)
	}
	if msg := checkEtcdTLSSecret(s.Data); msg != "" {
		return "", &etcdTLSProblem{fmt.Sprintf("Secret %s/%s (spec.storage.etcd.tlsSecretRef) %s", ns, name, msg)}
	}
	return etcdTLSHash(s.Data), nil
}

// checkEtcdTLSSecret says what is wrong with the Secret's data ("" when nothing): a missing or empty key,
// a CA that is not PEM certificates, or a client certificate and key that are not a pair.
func checkEtcdTLSSecret(data map[string][]byte) string {
	var missing []string
	for _, k := range etcdTLSKeys {
		if len(data[k]) == 0 {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return fmt.Sprintf("lacks %s; it needs %s", strings.Join(missing, ", "), strings.Join(etcdTLSKeys, ", "))
	}
	if _, err := certs.ParseCerts(data[etcdCAKey]); err != nil {
		return fmt.Sprintf("has an unusable %s: %v", etcdCAKey, err)
	}
	if _, err := tls.X509KeyPair(data[corev1.TLSCertKey], data[corev1.TLSPrivateKeyKey]); err != nil {
		return fmt.Sprintf("has %s and %s that are not a usable pair: %v", corev1.TLSCertKey, corev1.TLSPrivateKeyKey, err)
	}
	return ""
}

// etcdTLSHash hashes the three keys the pods read (other keys of the Secret do not roll them).
func etcdTLSHash(data map[string][]byte) string {
	h := sha256.New()
	for _, k := range etcdTLSKeys {
		_ = binary.Write(h, binary.BigEndian, uint64(len(data[k]))) // writing to a hash cannot fail
		h.Write(data[k])
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}
