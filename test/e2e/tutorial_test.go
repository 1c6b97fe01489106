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
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/internal/testutil"
	"example.com/aggregation-operator/test/cluster"
)

const (
	operatorNamespace  = "aggregation-operator-system"
	operatorDeployment = "aggregation-operator-controller-manager"
	// The sample (config/samples) is the tutorial's setup: CustomApiServer custom-apiserver, namespace of
	// the same name, replicas 2, etcd at https://etcd:2379 with the client certificate of the Secret
	// etcd-client, source prometheus=http://prometheus:9090.
	sampleName  = "custom-apiserver"
	sampleNS    = "custom-apiserver"
	apiService  = "v1.metrics.example.com"
	groupVer    = "metrics.example.com/v1"
	samplesFile = "config/samples/aggregation_v1alpha1_customapiserver.yaml"
)

// TestAggregation is the tutorial's story on a real cluster, step by step, in one shared cluster state.
func TestAggregation(t *testing.T) {
	// The first three steps set up what every later one uses; later steps go on after a failed check.
	runSteps(t, 3, []step{
		{"operator deploys with make deploy and becomes Ready", deployOperator},
		{"etcd and Prometheus are reachable in the tutorial namespace", deployBackends},
		{"the sample CustomApiServer turns its APIService Available", applySample},
		{"the tutorial's kubectl checks pass", tutorialChecks},
		{"v2 and v1 are served side by side and converted both ways; v1 warns it is deprecated", bothVersions},
		{"collection fills status.data with what Prometheus returns", collection},
		{"CustomApiServer status is Ready with every condition and printer columns", readyStatus},
		{"a broken etcd shows in the status and recovers", breakAndRepair},
		{"requests through the aggregator are authorized; forged headers are not", authThroughAggregator},
		{"a namespace deletion completes while the API is served", namespaceDeletionWhileServed},
		{"a second CustomApiServer (embedded storage, another group) runs side by side", sideBySide},
		{"the stock k8s.io/sample-apiserver runs with no extra rules, under Pod Security restricted", genericServer},
		{"metrics-server installed by hand is adopted by a CustomApiServer with no failed request; kubectl top works", metricsServerAdopted},
		{"rules the operator may not grant, and a missing image, are named in the status", refusedRules},
		{"the operator's metrics need a token allowed to GET /metrics", operatorMetrics},
		{"deleting the CustomApiServer removes the APIService first, then every child", deletion},
	})
}

func deployOperator(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	args := []string{"-C", repo, "--no-print-directory", "deploy",
		"IMG=" + env("IMG", "local.test/aggregation-operator:v0.1.0"),
		"APISERVER_IMG=" + env("APISERVER_IMG", "local.test/metricsnapshot-apiserver:v0.1.0")}
	cmd := exec.CommandContext(ctx, "make", args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+cfg.Kubeconfig())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make deploy: %v\n%s", err, out)
	}
	kubectl(t, "-n", operatorNamespace, "rollout", "status", "deployment/"+operatorDeployment, "--timeout=120s")
	ready := kubectl(t, "-n", operatorNamespace, "get", "pods", "-o", `jsonpath={.items[*].status.conditions[?(@.type=="Ready")].status}`)
	if !strings.Contains(ready, "True") {
		t.Fatalf("operator pod not Ready: %q", ready)
	}
}

// sampleEtcd is the PKI of the sample's etcd: other namespaces' servers that store there get its client Secret.
var sampleEtcd *cluster.EtcdTLS

func deployBackends(t *testing.T) { sampleEtcd = backendsIn(t, sampleNS) }

// backendsIn creates namespace ns with what the sample CustomApiServer expects there: etcd serving over TLS
// only at https://etcd:2379, with the client certificate it accepts in the Secret etcd-client (the sample's
// tlsSecretRef), and Prometheus (on the host) as http://prometheus:9090.
func backendsIn(t *testing.T, ns string) *cluster.EtcdTLS {
	if err := cfg.StartPrometheus(t.Context()); err != nil {
		t.Fatal(err)
	}
	tls, err := cluster.NewEtcdTLS(ns)
	if err != nil {
		t.Fatal(err)
	}
	kubectl(t, "create", "namespace", ns)
	kubectlApply(t, cfg.EtcdManifest(ns, tls))
	kubectlApply(t, cfg.PrometheusServiceManifest(ns))
	kubectl(t, "-n", ns, "rollout", "status", "deployment/etcd", "--timeout=120s")
	return tls
}

func applySample(t *testing.T) {
	start := time.Now()
	kubectl(t, "apply", "-f", filepath.Join(repo, samplesFile))
	testutil.Eventually(t, 4*time.Minute, "APIServices "+apiServiceV2+" and "+apiService+" Available", func(ctx context.Context) error {
		for _, svc := range []string{apiServiceV2, apiService} {
			out, _ := cfg.KubectlOutput(ctx, "", "get", "apiservice", svc, "-o",
				`jsonpath={.status.conditions[?(@.type=="Available")].status} {.status.conditions[?(@.type=="Available")].reason}`)
			if !strings.HasPrefix(out, "True") {
				return fmt.Errorf("%s Available: %s", svc, out)
			}
		}
		return nil
	})
	record("CustomApiServer apply -> APIService Available", time.Since(start))
}

func tutorialChecks(t *testing.T) {
	// kubectl get apiservices | grep metrics: AVAILABLE is True.
	row := findRow(t, kubectl(t, "get", "apiservices"), apiService)
	if len(row) < 3 || row[2] != "True" {
		t.Errorf("kubectl get apiservices: row %v, want AVAILABLE True", row)
	}
	if !containsLine(kubectl(t, "api-versions"), groupVer) {
		t.Errorf("kubectl api-versions does not list %s", groupVer)
	}
	// The tutorial's MetricSnapshot, verbatim.
	kubectlApply(t, `apiVersion: metrics.example.com/v1
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
  interval: 1m
`)
	list := kubectl(t, "get", "metricsnapshots")
	header := strings.Fields(strings.SplitN(list, "\n", 2)[0])
	wantHeader := []string{"NAME", "SOURCE", "METRICS", "INTERVAL", "COLLECTED", "LAST-COLLECTED", "AGE"}
	for i, h := range wantHeader {
		if i >= len(header) || header[i] != h {
			t.Errorf("kubectl get metricsnapshots header %v, want it to start with %v", header, wantHeader)
			break
		}
	}
	if r := findRow(t, list, "app-metrics"); len(r) < 2 || r[1] != "prometheus" || !strings.Contains(list, "cpu_usage") {
		t.Errorf("kubectl get metricsnapshots: row %v, want source prometheus and its metrics:\n%s", r, list)
	}
	y := kubectl(t, "get", v1Snapshots, "app-metrics", "-o", "yaml")
	for _, want := range []string{"kind: MetricSnapshot", "apiVersion: metrics.example.com/v1", "source: prometheus", "- request_count", "interval: 1m"} {
		if !strings.Contains(y, want) {
			t.Errorf("kubectl get metricsnapshot app-metrics -o yaml lacks %q:\n%s", want, y)
		}
	}
	// None of the tutorial's series exist on this Prometheus: each metric's error is reported, and
	// kubectl tells the failed collection (False) from one not made yet (Unknown).
	var snap snapshotStatus
	testutil.Eventually(t, 2*time.Minute, "status.errors of app-metrics and COLLECTED False", func(context.Context) error {
		kubectlJSON(t, &snap, "get", v1Snapshots, "app-metrics")
		r := findRow(t, kubectl(t, "get", "metricsnapshots"), "app-metrics")
		if len(snap.Status.Errors) != 3 || snap.Status.Errors["request_count"] != "returned no series" || len(r) < 5 || r[len(r)-3] != "False" {
			return fmt.Errorf("row %v, errors %v %s", r, snap.Status.Errors, fmtConditions(snap.Status.Conditions))
		}
		return nil
	})
	// kube-apiserver aggregates the server's OpenAPI asynchronously after the APIService turns Available.
	testutil.Eventually(t, time.Minute, "kubectl explain metricsnapshot.spec lists source, metrics and interval", func(ctx context.Context) error {
		explain, err := cfg.KubectlOutput(ctx, "", "explain", "metricsnapshot.spec")
		if err != nil {
			return err
		}
		for _, want := range []string{"source", "metrics", "interval"} {
			if !strings.Contains(explain, want) {
				return errors.New(explain)
			}
		}
		return nil
	})
	kubectl(t, "delete", "metricsnapshot", "app-metrics")
	if out, err := cfg.KubectlOutput(t.Context(), "", "get", "metricsnapshot", "app-metrics"); err == nil || !strings.Contains(err.Error(), "NotFound") {
		t.Errorf("after kubectl delete, get metricsnapshot app-metrics: %q, %v; want NotFound", out, err)
	}
}

func collection(t *testing.T) {
	want, err := cfg.PrometheusQuery(t.Context(), "up")
	if err != nil {
		t.Fatal(err)
	}
	kubectlApply(t, `apiVersion: metrics.example.com/v1
kind: MetricSnapshot
metadata: {name: prometheus-up, namespace: default}
spec:
  source: prometheus
  metrics: [up, "count(up)"]
  interval: 10s
`)
	var snap snapshotStatus
	testutil.Eventually(t, 2*time.Minute, "status.data of prometheus-up", func(context.Context) error {
		kubectlJSON(t, &snap, "get", v1Snapshots, "prometheus-up")
		up, ok1 := snap.Status.Data["up"]
		count, ok2 := snap.Status.Data["count(up)"]
		if !ok1 || !ok2 || up != want || count != 1 {
			return errors.New(fmtData(snap.Status.Data) + " " + fmtConditions(snap.Status.Conditions))
		}
		return nil
	})
	if r := findRow(t, kubectl(t, "get", "metricsnapshots"), "prometheus-up"); len(r) < 5 || r[len(r)-3] != "True" {
		t.Errorf("kubectl get metricsnapshots: row %v, want COLLECTED True", r)
	}
	kubectl(t, "delete", "metricsnapshot", "prometheus-up")

	// One missing series does not blank the others: up is collected, request_count's error is shown.
	kubectlApply(t, `apiVersion: metrics.example.com/v1
kind: MetricSnapshot
metadata: {name: partly, namespace: default}
spec:
  source: prometheus
  metrics: [up, request_count]
  interval: 10s
`)
	testutil.Eventually(t, 2*time.Minute, "partly: COLLECTED Partial with up in data", func(context.Context) error {
		kubectlJSON(t, &snap, "get", v1Snapshots, "partly")
		r := findRow(t, kubectl(t, "get", "metricsnapshots"), "partly")
		if up, ok := snap.Status.Data["up"]; !ok || up != want || snap.Status.Errors["request_count"] == "" || len(r) < 5 || r[len(r)-3] != "Partial" {
			return fmt.Errorf("row %v, %s errors %v %s", r, fmtData(snap.Status.Data), snap.Status.Errors, fmtConditions(snap.Status.Conditions))
		}
		return nil
	})
	kubectl(t, "delete", "metricsnapshot", "partly")
}

// snapshotStatus is the part of a MetricSnapshot the suite reads.
type snapshotStatus struct {
	Status struct {
		Data       map[string]float64 `json:"data"`
		Errors     map[string]string  `json:"errors"`
		Conditions []condition        `json:"conditions"`
	} `json:"status"`
}

// casStatus is the part of a CustomApiServer the suite reads.
type casStatus struct {
	Status struct {
		Conditions []condition `json:"conditions"`
		Replicas   string      `json:"replicas"`
	} `json:"status"`
}

func readyStatus(t *testing.T) {
	var cas casStatus
	testutil.Eventually(t, 2*time.Minute, "CustomApiServer Ready with every condition True", func(context.Context) error {
		kubectlJSON(t, &cas, "get", "customapiserver", sampleName)
		for _, c := range []string{aggv1alpha1.ConditionReady, aggv1alpha1.ConditionCertificatesReady, aggv1alpha1.ConditionDeploymentAvailable, aggv1alpha1.ConditionAPIServicesAvailable} {
			if findCondition(cas.Status.Conditions, c).Status != "True" {
				return errors.New(fmtConditions(cas.Status.Conditions))
			}
		}
		return nil
	})
	list := kubectl(t, "get", "customapiservers")
	if h := strings.Fields(strings.SplitN(list, "\n", 2)[0]); strings.Join(h, " ") != "NAME READY REPLICAS APISERVICES CERT-EXPIRY AGE" {
		t.Errorf("kubectl get customapiservers header %v", h)
	}
	if r := findRow(t, list, sampleName); len(r) < 4 || r[1] != "True" || r[2] != "2/2" || r[3] != "2/2" {
		t.Errorf("kubectl get customapiservers row %v, want READY True, REPLICAS 2/2, APISERVICES 2/2 (v2 and v1)", r)
	}
	if r := findRow(t, list, sampleName); len(r) > 4 && r[4] == "<invalid>" {
		t.Errorf("kubectl get customapiservers shows CERT-EXPIRY %s: a future time in a date column renders as <invalid>", r[4])
	}
	if wide := kubectl(t, "get", "cas", "-o", "wide"); !strings.Contains(strings.SplitN(wide, "\n", 2)[0], "REASON") {
		t.Errorf("kubectl get cas -o wide lacks the REASON column:\n%s", wide)
	}
}

func breakAndRepair(t *testing.T) {
	kubectl(t, "-n", sampleNS, "scale", "deployment/etcd", "--replicas=0")
	var cas casStatus
	testutil.Eventually(t, 3*time.Minute, "Ready False naming the problem", func(context.Context) error {
		kubectlJSON(t, &cas, "get", "customapiserver", sampleName)
		if r := findCondition(cas.Status.Conditions, aggv1alpha1.ConditionReady); r.Status != "False" || r.Reason == "" || r.Reason == aggv1alpha1.ReasonAvailable || r.Message == "" {
			return errors.New(fmtConditions(cas.Status.Conditions))
		}
		return nil
	})
	r := findCondition(cas.Status.Conditions, aggv1alpha1.ConditionReady)
	t.Logf("with etcd gone: Ready=%s reason=%s message=%q", r.Status, r.Reason, r.Message)
	if row := findRow(t, kubectl(t, "get", "cas", "-o", "wide"), sampleName); !contains(row, r.Reason) {
		t.Errorf("kubectl get cas -o wide row %v does not show the reason %s", row, r.Reason)
	}
	kubectl(t, "-n", sampleNS, "scale", "deployment/etcd", "--replicas=1")
	testutil.Eventually(t, 4*time.Minute, "Ready True again after etcd is back", func(context.Context) error {
		kubectlJSON(t, &cas, "get", "customapiserver", sampleName)
		if findCondition(cas.Status.Conditions, aggv1alpha1.ConditionReady).Status != "True" {
			return errors.New(fmtConditions(cas.Status.Conditions))
		}
		return nil
	})
}

// namespaceDeletionWhileServed: the namespace controller deletes every namespaced resource the cluster
// serves, metricsnapshots included (through the aggregator, asking for protobuf); it must not get stuck.
func namespaceDeletionWhileServed(t *testing.T) {
	ns := "e2e-scratch"
	kubectl(t, "create", "namespace", ns)
	kubectlApply(t, `apiVersion: metrics.example.com/v1
kind: MetricSnapshot
metadata: {name: doomed, namespace: `+ns+`}
spec: {source: prometheus, metrics: [up], interval: 1m}
`)
	start := time.Now()
	out, err := cfg.KubectlOutput(t.Context(), "", "delete", "namespace", ns, "--timeout=90s")
	if err != nil {
		status, _ := cfg.KubectlOutput(t.Context(), "", "get", "namespace", ns, "-o",
			`jsonpath={range .status.conditions[?(@.status=="True")]}{.type}: {.message}{"\n"}{end}`)
		t.Fatalf("deleting namespace %s with the MetricSnapshot API served: %v %s\nnamespace conditions:\n%s", ns, err, out, status)
	}
	record("namespace deletion while the API is served", time.Since(start))
}

func findRow(t *testing.T, table, name string) []string {
	t.Helper()
	for _, l := range strings.Split(table, "\n") {
		if f := strings.Fields(l); len(f) > 0 && f[0] == name {
			return f
		}
	}
	t.Errorf("no row %q in:\n%s", name, table)
	return nil
}

func containsLine(out, line string) bool {
	for _, l := range strings.Split(out, "\n") {
		if strings.TrimSpace(l) == line {
			return true
		}
	}
	return false
}

func contains(xs []string, x string) bool {
	for _, e := range xs {
		if e == x {
			return true
		}
	}
	return false
}
