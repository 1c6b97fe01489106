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

package cluster

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
)

// EtcdClientSecret is the Secret EtcdManifest writes next to its etcd, and EtcdTLS.ClientSecretManifest in
// other namespaces: ca.crt, tls.crt, tls.key, what a CustomApiServer's spec.storage.etcd.tlsSecretRef names.
const EtcdClientSecret = "etcd-client"

// etcdServerSecret holds etcd's own certificate; etcdTLSDir is where the etcd pod mounts it.
const (
	etcdServerSecret = "etcd-server-tls"
	etcdTLSDir       = "/etc/etcd/tls"
)

// EtcdTLS is the PKI of an etcd that serves clients over TLS only and asks them for a certificate: a CA,
// etcd's serving certificate, and one client certificate for every apiserver (PEM).
type EtcdTLS struct {
	CA, ServerCert, ServerKey, ClientCert, ClientKey []byte
}

// NewEtcdTLS issues the certificates of an etcd reached as the Service `etcd` of ns, from this namespace
// (https://etcd:2379) or another (https://etcd.<ns>.svc:2379). The serving certificate is a client
// certificate too: etcd's gRPC gateway dials etcd itself with it.
func NewEtcdTLS(ns string) (*EtcdTLS, error) {
	ca, caDER, err := makeCA("aggop e2e etcd CA " + ns)
	if err != nil {
		return nil, fmt.Errorf("making the etcd CA of %s: %w", ns, err)
	}
	server, serverKey, err := makeCert(ca, certRequest{file: "etcd-server", cn: "etcd", server: true, client: true,
		dns: []string{"etcd", "etcd." + ns, "etcd." + ns + ".svc", "etcd." + ns + ".svc.cluster.local", "localhost"},
		ips: []string{"127.0.0.1"}})
	if err != nil {
		return nil, err
	}
	client, clientKey, err := makeCert(ca, certRequest{file: "etcd-client", cn: "aggop-apiserver", client: true})
	if err != nil {
		return nil, err
	}
	t := &EtcdTLS{CA: pemOf("CERTIFICATE", caDER), ServerCert: pemOf("CERTIFICATE", server), ClientCert: pemOf("CERTIFICATE", client)}
	if t.ServerKey, err = keyPEM(serverKey); err != nil {
		return nil, err
	}
	if t.ClientKey, err = keyPEM(clientKey); err != nil {
		return nil, err
	}
	return t, nil
}

// ClientSecretManifest is the Secret EtcdClientSecret in ns with the client certificate and the CA.
func (t *EtcdTLS) ClientSecretManifest(ns string) string {
	return tlsSecretManifest(ns, EtcdClientSecret, t.CA, t.ClientCert, t.ClientKey)
}

func tlsSecretManifest(ns, name string, ca, cert, key []byte) string {
	b64 := base64.StdEncoding.EncodeToString
	return fmt.Sprintf(`apiVersion: v1
kind: Secret
metadata: {name: %s, namespace: %s}
type: Opaque
data:
  ca.crt: %s
  tls.crt: %s
  tls.key: %s
`, name, ns, b64(ca), b64(cert), b64(key))
}

// EtcdManifest is a one-member etcd Deployment and Service `etcd` in ns, as the tutorial assumes. With t it
// serves clients only over TLS at https://etcd:2379 and asks them for a certificate of t's CA; the Secrets
// etcdServerSecret (its own) and EtcdClientSecret (for the apiservers) come with it, and its probe and
// /metrics use a plain listener on 2381 (a kubelet probe has no client certificate). Without t it serves
// plain http://etcd:2379 (hack/bench, whose figures compare with the README's). Applied again with other
// certificates, etcd restarts on them (its pod template carries their hash), with empty data.
func (c Config) EtcdManifest(ns string, t *EtcdTLS) string {
	scheme, args, probePort, annotations, mounts, volumes, secrets := "http", "", 2379, "", "", "", ""
	if t != nil {
		scheme, probePort = "https", 2381
		args = fmt.Sprintf(`
        - --cert-file=%[1]s/tls.crt
        - --key-file=%[1]s/tls.key
        - --trusted-ca-file=%[1]s/ca.crt
        - --client-cert-auth
        - --listen-metrics-urls=http://0.0.0.0:2381`, etcdTLSDir)
		sum := sha256.Sum256(append(append([]byte{}, t.CA...), t.ServerCert...))
		annotations = ", annotations: {aggop.test/etcd-tls: " + hex.EncodeToString(sum[:8]) + "}"
		mounts = "\n        - {name: tls, mountPath: " + etcdTLSDir + ", readOnly: true}"
		volumes = "\n      - name: tls\n        secret: {secretName: " + etcdServerSecret + "}"
		// First, so the pod finds its Secret when it starts.
		secrets = tlsSecretManifest(ns, etcdServerSecret, t.CA, t.ServerCert, t.ServerKey) +
			"---\n" + t.ClientSecretManifest(ns) + "---\n"
	}
	return fmt.Sprintf(`%[9]sapiVersion: apps/v1
kind: Deployment
metadata: {name: etcd, namespace: %[1]s, labels: {app: etcd}}
spec:
  replicas: 1
  strategy: {type: Recreate}
  selector: {matchLabels: {app: etcd}}
  template:
    metadata: {labels: {app: etcd}%[4]s}
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532}
      containers:
      - name: etcd
        image: %[2]s
        imagePullPolicy: Never
        args:
        - --name=etcd
        - --data-dir=/var/lib/etcd
        - --listen-client-urls=%[3]s://0.0.0.0:2379
        - --advertise-client-urls=%[3]s://etcd:2379
        - --listen-peer-urls=http://127.0.0.1:2380
        - --initial-advertise-peer-urls=http://127.0.0.1:2380
        - --initial-cluster=etcd=http://127.0.0.1:2380%[5]s
        ports:
        - {name: client, containerPort: 2379}
        readinessProbe:
          httpGet: {path: /health, port: %[6]d}
          periodSeconds: 2
        securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true}
        volumeMounts:
        - {name: data, mountPath: /var/lib/etcd}%[7]s
      volumes:
      - name: data
        emptyDir: {}%[8]s
---
apiVersion: v1
kind: Service
metadata: {name: etcd, namespace: %[1]s}
spec:
  selector: {app: etcd}
  ports:
  - {name: client, port: 2379, targetPort: 2379}
`, ns, EtcdImage, scheme, annotations, args, probePort, mounts, volumes, secrets)
}

func pemOf(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func keyPEM(key *ecdsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encoding an etcd key: %w", err)
	}
	return pemOf(keyPEMType, der), nil
}
