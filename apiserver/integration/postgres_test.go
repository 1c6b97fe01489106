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
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	restclient "k8s.io/client-go/rest"

	"example.com/aggregation-operator/apiserver/generated/clientset/versioned"
	"example.com/aggregation-operator/apiserver/server"
	"example.com/aggregation-operator/internal/testutil"
)

// TestAPIOnPostgres runs the API and storage checks the etcd backends pass on a real PostgreSQL,
// through kine, with the server as a process: stopped and started again, the objects are still
// there; PostgreSQL stopped, /readyz fails, and recovers when it is back; a second replica on the
// same database sees the first one's writes. The DSN's password appears in no output.
func TestAPIOnPostgres(t *testing.T) {
	pg := testutil.StartPostgres(t)
	dsnFile := filepath.Join(t.TempDir(), "dsn")
	if err := os.WriteFile(dsnFile, []byte(pg.DSN("metricsnapshots")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	p := runAPIServer(t, tmp, "--local", "--storage-backend=postgres", "--postgres-dsn-file="+dsnFile,
		"--source="+unreachable, "--source=thanos=http://127.0.0.1:1")
	p.waitReady(t)
	c := processClient(t, p)
	exerciseAPI(t, c)
	storageSemantics(t, c)
	keep(t, c)

	pg.Stop()
	down := time.Now()
	waitReadyz(t, p, false)
	t.Logf("/readyz failed %s after PostgreSQL stopped", time.Since(down).Round(time.Millisecond))
	pg.Start()
	up := time.Now()
	waitReadyz(t, p, true)
	t.Logf("/readyz recovered %s after PostgreSQL started", time.Since(up).Round(time.Millisecond))
	kept(t, c)

	p.terminate(t)
	if code := p.wait(t, time.Minute); code != 0 {
		t.Fatalf("exit %d after SIGTERM", code)
	}
	if entries := tmpEntries(t, tmp); len(entries) != 0 {
		t.Fatalf("left in TMPDIR (kine's socket dir): %v", entries)
	}
	// Started again, with the DSN from the environment this time.
	t.Setenv(server.PostgresDSNEnv, pg.DSN("metricsnapshots"))
	again := runAPIServer(t, t.TempDir(), "--local", "--storage-backend=postgres", "--source="+unreachable)
	again.waitReady(t)
	first := processClient(t, again)
	kept(t, first)

	// A second replica on the same database sees the first one's writes, through a watch too.
	second := runAPIServer(t, t.TempDir(), "--local", "--storage-backend=postgres", "--source="+unreachable)
	second.waitReady(t)
	ctx := ctxFor(t, time.Minute)
	w, err := processClient(t, second).MetricsV1().MetricSnapshots(ns).Watch(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatalf("watch on the second replica: %v", err)
	}
	defer w.Stop()
	if _, err := first.MetricsV1().MetricSnapshots(ns).Create(ctx, snapshot("from-first", "prometheus", "up"), metav1.CreateOptions{}); err != nil {
		t.Fatalf("create on the first replica: %v", err)
	}
	expectEvent(t, w, watch.Added, "from-first")
	for _, out := range []string{p.out.String(), again.out.String(), second.out.String()} {
		if strings.Contains(out, testutil.PostgresPassword) {
			t.Fatalf("the DSN's password is in the server's output:\n%s", out)
		}
	}
}

// processClient is a client of a --local apiserver process.
func processClient(t *testing.T, p *apiserverProcess) versioned.Interface {
	t.Helper()
	c, err := versioned.NewForConfig(&restclient.Config{Host: p.URL, BearerToken: "local",
		TLSClientConfig: restclient.TLSClientConfig{Insecure: true}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// waitReadyz waits (bounded) until /readyz answers 200 (ready) or anything else (not ready).
func waitReadyz(t *testing.T, p *apiserverProcess, ready bool) {
	t.Helper()
	testutil.Eventually(t, time.Minute, "/readyz to be "+map[bool]string{true: "ready", false: "failing"}[ready], func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL+"/readyz", nil)
		if err != nil {
			return err
		}
		resp, err := insecure.Do(req)
		if err != nil {
			return err
		}
		_ = resp.Body.Close()
		if (resp.StatusCode == http.StatusOK) != ready {
			return errors.New(resp.Status)
		}
		return nil
	})
}
