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
	"crypto/tls"
	"crypto/x509"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// The etcd PKI does what etcd and its clients check: a mutual TLS handshake on every name the apiservers
// dial (from the namespace and from others), with the client certificate the Secret holds.
func TestEtcdTLSHandshake(t *testing.T) {
	pki, err := NewEtcdTLS("team-a")
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pki.CA) {
		t.Fatal("CA is not PEM")
	}
	server, err := tls.X509KeyPair(pki.ServerCert, pki.ServerKey)
	if err != nil {
		t.Fatal(err)
	}
	client, err := tls.X509KeyPair(pki.ClientCert, pki.ClientKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"etcd", "etcd.team-a.svc", "etcd.team-a.svc.cluster.local"} {
		t.Run(name, func(t *testing.T) {
			ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{server},
				ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS12})
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			accepted := make(chan error, 1)
			go func() {
				c, err := ln.Accept()
				if err == nil {
					err = c.(*tls.Conn).Handshake()
					c.Close()
				}
				accepted <- err
			}()
			c, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{RootCAs: pool, ServerName: name,
				Certificates: []tls.Certificate{client}, MinVersion: tls.VersionTLS12})
			if err != nil {
				t.Fatalf("dialling etcd as %s: %v", name, err)
			}
			c.Close()
			if err := <-accepted; err != nil {
				t.Errorf("etcd refused the client certificate: %v", err)
			}
		})
	}
}

// The manifest is YAML objects kubectl can apply, with the Secrets the sample names only over TLS.
func TestEtcdManifest(t *testing.T) {
	pki, err := NewEtcdTLS("team-a")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		pki   *EtcdTLS
		kinds []string
		has   []string
	}{
		{"tls", pki, []string{"Secret", "Secret", "Deployment", "Service"}, []string{"--client-cert-auth", "https://0.0.0.0:2379", "name: " + EtcdClientSecret}},
		{"plain", nil, []string{"Deployment", "Service"}, []string{"http://0.0.0.0:2379"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := Config{}.EtcdManifest("team-a", tc.pki)
			var kinds []string
			for _, doc := range strings.Split(m, "\n---\n") {
				var o struct {
					Kind     string `json:"kind"`
					Metadata struct {
						Namespace string `json:"namespace"`
					} `json:"metadata"`
				}
				if err := yaml.UnmarshalStrict([]byte(doc), &o); err != nil && !strings.Contains(err.Error(), "unknown field") {
					t.Fatalf("%v in\n%s", err, doc)
				}
				if o.Metadata.Namespace != "team-a" {
					t.Errorf("%s in namespace %q", o.Kind, o.Metadata.Namespace)
				}
				kinds = append(kinds, o.Kind)
			}
			if strings.Join(kinds, ",") != strings.Join(tc.kinds, ",") {
				t.Errorf("kinds %v, want %v", kinds, tc.kinds)
			}
			for _, s := range tc.has {
				if !strings.Contains(m, s) {
					t.Errorf("manifest lacks %q:\n%s", s, m)
				}
			}
		})
	}
}
