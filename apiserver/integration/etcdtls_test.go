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

package integration

import (
	"os"
	"path/filepath"
	"testing"

	"example.com/aggregation-operator/apiserver/internal/testenv"
	"example.com/aggregation-operator/apiserver/internal/testserver"
	"example.com/aggregation-operator/test/cluster"
)

// The apiserver stores in an etcd that serves only TLS and asks for a client certificate, given the flags
// the operator passes for spec.storage.etcd.tlsSecretRef (--etcd-cafile, --etcd-certfile, --etcd-keyfile
// naming ca.crt, tls.crt, tls.key of the mounted Secret), with the e2e suite's etcd PKI.
func TestAPIOnExternalEtcdOverTLS(t *testing.T) {
	pki, err := cluster.NewEtcdTLS("test")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := func(name string, pem []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ca := file("ca.crt", pki.CA)
	etcd := testenv.StartEtcdTLS(t, testenv.EtcdTLSFiles{CA: ca, Cert: file("etcd.crt", pki.ServerCert), Key: file("etcd.key", pki.ServerKey)})
	server := testserver.Start(t, "--etcd-servers="+etcd.URL, "--etcd-cafile="+ca,
		"--etcd-certfile="+file("tls.crt", pki.ClientCert), "--etcd-keyfile="+file("tls.key", pki.ClientKey), "--source="+unreachable)
	keep(t, server.Client)
	kept(t, server.Client)
}
