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

package testenv

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"example.com/aggregation-operator/internal/testutil"
)

// Etcd is an external etcd process (built from source into bin/k8s) on loopback ports.
type Etcd struct {
	URL  string
	proc process
}

// StartEtcd starts etcd and waits until it is healthy; it is stopped at cleanup.
func StartEtcd(t testing.TB) *Etcd {
	t.Helper()
	client := fmt.Sprintf("http://127.0.0.1:%d", testutil.FreePort(t))
	return startEtcd(t, client, client+"/health")
}

// EtcdTLSFiles are the PEM files of an etcd that serves clients over TLS: its CA (which also signs the client
// certificates it accepts), its certificate and key (for 127.0.0.1).
type EtcdTLSFiles struct{ CA, Cert, Key string }

// StartEtcdTLS starts etcd serving clients only over TLS and asking them for a certificate of files.CA, as
// the e2e suite's etcd does; its health is read on a plain metrics listener.
func StartEtcdTLS(t testing.TB, files EtcdTLSFiles) *Etcd {
	t.Helper()
	metrics := fmt.Sprintf("http://127.0.0.1:%d", testutil.FreePort(t))
	return startEtcd(t, fmt.Sprintf("https://127.0.0.1:%d", testutil.FreePort(t)), metrics+"/health",
		"--cert-file="+files.Cert, "--key-file="+files.Key, "--trusted-ca-file="+files.CA, "--client-cert-auth",
		"--listen-metrics-urls="+metrics)
}

func startEtcd(t testing.TB, client, health string, extra ...string) *Etcd {
	t.Helper()
	peer := fmt.Sprintf("http://127.0.0.1:%d", testutil.FreePort(t))
	e := &Etcd{URL: client}
	e.proc.start(t, filepath.Join(testutil.KubeBin(t), "etcd"), append([]string{
		"--name=test", "--data-dir=" + t.TempDir(),
		"--listen-client-urls=" + client, "--advertise-client-urls=" + client,
		"--listen-peer-urls=" + peer, "--initial-advertise-peer-urls=" + peer,
		"--initial-cluster=test=" + peer, "--log-level=error"}, extra...)...)
	t.Cleanup(e.proc.stop)
	if err := waitHTTP(health, 60*time.Second); err != nil {
		t.Fatalf("etcd: %v\n%s", err, e.proc.output())
	}
	return e
}

// Stop stops etcd (also done at cleanup).
func (e *Etcd) Stop() { e.proc.stop() }
