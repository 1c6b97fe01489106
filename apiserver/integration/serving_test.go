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
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	certutil "k8s.io/client-go/util/cert"

	"example.com/aggregation-operator/apiserver/internal/testenv"
	"example.com/aggregation-operator/apiserver/internal/testserver"
	"example.com/aggregation-operator/internal/testutil"
)

var insecure = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // self-signed test servers

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := insecure.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestServingEndpoints: health, metrics and both OpenAPI documents are served.
func TestServingEndpoints(t *testing.T) {
	server := testserver.Start(t, "--source="+unreachable)
	for _, path := range []string{"/livez", "/readyz", "/healthz"} {
		if code, body := get(t, server.URL+path); code != http.StatusOK {
			t.Errorf("%s: %d %s", path, code, body)
		}
	}
	if code, body := get(t, server.URL+"/metrics"); code != http.StatusOK || !strings.Contains(body, "apiserver_request_total") {
		t.Errorf("/metrics: %d, apiserver_request_total present: %v", code, strings.Contains(body, "apiserver_request_total"))
	}
	code, v2 := get(t, server.URL+"/openapi/v2")
	if code != http.StatusOK || !strings.Contains(v2, "com.example.aggregation-operator.apiserver.apis.metrics.v1.MetricSnapshotSpec") {
		t.Errorf("/openapi/v2: %d, MetricSnapshotSpec present: %v", code, strings.Contains(v2, "MetricSnapshotSpec"))
	}
	code, index := get(t, server.URL+"/openapi/v3")
	var paths struct {
		Paths map[string]json.RawMessage `json:"paths"`
	}
	if code != http.StatusOK || json.Unmarshal([]byte(index), &paths) != nil || paths.Paths["apis/metrics.example.com/v1"] == nil {
		t.Fatalf("/openapi/v3 does not list apis/metrics.example.com/v1: %d %s", code, index)
	}
	if code, v3 := get(t, server.URL+"/openapi/v3/apis/metrics.example.com/v1"); code != http.StatusOK || !strings.Contains(v3, "MetricSnapshotStatus") {
		t.Errorf("/openapi/v3/apis/metrics.example.com/v1: %d, MetricSnapshotStatus present: %v", code, strings.Contains(v3, "MetricSnapshotStatus"))
	}
}

// TestReadyzFollowsStorage: /readyz fails while etcd is unreachable.
func TestReadyzFollowsStorage(t *testing.T) {
	etcd := testenv.StartEtcd(t)
	server := testserver.Start(t, "--etcd-servers="+etcd.URL, "--source="+unreachable)
	etcd.Stop()
	var body string
	testutil.Eventually(t, 60*time.Second, "/readyz failing with etcd stopped", func(context.Context) error {
		var code int
		if code, body = get(t, server.URL+"/readyz?verbose"); code == http.StatusOK {
			return fmt.Errorf("/readyz still OK: %s", body)
		}
		return nil
	})
	if !strings.Contains(body, "etcd") {
		t.Fatalf("/readyz failure does not name etcd: %s", body)
	}
}

// TestServingCertificateReloads: the server serves tls.crt/tls.key from --cert-dir and picks up
// new files without a restart (a rotated Secret).
func TestServingCertificateReloads(t *testing.T) {
	dir := t.TempDir()
	writePair(t, dir, "first.example")
	server := testserver.Start(t, "--cert-dir="+dir, "--source="+unreachable)
	if got := servedName(t, server.URL); got != "first.example" {
		t.Fatalf("serving %q, want the certificate from --cert-dir (first.example)", got)
	}
	writePair(t, dir, "second.example")
	testutil.Eventually(t, 90*time.Second, "the new certificate served", func(context.Context) error {
		if got := servedName(t, server.URL); got != "second.example" {
			return fmt.Errorf("still serving %q after the files changed", got)
		}
		return nil
	})
}

// writePair writes a self-signed tls.crt/tls.key for host (valid for 127.0.0.1 too), replacing
// the files atomically as a Secret volume update does.
func writePair(t *testing.T, dir, host string) {
	t.Helper()
	certPEM, keyPEM, err := certutil.GenerateSelfSignedCertKey(host, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"tls.key": keyPEM, "tls.crt": certPEM} {
		tmp := filepath.Join(dir, "."+name+".tmp")
		if err := os.WriteFile(tmp, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
}

func servedName(t *testing.T, url string) string {
	t.Helper()
	conn, err := tls.Dial("tcp", strings.TrimPrefix(url, "https://"), &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // inspecting the served certificate
	if err != nil {
		t.Fatalf("dialing %s: %v", url, err)
	}
	defer conn.Close()
	leaf := conn.ConnectionState().PeerCertificates[0]
	// certutil names self-signed certificates host@timestamp.
	name, _, _ := strings.Cut(leaf.Subject.CommonName, "@")
	return name
}
