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
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"example.com/aggregation-operator/apiserver/internal/testserver"
	"example.com/aggregation-operator/internal/testutil"
)

const manifest = `apiVersion: metrics.example.com/v1
kind: MetricSnapshot
metadata:
  name: app-metrics
  namespace: default
spec:
  source: prometheus
  metrics:
  - cpu_usage
  - memory_usage
  - request_count
  - |
    sum by (job) (
      rate(http_requests_total[5m])
    )
  interval: 60s
`

// TestKubectl drives the local-mode server with the real kubectl: server-side apply, get with
// the table columns, field selectors and explain from the published OpenAPI.
func TestKubectl(t *testing.T) {
	server := testserver.Start(t, "--source="+unreachable)
	kubeconfig := server.Kubeconfig(t)
	file := filepath.Join(t.TempDir(), "snapshot.yaml")
	if err := os.WriteFile(file, []byte(manifest), 0o600); err != nil {
		t.Fatal(err)
	}
	run := kubectlRunner(t, kubeconfig)

	// The manifest is v1, deprecated: kubectl prints the server's Warning.
	if out := run("apply", "--server-side", "--field-manager=kubectl-test", "-f", file); !strings.Contains(out, "serverside-applied") ||
		!strings.Contains(out, "Warning: metrics.example.com/v1 MetricSnapshot is deprecated in v1.37+; use metrics.example.com/v2 MetricSnapshot") {
		t.Fatalf("apply --server-side: want applied with v1's deprecation warning, got %s", out)
	}
	// Applying the same manifest again is a no-op, not a conflict: 60s is stored as 1m, and the
	// generation stays.
	run("apply", "--server-side", "--field-manager=kubectl-test", "-f", file)
	if out := run("get", "ms", "app-metrics", "-o", "jsonpath={.metadata.generation} {.spec.interval}"); out != "1 1m" {
		t.Fatalf("after applying interval 60s twice: generation and interval %q, want 1 1m", out)
	}
	// The YAML block scalar is stored as written, newlines included (read as v2, the preferred version).
	if out := run("get", "ms", "app-metrics", "-o", "jsonpath={.spec.metrics[3].query}"); out != "sum by (job) (\n  rate(http_requests_total[5m])\n)\n" {
		t.Fatalf("multi-line metric stored as %q", out)
	}

	out := run("get", "metricsnapshots")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if got := strings.Fields(lines[0]); strings.Join(got, " ") != "NAME SOURCE METRICS INTERVAL COLLECTED LAST-COLLECTED AGE" {
		t.Fatalf("get: want columns NAME SOURCE METRICS INTERVAL COLLECTED LAST-COLLECTED AGE, got %q", lines[0])
	}
	row := strings.Fields(lines[1])
	if len(lines) != 2 || row[0] != "app-metrics" || row[1] != "prometheus" || !strings.HasPrefix(row[2], "cpu_usage,memory_usage,request_count") || !strings.Contains(out, "1m") {
		t.Fatalf("get: unexpected rows\n%s", out)
	}
	// The source is unreachable: not collected yet, then failed; never collected.
	if collected := row[len(row)-3]; collected != "Unknown" && collected != "False" {
		t.Fatalf("get: COLLECTED %q, want Unknown or False\n%s", collected, out)
	}

	// Refusals name the field and what is allowed.
	dup := writeManifest(t, strings.Replace(manifest, "  - memory_usage\n", "  - \" cpu_usage\"\n", 1))
	if out := kubectlFails(t, kubeconfig, "apply", "--server-side", "--field-manager=kubectl-test", "-f", dup); !strings.Contains(out,
		`spec.metrics[1]: Duplicate value: " cpu_usage": the same expression as spec.metrics[0]`) {
		t.Fatalf("a re-spaced duplicate must be refused at spec.metrics[1]:\n%s", out)
	}
	if out := run("get", "ms", "--field-selector=spec.source=prometheus", "-o", "name"); strings.TrimSpace(out) != "metricsnapshot.metrics.example.com/app-metrics" {
		t.Fatalf("get by spec.source: %q", out)
	}
	if out := run("get", "ms", "--field-selector=spec.source=other", "-o", "name"); strings.TrimSpace(out) != "" {
		t.Fatalf("get by another source must list nothing: %q", out)
	}

	explain := run("explain", "metricsnapshot.spec")
	for _, field := range []string{"source", "metrics", "interval", "Interval between two collections"} {
		if !strings.Contains(explain, field) {
			t.Fatalf("explain metricsnapshot.spec lacks %q:\n%s", field, explain)
		}
	}
	if explain := run("explain", "metricsnapshot.status.conditions"); !strings.Contains(explain, "lastTransitionTime") {
		t.Fatalf("explain metricsnapshot.status.conditions lacks the Condition schema:\n%s", explain)
	}

	run("delete", "-f", file)
	if out := run("get", "metricsnapshots", "-o", "name"); strings.TrimSpace(out) != "" {
		t.Fatalf("after delete: %q", out)
	}
}

// kubectlFails runs the real kubectl, expecting it to fail, and returns its output.
func kubectlFails(t *testing.T, kubeconfig string, args ...string) string {
	t.Helper()
	out, err := kubectl(t, kubeconfig, args...)
	if err == nil {
		t.Fatalf("kubectl %s succeeded, want a refusal:\n%s", strings.Join(args, " "), out)
	}
	return out
}

// kubectlRunner returns a function running the real kubectl against kubeconfig, failing the test
// with kubectl's output on an error; each call is bounded by a minute.
func kubectlRunner(t *testing.T, kubeconfig string) func(args ...string) string {
	return func(args ...string) string {
		t.Helper()
		out, err := kubectl(t, kubeconfig, args...)
		if err != nil {
			t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
}

// kubectl runs the real kubectl against kubeconfig for at most a minute and returns its output.
func kubectl(t *testing.T, kubeconfig string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, filepath.Join(testutil.KubeBin(t), "kubectl"), append([]string{"--kubeconfig=" + kubeconfig}, args...)...).CombinedOutput()
	return string(out), err
}
