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
	"strings"
	"testing"

	"example.com/aggregation-operator/apiserver/internal/testserver"
)

// TestAPIGroupKubectl: with --api-group the real kubectl applies server-side (the OpenAPI schemas
// carry the served group), shows the server's columns and explains the spec.
func TestAPIGroupKubectl(t *testing.T) {
	server := testserver.Start(t, "--api-group="+widgets, "--source="+unreachable)
	kubeconfig := server.Kubeconfig(t)
	file := filepath.Join(t.TempDir(), "snapshot.yaml")
	if err := os.WriteFile(file, []byte(strings.Replace(manifest, "metrics.example.com/v1", widgets+"/v1", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	run := kubectlRunner(t, kubeconfig)

	if out := run("apply", "--server-side", "--field-manager=kubectl-test", "-f", file); !strings.Contains(out, "metricsnapshot."+widgets+"/app-metrics serverside-applied") {
		t.Fatalf("apply --server-side: %s", out)
	}
	run("apply", "--server-side", "--field-manager=kubectl-test", "-f", file)
	if out := run("get", "metricsnapshots", "-o", "jsonpath={.items[0].metadata.managedFields[0].apiVersion}"); out != widgets+"/v1" {
		t.Fatalf("managed fields tracked in %q, want %s/v1", out, widgets)
	}

	out := run("get", "metricsnapshots")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if got := strings.Join(strings.Fields(lines[0]), " "); got != "NAME SOURCE METRICS INTERVAL COLLECTED LAST-COLLECTED AGE" {
		t.Fatalf("get: want columns NAME SOURCE METRICS INTERVAL COLLECTED LAST-COLLECTED AGE, got %q", lines[0])
	}
	if row := strings.Fields(lines[len(lines)-1]); len(lines) != 2 || row[0] != "app-metrics" || row[1] != "prometheus" {
		t.Fatalf("get: unexpected rows\n%s", out)
	}
	if out := run("get", "ms", "--field-selector=spec.source=prometheus", "-o", "name"); strings.TrimSpace(out) != "metricsnapshot."+widgets+"/app-metrics" {
		t.Fatalf("get by spec.source: %q", out)
	}

	explain := run("explain", "metricsnapshot.spec")
	for _, want := range []string{"GROUP:      " + widgets, "source", "metrics", "Interval between two collections"} {
		if !strings.Contains(explain, want) {
			t.Fatalf("explain metricsnapshot.spec lacks %q:\n%s", want, explain)
		}
	}
	run("delete", "-f", file)
}
