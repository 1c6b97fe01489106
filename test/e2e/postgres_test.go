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
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"example.com/aggregation-operator/internal/testutil"
)

const (
	pgName      = "e2e-pgstore"
	pgNS        = "e2e-pgstore"
	pgGroup     = "pgmetrics.example.com"
	pgService   = "v1." + pgGroup
	pgSnapshots = "metricsnapshots.v1." + pgGroup
	pgKept      = 5 // objects that must survive the PostgreSQL restart
	// pgIdentity lists name=uid/generation: the same object with the same spec (the collector writes status,
	// so the resourceVersion moves on).
	pgIdentity = `jsonpath={range .items[*]}{.metadata.name}={.metadata.uid}/{.metadata.generation}{"\n"}{end}`
)

// postgresStorage runs a CustomApiServer on PostgreSQL (2 replicas, its own group): PostgreSQL runs on the
// node, as Prometheus does, reached by the pods through a Service in the server's namespace. The tutorial's
// walkthrough goes through the aggregator with kubectl; then PostgreSQL restarts under a request loop: the
// pods' readiness goes false and recovers, and no object is lost.
func postgresStorage(t *testing.T) {
	pg := testutil.StartPostgres(t, cfg.NodeIP, "127.0.0.1")
	kubectl(t, "create", "namespace", pgNS)
	t.Cleanup(func() {
		ctx := context.Background()
		_, _ = cfg.KubectlOutput(ctx, "", "delete", "customapiserver", pgName, "--ignore-not-found", "--timeout=3m")
		_, _ = cfg.KubectlOutput(ctx, "", "delete", "namespace", pgNS, "--ignore-not-found", "--timeout=2m")
	})
	kubectlApply(t, cfg.HostServiceManifest(pgNS, "postgres", "postgres", pg.Port))
	dsn := strings.Replace(pg.DSN("metricsnapshots"), cfg.NodeIP, "postgres."+pgNS+".svc", 1)
	kubectl(t, "-n", pgNS, "create", "secret", "generic", "metrics-db", "--from-literal=dsn="+dsn)
	start := time.Now()
	kubectlApply(t, `apiVersion: aggregation.example.com/v1alpha1
kind: CustomApiServer
metadata: {name: `+pgName+`}
spec:
  namespace: `+pgNS+`
  replicas: 2
  storage: {postgres: {dsnSecretRef: {name: metrics-db, key: dsn}}}
  args: ["--api-group=`+pgGroup+`", "--source=prometheus=http://prometheus.`+sampleNS+`.svc:9090"]
  apiServices:
  - {group: `+pgGroup+`, version: v1}
`)
	waitAllTrue(t, pgName, 4*time.Minute)
	record("CustomApiServer on PostgreSQL apply -> Ready", time.Since(start))

	pgWalkthrough(t)
	for i := range pgKept {
		kubectlApply(t, fmt.Sprintf("apiVersion: %s/v1\nkind: MetricSnapshot\nmetadata: {name: kept-%d, namespace: default}\nspec: {source: prometheus, metrics: [up], interval: 1m}\n", pgGroup, i))
	}
	before := kubectl(t, "-n", "default", "get", pgSnapshots, "-o", pgIdentity)
	if n := len(strings.Fields(before)); n != pgKept {
		t.Fatalf("%d MetricSnapshots listed before the restart, want %d:\n%s", n, pgKept, before)
	}

	loop := startRequestLoop(t, "/apis/"+pgGroup+"/v1/namespaces/default/metricsnapshots", 3000)
	pg.Stop()
	stopped := time.Now()
	waitPodsReady(t, pgNS, false)
	t.Logf("PostgreSQL stopped: a pod went unready after %s", time.Since(stopped).Round(time.Millisecond))
	pg.Start()
	restarted := time.Now()
	waitPodsReady(t, pgNS, true)
	testutil.Eventually(t, 2*time.Minute, "a list through the aggregator after PostgreSQL restarted", func(ctx context.Context) error {
		_, err := cfg.KubectlOutput(ctx, "", "-n", "default", "get", pgSnapshots)
		return err
	})
	recovery := time.Since(restarted)
	sent, failed, errs := loop.stop()
	t.Logf("PostgreSQL restart under load: %d requests sent, %d failed (while it was down), recovered %s after it started; first failures: %v",
		sent, failed, recovery.Round(time.Millisecond), errs)
	record("PostgreSQL restart -> pods ready and the API served", recovery)

	after := kubectl(t, "-n", "default", "get", pgSnapshots, "-o", pgIdentity)
	for _, line := range strings.Fields(before) {
		if !containsLine(after, line) {
			t.Errorf("%s (name=uid/generation) lost or changed across the PostgreSQL restart; after:\n%s", line, after)
		}
	}
}

// pgWalkthrough is the tutorial's kubectl walkthrough in the PostgreSQL server's group: create the tutorial's
// MetricSnapshot, get it, list it, delete it.
func pgWalkthrough(t *testing.T) {
	if st := kubectl(t, "get", "apiservice", pgService, "-o", `jsonpath={.status.conditions[?(@.type=="Available")].status}`); st != "True" {
		t.Errorf("APIService %s Available=%q, want True", pgService, st)
	}
	if !containsLine(kubectl(t, "api-versions"), pgGroup+"/v1") {
		t.Errorf("kubectl api-versions does not list %s/v1", pgGroup)
	}
	kubectlApply(t, tutorialSnapshot(pgGroup+"/v1"))
	y := kubectl(t, "-n", "default", "get", pgSnapshots, "app-metrics", "-o", "yaml")
	for _, want := range []string{"kind: MetricSnapshot", "apiVersion: " + pgGroup + "/v1", "source: prometheus", "- request_count", "interval: 1m"} {
		if !strings.Contains(y, want) {
			t.Errorf("kubectl get %s app-metrics -o yaml lacks %q:\n%s", pgSnapshots, want, y)
		}
	}
	if r := findRow(t, kubectl(t, "-n", "default", "get", pgSnapshots), "app-metrics"); len(r) < 2 || r[1] != "prometheus" {
		t.Errorf("kubectl get %s: row %v, want app-metrics with source prometheus", pgSnapshots, r)
	}
	kubectl(t, "-n", "default", "delete", pgSnapshots, "app-metrics")
	if out, err := cfg.KubectlOutput(t.Context(), "", "-n", "default", "get", pgSnapshots, "app-metrics"); err == nil || !strings.Contains(err.Error(), "NotFound") {
		t.Errorf("after kubectl delete, get app-metrics: %q, %v; want NotFound", out, err)
	}
}

// waitPodsReady waits until every pod in ns is Ready (ready) or one is not (!ready).
func waitPodsReady(t *testing.T, ns string, ready bool) {
	t.Helper()
	what := map[bool]string{true: "every pod in " + ns + " Ready", false: "a pod in " + ns + " not Ready"}[ready]
	testutil.Eventually(t, 2*time.Minute, what, func(ctx context.Context) error {
		out, err := cfg.KubectlOutput(ctx, "", "-n", ns, "get", "pods", "-o", `jsonpath={.items[*].status.conditions[?(@.type=="Ready")].status}`)
		if err != nil {
			return err
		}
		statuses := strings.Fields(out)
		allReady := !slices.ContainsFunc(statuses, func(s string) bool { return s != "True" })
		if len(statuses) == 0 || allReady != ready {
			return errors.New("pods Ready: " + out)
		}
		return nil
	})
}
