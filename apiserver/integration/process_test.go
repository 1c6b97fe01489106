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
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	restclient "k8s.io/client-go/rest"

	"example.com/aggregation-operator/apiserver/generated/clientset/versioned"
	"example.com/aggregation-operator/internal/testutil"
)

// These tests run the apiserver binary (go build ./cmd/apiserver) as a user or the kubelet would.

// TestProcessListensOnItsSecurePortOnly: the server's only TCP listener is its secure port; the
// embedded etcd serves it over a unix socket, out of reach of anything else in the pod's network
// namespace. MetricSnapshots are stored and read back through it.
func TestProcessListensOnItsSecurePortOnly(t *testing.T) {
	p := runAPIServer(t, t.TempDir(), "--local", "--source="+unreachable)
	p.waitReady(t)
	client, err := versioned.NewForConfig(&restclient.Config{Host: p.URL, BearerToken: "local", TLSClientConfig: restclient.TLSClientConfig{Insecure: true}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxFor(t, 30*time.Second)
	if _, err := client.MetricsV1().MetricSnapshots(ns).Create(ctx, snapshot("stored", "prometheus", "up"), metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating a MetricSnapshot: %v", err)
	}
	if _, err := client.MetricsV1().MetricSnapshots(ns).Get(ctx, "stored", metav1.GetOptions{}); err != nil {
		t.Fatalf("reading it back: %v", err)
	}
	if ports := testutil.ListeningTCPPorts(t, p.cmd.Process.Pid); !slices.Equal(ports, []int{p.Port}) {
		t.Fatalf("listening TCP ports %v, want only the secure port %d", ports, p.Port)
	}
}

// TestProcessRefusesADataDirInUse: a second server on the --data-dir of a running one exits within
// seconds saying the dir is in use (etcd's own lock would make it wait forever, silently), and the
// first goes on serving.
func TestProcessRefusesADataDirInUse(t *testing.T) {
	dir := t.TempDir()
	first := runAPIServer(t, t.TempDir(), "--local", "--data-dir="+dir)
	first.waitReady(t)
	start := time.Now()
	second := runAPIServer(t, t.TempDir(), "--local", "--data-dir="+dir)
	if code := second.wait(t, 15*time.Second); code == 0 {
		t.Fatalf("the second server exited 0 after %s", time.Since(start))
	}
	out := second.out.String()
	for _, want := range []string{dir, "in use by another server", "--data-dir"} {
		if !strings.Contains(out, want) {
			t.Errorf("the second server's error does not say %q:\n%s", want, out)
		}
	}
	t.Logf("second server exited after %s: %s", time.Since(start).Round(time.Millisecond), strings.TrimSpace(out))
	if code, body := get(t, first.URL+"/readyz"); code != http.StatusOK {
		t.Fatalf("the first server after the second's attempt: /readyz %d %s", code, body)
	}
}

// TestProcessStopsOnSIGTERM: one SIGTERM stops the server within --shutdown-timeout, exit status 0,
// and its temporary data dir is gone.
func TestProcessStopsOnSIGTERM(t *testing.T) {
	tmp := t.TempDir()
	p := runAPIServer(t, tmp, "--local", "--shutdown-timeout=10s")
	p.waitReady(t)
	if entries := tmpEntries(t, tmp); len(entries) != 1 || !strings.HasPrefix(entries[0], "metricsnapshot-apiserver-") {
		t.Fatalf("while serving: want the temporary data dir in TMPDIR, got %v", entries)
	}
	p.terminate(t)
	if code := p.wait(t, 15*time.Second); code != 0 {
		t.Fatalf("exit status %d after SIGTERM, want 0", code)
	}
	if entries := tmpEntries(t, tmp); len(entries) != 0 {
		t.Fatalf("left in TMPDIR after SIGTERM: %v", entries)
	}
}

// TestProcessSecondSignalForcesExit: during a long shutdown delay, a second SIGTERM ends the process
// at once (status 1, as k8s.io/apiserver's signal handler) and still removes the temporary data dir.
func TestProcessSecondSignalForcesExit(t *testing.T) {
	tmp := t.TempDir()
	p := runAPIServer(t, tmp, "--local", "--shutdown-delay-duration=10m")
	p.waitReady(t)
	p.terminate(t)
	testutil.Eventually(t, 30*time.Second, "/readyz failing after SIGTERM", func(context.Context) error {
		if code, _ := get(t, p.URL+"/readyz"); code == http.StatusOK {
			return fmt.Errorf("/readyz still %d", code)
		}
		return nil
	})
	p.terminate(t)
	if code := p.wait(t, 15*time.Second); code != 1 {
		t.Fatalf("exit status %d after a second SIGTERM, want 1", code)
	}
	if out := p.out.String(); !strings.Contains(out, "second stop signal") {
		t.Errorf("the log does not say why it exited:\n%s", out)
	}
	if entries := tmpEntries(t, tmp); len(entries) != 0 {
		t.Fatalf("left in TMPDIR after a forced exit: %v", entries)
	}
}

// TestProcessFailuresLeaveNoTemporaryDir: a --local server that fails, before or after it made its
// temporary data dir and started etcd, exits non-zero saying why and leaves nothing in TMPDIR.
func TestProcessFailuresLeaveNoTemporaryDir(t *testing.T) {
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	for _, tc := range []struct {
		name    string
		args    []string
		wantOut string
	}{
		{"flag validation", []string{"--bind-address=0.0.0.0"}, "--local-allow-non-loopback"},
		{"bad --source", []string{"--source=bad"}, "--source"},
		{"secure port in use (after etcd started)", []string{fmt.Sprintf("--secure-port=%d", held.Addr().(*net.TCPAddr).Port)}, "address already in use"},
		{"missing certificate (after etcd started)", []string{"--tls-cert-file=/nonexistent/tls.crt", "--tls-private-key-file=/nonexistent/tls.key"}, "/nonexistent/tls.crt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmp := t.TempDir()
			p := runAPIServer(t, tmp, append([]string{"--local"}, tc.args...)...)
			if code := p.wait(t, time.Minute); code == 0 {
				t.Fatal("exited 0")
			}
			if out := p.out.String(); !strings.Contains(out, tc.wantOut) {
				t.Errorf("the error does not say %q:\n%s", tc.wantOut, out)
			}
			if entries := tmpEntries(t, tmp); len(entries) != 0 {
				t.Fatalf("left in TMPDIR: %v", entries)
			}
		})
	}
}

// tmpEntries lists what is in dir (a process's TMPDIR).
func tmpEntries(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names
}
