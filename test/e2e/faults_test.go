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
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
)

// Faults under load, on the CustomApiServer of the rotation test (two replicas, etcd in its namespace), each
// with a request every 100 ms through kube-apiserver's aggregator from just before the fault until the
// server is back and 20 more requests were sent. Each prints requests sent and failed, how long, and the
// Ready conditions the status went through (the suite's fault table).

const (
	faultLoadPath = "/apis/" + rotGroup + "/v1/namespaces/default/metricsnapshots"
	faultTimeout  = 4 * time.Minute
)

// faultRun is one fault: the load around it and what the status said.
type faultRun struct {
	name  string
	mode  bool // kube-apiserver's --enable-aggregator-routing
	loop  *requestLoop
	sent0 int
	fail0 int
	start time.Time
	trail []string // Ready status/reason, each change once, in order
	// storage is the Ready message while it said StorageUnavailable.
	storage string
}

// startFault waits for a settled server, starts the load and returns once 10 requests have been sent.
func startFault(t *testing.T, name string, mode bool) *faultRun {
	t.Helper()
	waitAllTrue(t, rotName, faultTimeout)
	f := &faultRun{name: name, mode: mode, loop: startRequestLoop(t, faultLoadPath, 20000)}
	t.Cleanup(func() { f.loop.stop() })
	eventually(t, time.Minute, "10 requests before the fault", func() (bool, string) { return f.loop.count() >= 10, "" })
	f.sent0, f.fail0, _ = f.loop.snapshot()
	f.start = time.Now()
	return f
}

// observe records the Ready condition if it changed, and returns every condition True.
func (f *faultRun) observe(t *testing.T) (allTrue bool, conditions string) {
	var cas casStatus
	kubectlJSON(t, &cas, "get", "customapiserver", rotName)
	r := findCondition(cas.Status.Conditions, aggv1alpha1.ConditionReady)
	if e := r.Status + "/" + r.Reason; len(f.trail) == 0 || f.trail[len(f.trail)-1] != e {
		f.trail = append(f.trail, e)
	}
	if r.Reason == aggv1alpha1.ReasonStorageUnavailable {
		f.storage = r.Message
	}
	for _, typ := range []string{aggv1alpha1.ConditionReady, aggv1alpha1.ConditionCertificatesReady, aggv1alpha1.ConditionDeploymentAvailable, aggv1alpha1.ConditionAPIServicesAvailable} {
		if findCondition(cas.Status.Conditions, typ).Status != "True" {
			return false, fmtConditions(cas.Status.Conditions)
		}
	}
	return true, ""
}

// recovered waits until every condition is True again and done holds, then for 20 more requests, and
// reports; it returns the requests sent and failed since the fault.
func (f *faultRun) recovered(t *testing.T, done func() (bool, string)) (sent, failed int) {
	t.Helper()
	eventually(t, faultTimeout, f.name+": recovered", func() (bool, string) {
		if ok, why := f.observe(t); !ok {
			return false, why
		}
		return done()
	})
	took := time.Since(f.start).Round(time.Second)
	target := f.loop.count() + 20
	eventually(t, time.Minute, "20 more requests", func() (bool, string) { return f.loop.count() >= target, "" })
	s, fl, errs := f.loop.stop()
	sent, failed = s-f.sent0, fl-f.fail0
	t.Logf("routing=%v, %s: %d requests sent, %d failed, recovered in %s; Ready went %s; first failures: %s",
		f.mode, f.name, sent, failed, took, strings.Join(f.trail, " -> "), strings.Join(errs, " | "))
	note(fmt.Sprintf("fault (routing=%v): %s", f.mode, f.name),
		fmt.Sprintf("sent %d, failed %d, recovered in %s; Ready %s", sent, failed, took, strings.Join(f.trail, " -> ")))
	return sent, failed
}

// apiserverPods are the apiserver pods not being deleted: name -> ready.
func apiserverPods(t *testing.T) map[string]bool {
	out := kubectl(t, "-n", rotNS, "get", "pods", "-l", controllersLabel+"="+rotName, "-o",
		`jsonpath={range .items[*]}{.metadata.name} {.status.conditions[?(@.type=="Ready")].status} {.metadata.deletionTimestamp}{"\n"}{end}`)
	pods := map[string]bool{}
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) == 2 { // no deletionTimestamp
			pods[f[0]] = f[1] == "True"
		}
	}
	return pods
}

// controllersLabel is the label the operator puts on every child (controllers.LabelOwner).
const controllersLabel = "aggregation.example.com/customapiserver"

// apiserverPodKilled force-deletes one of the two apiserver pods (no grace: its process is SIGKILLed) and
// waits for the replacement: fewer than 1% of the requests may fail.
func apiserverPodKilled(t *testing.T, mode bool) {
	f := startFault(t, "apiserver pod killed (1 of 2, --grace-period=0 --force)", mode)
	var victim string
	for p := range apiserverPods(t) {
		victim = p
		break
	}
	kubectl(t, "-n", rotNS, "delete", "pod", victim, "--grace-period=0", "--force")
	sent, failed := f.recovered(t, func() (bool, string) {
		pods := apiserverPods(t)
		ready := 0
		for p, ok := range pods {
			if ok && p != victim {
				ready++
			}
		}
		return ready == 2, fmt.Sprintf("pods %v, want two ready without %s", pods, victim)
	})
	if failed*100 >= sent {
		t.Errorf("%d of %d requests failed, 1%% or more", failed, sent)
	}
}

// etcdStoppedThenKilled freezes the etcd process (SIGSTOP) until the apiserver's /readyz fails and the
// CustomApiServer's condition names storage, then SIGKILLs it; the kubelet restarts the container with its
// data (emptyDir). Every MetricSnapshot there before must be there after.
func etcdStoppedThenKilled(t *testing.T, mode bool) {
	var b strings.Builder
	for i := range 10 {
		fmt.Fprintf(&b, "---\napiVersion: %s/v1\nkind: MetricSnapshot\nmetadata: {name: fault-%d, namespace: default, labels: {e2e-fault: etcd}}\nspec: {source: prometheus, metrics: [up], interval: 1m}\n", rotGroup, i)
	}
	kubectlApply(t, b.String())
	deleteOnCleanup(t, "-n", "default", "metricsnapshots."+rotGroup, "-l", "e2e-fault=etcd")
	before := snapshotNames(t)
	etcd := kubectl(t, "-n", rotNS, "get", "pods", "-l", "app=etcd", "-o", "jsonpath={.items[0].status.containerStatuses[0].containerID}")

	f := startFault(t, "etcd stopped (SIGSTOP) until the status names storage, then SIGKILLed", mode)
	if err := cfg.SignalContainer(t.Context(), etcd, "SIGSTOP"); err != nil {
		t.Fatal(err)
	}
	killed := false
	kill := func() {
		if !killed {
			killed = true
			if err := cfg.SignalContainer(context.Background(), etcd, "SIGKILL"); err != nil {
				t.Errorf("killing etcd: %v", err)
			}
		}
	}
	defer kill()
	readyzFailed := ""
	eventually(t, faultTimeout, "apiserver /readyz false and Ready naming storage", func() (bool, string) {
		f.observe(t)
		if readyzFailed == "" {
			readyzFailed = failingReadyz(t)
		}
		return readyzFailed != "" && f.storage != "", fmt.Sprintf("readyz failing: %q, Ready went %v", readyzFailed, f.trail)
	})
	down := time.Since(f.start).Round(time.Second)
	kill()
	t.Logf("etcd down %s: %s; Ready said: %s", down, readyzFailed, f.storage)
	note(fmt.Sprintf("fault (routing=%v): etcd down, status said", mode), fmt.Sprintf("after %s: %s", down, f.storage))
	f.recovered(t, func() (bool, string) { return true, "" })
	if after := snapshotNames(t); !slices.Equal(before, after) {
		t.Errorf("MetricSnapshots before etcd was killed (%d): %v\nafter (%d): %v", len(before), before, len(after), after)
	} else {
		note(fmt.Sprintf("fault (routing=%v): MetricSnapshots across the etcd kill", mode), fmt.Sprintf("%d before, %d after, same names", len(before), len(after)))
	}
}

// snapshotNames lists every MetricSnapshot of the rotation server's group, sorted (kubectl sorts by name).
func snapshotNames(t *testing.T) []string {
	out := kubectl(t, "get", "metricsnapshots."+rotGroup, "-A", "-o", "name")
	names := strings.Fields(out)
	slices.Sort(names)
	return names
}

// failingReadyz asks each apiserver pod's /readyz from the node, as the kubelet does; it returns what a
// failing one answered ("" while all pass).
func failingReadyz(t *testing.T) string {
	ips := strings.Fields(kubectl(t, "-n", rotNS, "get", "pods", "-l", controllersLabel+"="+rotName, "-o", "jsonpath={.items[*].status.podIP}"))
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // only the health answer is read
	}}
	for _, ip := range ips {
		resp, err := client.Get("https://" + net.JoinHostPort(ip, "6443") + "/readyz?verbose")
		if err != nil {
			return fmt.Sprintf("pod %s: /readyz: %v", ip, err)
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 16<<10))
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			var failed []string
			for _, l := range strings.Split(string(body), "\n") {
				if strings.HasPrefix(l, "[-]") {
					failed = append(failed, l)
				}
			}
			return fmt.Sprintf("pod %s: /readyz %d: %s", ip, resp.StatusCode, strings.Join(failed, "; "))
		}
	}
	return ""
}

// kubeAPIServerRestarted restarts kube-apiserver with --enable-aggregator-routing=mode under load (the
// routing switch of the rotation test is the fault) and waits until the operator is ready, the APIService
// Available and the server Ready again. Requests fail while kube-apiserver is down; the report splits those
// from the ones that failed after it was ready again (the aggregator may still be checking the APIService).
func kubeAPIServerRestarted(t *testing.T, mode, original bool) {
	restarts := func() string {
		return kubectl(t, "-n", operatorNamespace, "get", "pods", "-o", "jsonpath={.items[*].status.containerStatuses[0].restartCount}")
	}
	before := restarts()
	f := startFault(t, fmt.Sprintf("kube-apiserver restarted (into --enable-aggregator-routing=%v)", mode), mode)
	if err := cfg.SetAggregatorRouting(t.Context(), mode); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := cfg.SetAggregatorRouting(context.Background(), original); err != nil {
			t.Errorf("restoring --enable-aggregator-routing=%v: %v", original, err)
		}
	})
	up := time.Since(f.start).Round(time.Second)
	_, failedWhileDown, _ := f.loop.snapshot()
	f.recovered(t, func() (bool, string) {
		avail := kubectl(t, "get", "apiservice", "v1."+rotGroup, "-o", `jsonpath={.status.conditions[?(@.type=="Available")].status}`)
		ready := kubectl(t, "-n", operatorNamespace, "get", "pods", "-o", `jsonpath={.items[*].status.conditions[?(@.type=="Ready")].status}`)
		return avail == "True" && ready == "True", fmt.Sprintf("APIService Available %q, operator pod Ready %q", avail, ready)
	})
	_, failedAll, _ := f.loop.snapshot()
	note(fmt.Sprintf("fault (routing=%v): kube-apiserver restart detail", mode), fmt.Sprintf(
		"ready again after %s; %d requests failed until then, %d after; operator restarts %s -> %s",
		up, failedWhileDown-f.fail0, failedAll-failedWhileDown, before, restarts()))
}
