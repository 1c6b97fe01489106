//go:build e2e

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

package e2e

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"example.com/aggregation-operator/internal/testutil"
)

const (
	// The sample serves v2 too, preferred (versionPriority 20 over v1's 15).
	apiServiceV2 = "v2.metrics.example.com"
	groupVerV2   = "metrics.example.com/v2"
	// v1Snapshots reads MetricSnapshots as v1 (status.data and status.errors), which kubectl no longer
	// picks by default.
	v1Snapshots = "metricsnapshots.v1.metrics.example.com"
	// v2Snapshots is the preferred version, named explicitly where the test means it.
	v2Snapshots = "metricsnapshots.v2.metrics.example.com"
	// deprecationWarning is what the apiserver sends with every v1 answer and kubectl prints.
	deprecationWarning = "Warning: metrics.example.com/v1 MetricSnapshot is deprecated in v1.37+; use metrics.example.com/v2 MetricSnapshot"
)

// bothVersions is the sample's two APIServices on the real cluster, through kube-apiserver's aggregator
// and the real kubectl: discovery prefers v2; an object created with v1 (kubectl prints the deprecation
// warning) reads as v2 with each metric named after its query; a watch opened on v1 sees an update made
// through v2; server-side apply through both keeps each manager's fields; kubectl explain shows each
// version's schema.
func bothVersions(t *testing.T) {
	start := time.Now()
	versions := kubectl(t, "api-versions")
	if !containsLine(versions, groupVerV2) || !containsLine(versions, groupVer) {
		t.Fatalf("kubectl api-versions lacks %s or %s:\n%s", groupVerV2, groupVer, versions)
	}
	if out, err := kubectlAs(cfg.Kubeconfig(), "apply", "-f", manifestFile(t, `apiVersion: metrics.example.com/v1
kind: MetricSnapshot
metadata: {name: versions, namespace: default}
spec: {source: prometheus, metrics: [up, "count(up)"], interval: 1m}
`)); err != nil || !strings.Contains(out, deprecationWarning) {
		t.Fatalf("kubectl apply of a v1 object: %v, want the deprecation warning:\n%s", err, out)
	}
	t.Cleanup(func() {
		_, _ = cfg.KubectlOutput(context.Background(), "", "delete", "metricsnapshot", "versions", "--ignore-not-found")
	})

	if out := kubectl(t, "get", "metricsnapshot", "versions", "-o", "jsonpath={.apiVersion}"); out != groupVerV2 {
		t.Errorf("kubectl get metricsnapshot reads %s, want the preferred %s", out, groupVerV2)
	}
	if out := kubectl(t, "get", v2Snapshots, "versions", "-o", `jsonpath={range .spec.metrics[*]}{.name}={.query};{end}`); out != "up=up;count(up)=count(up);" {
		t.Errorf("the v1 object read through v2: metrics %q, want each named after its query", out)
	}

	// A watch on v1 sees the update made through v2: v1 shows the queries, the names ride in an annotation.
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	watch := exec.CommandContext(ctx, cfg.Kubectl(), "--kubeconfig="+cfg.Kubeconfig(), "get", v1Snapshots, "versions", "--watch-only",
		"-o", `jsonpath={.metadata.generation} {.spec.interval} {.spec.metrics} {.metadata.annotations}{"\n"}`)
	stdout, err := watch.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := watch.Start(); err != nil {
		t.Fatalf("kubectl get --watch-only: %v", err)
	}
	defer func() { cancel(); _ = watch.Wait() }()
	// The watch is open once kubectl has the object's list; a patch before that would be missed, so
	// patch until the watch reports it (each patch is the same, a no-op after the first).
	seen := make(chan string, 1)
	go func() {
		lines := bufio.NewScanner(stdout)
		for lines.Scan() {
			if strings.HasPrefix(lines.Text(), "2 30s ") {
				seen <- lines.Text()
				return
			}
		}
	}()
	var line string
	testutil.Eventually(t, 30*time.Second, "the v1 watch sees the v2 update", func(context.Context) error {
		kubectl(t, "patch", v2Snapshots, "versions", "--type=merge", "-p",
			`{"spec":{"interval":"30s","metrics":[{"name":"up","query":"up","labels":{"team":"e2e"}},{"name":"count","query":"count(up)"}]}}`)
		select {
		case line = <-seen:
			return nil
		case <-time.After(2 * time.Second):
			return context.DeadlineExceeded
		}
	})
	if !strings.Contains(line, `["up","count(up)"]`) || !strings.Contains(line, `\"name\":\"count\"`) {
		t.Errorf("the v1 watch saw %q, want the queries and the names in the annotation", line)
	}

	ssa(t)
	explainBoth(t)
	record("both versions: create v1, read v2, v1 watch of a v2 update, SSA, explain", time.Since(start))
}

// ssa applies server-side through v2 then v1 under two managers: v1 may not take a field v2's manager
// owns without --force-conflicts, and what only v2 has (labels) stays.
func ssa(t *testing.T) {
	v2 := manifestFile(t, `apiVersion: metrics.example.com/v2
kind: MetricSnapshot
metadata: {name: versions, namespace: default}
spec:
  source: prometheus
  interval: 15s
  metrics: [{name: up, query: up, labels: {team: e2e}}, {name: count, query: count(up)}]
`)
	kubectl(t, "apply", "--server-side", "--field-manager=e2e-v2", "--force-conflicts", "-f", v2)
	v1 := manifestFile(t, `apiVersion: metrics.example.com/v1
kind: MetricSnapshot
metadata: {name: versions, namespace: default}
spec: {source: prometheus, metrics: [up, "count(up)"], interval: 20s}
`)
	if out, err := kubectlAs(cfg.Kubeconfig(), "apply", "--server-side", "--field-manager=e2e-v1", "-f", v1); err == nil || !strings.Contains(out, "conflict") {
		t.Errorf("a v1 apply of fields the v2 manager owns: %v, want a conflict:\n%s", err, out)
	}
	kubectl(t, "apply", "--server-side", "--field-manager=e2e-v1", "--force-conflicts", "-f", v1)
	if out := kubectl(t, "get", v2Snapshots, "versions", "-o", `jsonpath={.spec.interval} {.spec.metrics[0].labels.team}`); out != "20s e2e" {
		t.Errorf("after the forced v1 apply, v2 reads %q, want interval 20s and the label kept", out)
	}
}

// explainBoth: kube-apiserver publishes each version's schema (aggregated asynchronously, hence the wait).
func explainBoth(t *testing.T) {
	testutil.Eventually(t, time.Minute, "kubectl explain of spec.metrics in v2 and v1", func(ctx context.Context) error {
		v2, err := cfg.KubectlOutput(ctx, "", "explain", "metricsnapshots.spec.metrics", "--api-version="+groupVerV2)
		if err != nil || !strings.Contains(v2, "query") || !strings.Contains(v2, "labels") || !strings.Contains(v2, "VERSION:    v2") {
			return fmt.Errorf("v2: %v\n%s", err, v2)
		}
		v1, err := cfg.KubectlOutput(ctx, "", "explain", "metricsnapshots.spec.metrics", "--api-version="+groupVer)
		if err != nil || !strings.Contains(v1, "[]string") || !strings.Contains(v1, "VERSION:    v1") {
			return fmt.Errorf("v1: %v\n%s", err, v1)
		}
		return nil
	})
}

// manifestFile writes a manifest for kubectl -f, where stdin is taken or the output must include stderr.
// Not under t.TempDir: a subtest's name may hold a comma, which kubectl -f reads as two paths.
func manifestFile(t *testing.T, manifest string) string {
	t.Helper()
	f, err := os.CreateTemp("", "e2e-manifest-*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Remove(f.Name()) })
	if _, err := f.WriteString(manifest); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return f.Name()
}
