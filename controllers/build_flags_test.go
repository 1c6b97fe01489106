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

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
)

// The flags each contract passes, exactly as README ("Flags the operator passes") lists them.
func TestContractArgs(t *testing.T) {
	stateless := func(c *aggv1alpha1.CustomApiServer) { c.Spec.Storage = nil }
	files := func(c *aggv1alpha1.CustomApiServer) {
		c.Spec.Flags.ServingCert = &aggv1alpha1.ServingCertFlags{Files: &aggv1alpha1.CertFileFlags{}}
	}
	tests := []struct {
		name string
		cas  *aggv1alpha1.CustomApiServer
		want []string
	}{
		{"defaults (spec.flags empty, as before the API server defaults it)", specCAS(),
			[]string{"--secure-port=6443", "--cert-dir=/var/run/serving-cert", "--etcd-servers=http://etcd:2379"}},
		{"stateless: no storage flag", specCAS(stateless),
			[]string{"--secure-port=6443", "--cert-dir=/var/run/serving-cert"}},
		{"stateless, certificate files (metrics-server)", specCAS(stateless, files, func(c *aggv1alpha1.CustomApiServer) { c.Spec.SecurePort = 10250 }),
			[]string{"--secure-port=10250", "--tls-cert-file=/var/run/serving-cert/tls.crt", "--tls-private-key-file=/var/run/serving-cert/tls.key"}},
		{"every flag renamed", specCAS(func(c *aggv1alpha1.CustomApiServer) {
			c.Spec.Flags = aggv1alpha1.ServerFlags{SecurePort: "--https-port", EtcdServers: "--etcd",
				ServingCert: &aggv1alpha1.ServingCertFlags{Files: &aggv1alpha1.CertFileFlags{CertFile: "-cert", KeyFile: "-key"}}}
		}), []string{"--https-port=6443", "-cert=/var/run/serving-cert/tls.crt", "-key=/var/run/serving-cert/tls.key", "--etcd=http://etcd:2379"}},
		{"etcd over TLS: the client files of the mounted Secret", specCAS(func(c *aggv1alpha1.CustomApiServer) {
			c.Spec.Storage.Etcd = &aggv1alpha1.EtcdStorage{Servers: []string{"https://etcd-0:2379", "https://etcd-1:2379"},
				TLSSecretRef: &aggv1alpha1.EtcdTLSSecretReference{Name: "etcd-client"}}
		}), []string{"--secure-port=6443", "--cert-dir=/var/run/serving-cert", "--etcd-servers=https://etcd-0:2379,https://etcd-1:2379",
			"--etcd-cafile=/var/run/etcd-client-tls/ca.crt", "--etcd-certfile=/var/run/etcd-client-tls/tls.crt", "--etcd-keyfile=/var/run/etcd-client-tls/tls.key"}},
		{"etcd over TLS under other names", specCAS(func(c *aggv1alpha1.CustomApiServer) {
			c.Spec.Storage.Etcd = &aggv1alpha1.EtcdStorage{Servers: []string{"https://etcd:2379"}, TLSSecretRef: &aggv1alpha1.EtcdTLSSecretReference{Name: "etcd-client"}}
			c.Spec.Flags = aggv1alpha1.ServerFlags{EtcdServers: "--etcd", EtcdCAFile: "--etcd-ca", EtcdCertFile: "--etcd-cert", EtcdKeyFile: "--etcd-key"}
		}), []string{"--secure-port=6443", "--cert-dir=/var/run/serving-cert", "--etcd=https://etcd:2379",
			"--etcd-ca=/var/run/etcd-client-tls/ca.crt", "--etcd-cert=/var/run/etcd-client-tls/tls.crt", "--etcd-key=/var/run/etcd-client-tls/tls.key"}},
		{"embedded storage under another name", specCAS(func(c *aggv1alpha1.CustomApiServer) {
			c.Spec.Replicas, c.Spec.Storage = 1, &aggv1alpha1.StorageSpec{Embedded: &aggv1alpha1.EmbeddedStorage{}}
			c.Spec.Flags.DataDir = "--state-dir"
			c.Spec.Flags.ServingCert = &aggv1alpha1.ServingCertFlags{CertDir: &aggv1alpha1.CertDirFlags{Flag: "--certs", PairName: "apiserver"}}
		}), []string{"--secure-port=6443", "--certs=/var/run/serving-cert", "--state-dir=/var/lib/metricsnapshot"}},
		{"postgres", specCAS(postgres), []string{"--secure-port=6443", "--cert-dir=/var/run/serving-cert",
			"--storage-backend=postgres", "--postgres-dsn-file=/var/run/postgres-dsn/dsn"}},
		{"postgres under other names", specCAS(postgres, func(c *aggv1alpha1.CustomApiServer) {
			c.Spec.Flags.StorageBackend, c.Spec.Flags.PostgresDSNFile = "--store", "--dsn-path"
		}), []string{"--secure-port=6443", "--cert-dir=/var/run/serving-cert", "--store=postgres", "--dsn-path=/var/run/postgres-dsn/dsn"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := contractArgs(tc.cas, 0); !slices.Equal(got, tc.want) {
				t.Errorf("args %v, want %v", got, tc.want)
			}
		})
	}
}

// postgres keeps the objects in PostgreSQL, with 3 replicas (any number is allowed).
func postgres(c *aggv1alpha1.CustomApiServer) {
	c.Spec.Replicas = 3
	c.Spec.Storage = &aggv1alpha1.StorageSpec{Postgres: &aggv1alpha1.PostgresStorage{
		DSNSecretRef: aggv1alpha1.PostgresDSNSecretRef{Name: "metrics-db", Key: "dsn"}}}
}

// Only the DSN's key of the Secret is mounted; no volume without postgres.
func TestPostgresDSNVolume(t *testing.T) {
	if v := postgresDSNVolume(specCAS()); v != nil {
		t.Fatalf("a volume without postgres: %+v", v)
	}
	v := postgresDSNVolume(specCAS(postgres))
	if s := v.Secret; s == nil || *s.SecretName != "metrics-db" || len(s.Items) != 1 || *s.Items[0].Key != "dsn" || *s.Items[0].Path != "dsn" {
		t.Fatalf("volume %+v: want the key dsn of Secret metrics-db only", v.Secret)
	}
}

// The serving Secret's keys appear under the names the server reads.
func TestServingCertVolume(t *testing.T) {
	tests := []struct {
		name  string
		flags *aggv1alpha1.ServingCertFlags
		want  []string // key=path items; none: the whole Secret as it is (tls.crt, tls.key)
	}{
		{"default pair name tls", nil, nil},
		{"pair name tls given", &aggv1alpha1.ServingCertFlags{CertDir: &aggv1alpha1.CertDirFlags{PairName: "tls"}}, nil},
		{"pair name apiserver (sample-apiserver, metrics-server)", &aggv1alpha1.ServingCertFlags{CertDir: &aggv1alpha1.CertDirFlags{PairName: "apiserver"}},
			[]string{"tls.crt=apiserver.crt", "tls.key=apiserver.key"}},
		{"files", &aggv1alpha1.ServingCertFlags{Files: &aggv1alpha1.CertFileFlags{}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cas := specCAS(func(c *aggv1alpha1.CustomApiServer) { c.Spec.Flags.ServingCert = tc.flags })
			v := servingCertVolume(cas, namesFor(cas))
			if *v.Secret.SecretName != cas.Name+"-serving-cert" {
				t.Errorf("Secret %s", *v.Secret.SecretName)
			}
			var got []string
			for _, it := range v.Secret.Items {
				got = append(got, *it.Key+"="+*it.Path)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("items %v, want %v", got, tc.want)
			}
		})
	}
}
