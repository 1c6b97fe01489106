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
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"example.com/aggregation-operator/apiserver/apis/metrics"
	metricsv1 "example.com/aggregation-operator/apiserver/apis/metrics/v1"
	"example.com/aggregation-operator/apiserver/internal/testenv"
	"example.com/aggregation-operator/apiserver/internal/testserver"
)

// TestPartialCollection: the tutorial's example against a Prometheus that has cpu_usage and
// memory_usage (recording rules) but no request_count. A new object says it is not collected yet;
// then the two that exist are in status.data with Prometheus' values and request_count's error is
// in status.errors; kubectl get shows COLLECTED Partial and when.
func TestPartialCollection(t *testing.T) {
	prom := testenv.StartPrometheus(t,
		testenv.Rule{Record: "cpu_usage", Expr: `process_cpu_seconds_total{job="prometheus"}`},
		testenv.Rule{Record: "memory_usage", Expr: `process_resident_memory_bytes{job="prometheus"}`})
	prom.WaitForSeries("count_over_time(memory_usage[1m]) > 2")
	server := testserver.Start(t, "--source=prometheus="+prom.URL)
	snapshots := server.Client.MetricsV1().MetricSnapshots(ns)

	in := snapshot("app-metrics", "prometheus", "cpu_usage", "memory_usage", "request_count")
	in.Spec.Interval = "1m"
	created, err := snapshots.Create(ctxFor(t, 30*time.Second), in, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if c := meta.FindStatusCondition(created.Status.Conditions, metrics.ConditionCollected); c == nil ||
		c.Status != metav1.ConditionUnknown || c.Reason != metrics.ReasonNotCollectedYet {
		t.Fatalf("a new object must say it is not collected yet, got %+v", created.Status.Conditions)
	}

	partial := waitFor(t, server.Client, "app-metrics", 60*time.Second, "Collected=False PartiallyCollected", func(s *metricsv1.MetricSnapshot) bool {
		c := meta.FindStatusCondition(s.Status.Conditions, metrics.ConditionCollected)
		return c != nil && c.Reason == metrics.ReasonPartiallyCollected
	})
	st := partial.Status
	if len(st.Data) != 2 || len(st.Errors) != 1 || st.Errors["request_count"] != "returned no series" {
		t.Fatalf("want data for cpu_usage and memory_usage and the error of request_count, got data %v errors %v", st.Data, st.Errors)
	}
	if st.LastCollectionTime == nil || st.LastAttemptTime == nil || !st.LastCollectionTime.Equal(st.LastAttemptTime) || st.ObservedGeneration != 1 {
		t.Fatalf("a partial collection is a collection: lastCollectionTime %v, lastAttemptTime %v, observedGeneration %d",
			st.LastCollectionTime, st.LastAttemptTime, st.ObservedGeneration)
	}
	api := prometheusAPI(t, prom.URL)
	for _, m := range []string{"cpu_usage", "memory_usage"} {
		value, _, err := api.Query(ctxFor(t, 10*time.Second), m, st.LastCollectionTime.Time)
		if err != nil {
			t.Fatalf("query %s: %v", m, err)
		}
		if want := prometheusValue(t, m, value); st.Data[m] != want {
			t.Errorf("status.data[%s] = %v, Prometheus says %v at %s", m, st.Data[m], want, st.LastCollectionTime)
		}
	}
	c := meta.FindStatusCondition(st.Conditions, metrics.ConditionCollected)
	if !strings.Contains(c.Message, "2 of 3 metrics collected") || !strings.Contains(c.Message, "request_count: returned no series") {
		t.Fatalf("condition message %q must count the metrics and name the failed one", c.Message)
	}

	run := kubectlRunner(t, server.Kubeconfig(t))
	rows := table(t, run("get", "ms"))
	if got := strings.Join(rows[0], " "); got != "NAME SOURCE METRICS INTERVAL COLLECTED LAST-COLLECTED AGE" {
		t.Fatalf("kubectl get ms: columns %q", got)
	}
	if r := rows[1]; r[0] != "app-metrics" || r[4] != "Partial" || r[5] == "<none>" {
		t.Fatalf("kubectl get ms: row %q, want COLLECTED Partial and a LAST-COLLECTED age", r)
	}
	wide := table(t, run("get", "ms", "-o", "wide"))
	if h, r := wide[0], wide[1]; strings.Join(h[7:], " ") != "REASON LAST-ATTEMPT" || r[7] != metrics.ReasonPartiallyCollected || r[8] == "<none>" {
		t.Fatalf("kubectl get ms -o wide: %q / %q, want REASON PartiallyCollected and a LAST-ATTEMPT age", h, r)
	}
	if y := run("get", "ms", "app-metrics", "-o", "yaml"); !strings.Contains(y, "request_count: returned no series") || !strings.Contains(y, "lastAttemptTime:") {
		t.Fatalf("kubectl get -o yaml lacks status.errors or lastAttemptTime:\n%s", y)
	}
}

// table splits kubectl's table output into rows of cells (cells hold no blanks here).
func table(t *testing.T, out string) [][]string {
	t.Helper()
	var rows [][]string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		rows = append(rows, strings.Fields(line))
	}
	if len(rows) < 2 {
		t.Fatalf("want a header and rows, got:\n%s", out)
	}
	return rows
}

// writeManifest writes a manifest for kubectl into the test's temporary directory.
func writeManifest(t *testing.T, yaml string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "manifest.yaml")
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}
