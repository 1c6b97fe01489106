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
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"example.com/aggregation-operator/internal/testutil"
	"example.com/aggregation-operator/test/cluster"
)

const (
	metcdName  = "e2e-managed"
	metcdNS    = "e2e-managed"
	metcdGroup = "managedetcd.example.com"
	metcdSTS   = metcdName + "-etcd"
	// metcdPods selects the etcd members (the operator's labels on the StatefulSet's pods).
	metcdPods = controllersLabel + "=" + metcdName + ",app.kubernetes.io/component=etcd"
)

// TestManagedEtcd: a CustomApiServer with storage.managed {replicas: 3} (apiserver replicas 2) on the local
// volumes the harness makes becomes Ready with no etcd of the user's, its three members healthy in status;
// the members go 3 -> 5 -> 3 under writes (managedetcd_scale_test.go); with writes flowing through
// kube-apiserver's aggregator, one member's pod is killed (no write may fail), then every member is deleted
// at once (the cluster re-forms from its volumes: every MetricSnapshot is still there at the same
// resourceVersion).
func TestManagedEtcd(t *testing.T) {
	ctx := t.Context()
	deployOperator(t)
	vols, err := cfg.MakeLocalVolumes(ctx, "e2e-managed-etcd", 5, "1Gi") // 3 members, 2 more while scaled to 5
	t.Cleanup(func() {
		bg := context.Background()
		_, _ = cfg.KubectlOutput(bg, "", "delete", "customapiserver", metcdName, "--ignore-not-found", "--timeout=3m")
		// The claims go with the StatefulSet (whenDeleted: Delete), then the volumes can.
		_, _ = cfg.KubectlOutput(bg, "", "-n", metcdNS, "wait", "--for=delete", "pvc", "-l", "app.kubernetes.io/component=etcd", "--timeout=90s")
		if err := vols.Remove(bg); err != nil {
			t.Errorf("removing the local volumes: %v", err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	// The collector's Lease is put out of its reach (a namespace it has no rule in), so it never writes a
	// status: a MetricSnapshot's resourceVersion then changes only by the test's own writes.
	kubectlApply(t, `apiVersion: aggregation.example.com/v1alpha1
kind: CustomApiServer
metadata: {name: `+metcdName+`}
spec:
  namespace: `+metcdNS+`
  replicas: 2
  storage: {managed: {replicas: 3, storage: 1Gi, storageClassName: `+cluster.LocalStorageClass+`}}
  args: ["--api-group=`+metcdGroup+`", "--source=prometheus=http://prometheus:9090", "--leader-election-namespace=default"]
  apiServices:
  - {group: `+metcdGroup+`, version: v2}
`)
	waitAllTrue(t, metcdName, 4*time.Minute)
	waitMembers(t, 3, 2*time.Minute)
	record("managed etcd CustomApiServer apply -> Ready, 3/3 members", time.Since(start))

	// First: right after a member is killed, etcd refuses membership changes until its peers have been
	// connected again for a while (the DNS cache holds the killed pod's old IP up to 30 s).
	t.Run("members 3 -> 5 -> 3 under writes: none fails, all objects kept", scaleManagedEtcd)

	t.Run("one member killed: no write fails", func(t *testing.T) {
		victim := etcdFollower(t)
		uid := kubectl(t, "-n", metcdNS, "get", "pod", victim, "-o", "jsonpath={.metadata.uid}")
		w := startWriteLoop(t, "w", 900)
		waitWrites(t, w, 10)
		killed := time.Now()
		kubectl(t, "-n", metcdNS, "delete", "pod", victim, "--grace-period=0", "--force")
		testutil.Eventually(t, 2*time.Minute, "member "+victim+" replaced and healthy", func(context.Context) error {
			if now := kubectl(t, "-n", metcdNS, "get", "pod", victim, "--ignore-not-found", "-o", "jsonpath={.metadata.uid}"); now == uid || now == "" {
				return errors.New("not replaced yet")
			}
			return membersHealthy(t, 3)
		})
		recovered := time.Since(killed)
		waitWrites(t, w, w.count()+20)
		sent, failed, errs := w.stop()
		note("managed etcd: one member killed (follower, --grace-period=0 --force)",
			fmt.Sprintf("writes sent %d, failed %d; member back in %s", sent, failed, recovered.Round(100*time.Millisecond)))
		if failed > 0 {
			t.Errorf("%d of %d writes failed: %v", failed, sent, errs)
		}
	})

	t.Run("every member deleted at once: all objects kept", func(t *testing.T) {
		before := snapshotVersions(t)
		if len(before) < 10 {
			t.Fatalf("only %d MetricSnapshots to check", len(before))
		}
		old := memberUIDs(t)
		deleted := time.Now()
		kubectl(t, "-n", metcdNS, "delete", "pods", "-l", metcdPods, "--wait=false")
		testutil.Eventually(t, 3*time.Minute, "every member back, the API writable", func(ctx context.Context) error {
			now := memberUIDs(t)
			if len(now) != 3 {
				return fmt.Errorf("members %v", now)
			}
			for name, uid := range now {
				if old[name] == uid {
					return fmt.Errorf("member %s not replaced yet", name)
				}
			}
			if err := membersHealthy(t, 3); err != nil {
				return err
			}
			_, err := cfg.KubectlOutput(ctx, "", "-n", metcdNS, "label", "--overwrite", "metricsnapshots."+metcdGroup, "w-0", "e2e-probe="+fmt.Sprint(time.Now().Unix()))
			return err
		})
		recovery := time.Since(deleted)
		after := snapshotVersions(t)
		delete(before, "w-0") // the probe write above moves it on
		lost, moved := 0, 0
		for name, rv := range before {
			switch got, ok := after[name]; {
			case !ok:
				lost++
				t.Errorf("MetricSnapshot %s lost", name)
			case got != rv:
				moved++
				t.Errorf("MetricSnapshot %s resourceVersion %s -> %s", name, rv, got)
			}
		}
		note("managed etcd: all 3 members deleted at once", fmt.Sprintf("recovered (3/3 healthy, API writable) in %s; %d MetricSnapshots checked, %d lost, %d changed",
			recovery.Round(100*time.Millisecond), len(before), lost, moved))
	})

	kubectl(t, "delete", "customapiserver", metcdName, "--timeout=3m")
	testutil.Eventually(t, 2*time.Minute, "the etcd StatefulSet, its pods and claims gone", func(ctx context.Context) error {
		out, _ := cfg.KubectlOutput(ctx, "", "-n", metcdNS, "get", "statefulset,pods,pvc", "-l", "app.kubernetes.io/component=etcd", "--ignore-not-found", "-o", "name")
		return gone(out)
	})
}

// memberUIDs maps each etcd member's pod name to its UID.
func memberUIDs(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, row := range strings.Fields(kubectl(t, "-n", metcdNS, "get", "pods", "-l", metcdPods, "-o",
		`jsonpath={range .items[*]}{.metadata.name}={.metadata.uid}{"\n"}{end}`)) {
		name, uid, _ := strings.Cut(row, "=")
		out[name] = uid
	}
	return out
}

// waitMembers waits until status.storage shows n members, every one healthy, and StorageReady is True.
func waitMembers(t *testing.T, n int, timeout time.Duration) {
	t.Helper()
	testutil.Eventually(t, timeout, fmt.Sprintf("%d/%d etcd members healthy in status", n, n), func(context.Context) error { return membersHealthy(t, n) })
}

func membersHealthy(t *testing.T, n int) error {
	out := kubectl(t, "get", "customapiserver", metcdName, "-o",
		`jsonpath={.status.storage.readyMembers} {.status.storage.members[*].healthy} {.status.conditions[?(@.type=="StorageReady")].reason} {.status.conditions[?(@.type=="Ready")].status}`)
	if out != fmt.Sprintf("%d/%d%s MembersHealthy True", n, n, strings.Repeat(" true", n)) {
		return fmt.Errorf("status: %s", out)
	}
	return nil
}

// etcdFollower is a member that is not the leader (etcd_server_is_leader on its plain metrics listener,
// read from the node): killing the leader costs an election, a separate fault from losing a member.
func etcdFollower(t *testing.T) string {
	t.Helper()
	var follower string
	testutil.Eventually(t, 30*time.Second, "a follower among the members", func(ctx context.Context) error {
		for _, row := range strings.Split(kubectl(t, "-n", metcdNS, "get", "pods", "-l", metcdPods, "-o",
			`jsonpath={range .items[*]}{.metadata.name}={.status.podIP}{"\n"}{end}`), "\n") {
			name, ip, _ := strings.Cut(row, "=")
			m, err := httpGet(ctx, "http://"+ip+":2381/metrics")
			if err != nil {
				return err
			}
			if strings.Contains(m, "\netcd_server_is_leader 0") {
				follower = name
				return nil
			}
		}
		return errors.New("no follower found")
	})
	return follower
}

func httpGet(ctx context.Context, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return "\n" + string(b), err
}

// snapshotVersions maps each MetricSnapshot of the test's namespace to its resourceVersion.
func snapshotVersions(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, row := range strings.Fields(kubectl(t, "-n", metcdNS, "get", "metricsnapshots."+metcdGroup, "-o",
		`jsonpath={range .items[*]}{.metadata.name}={.metadata.resourceVersion}{"\n"}{end}`)) {
		name, rv, _ := strings.Cut(row, "=")
		out[name] = rv
	}
	return out
}

// writeLoop creates and updates MetricSnapshots through kube-apiserver (so through the aggregator) every
// requestInterval, at most limit writes, counting the writes that failed: even writes create
// <prefix>-<i>, odd ones relabel the last created (a create until one succeeded).
type writeLoop struct {
	*requestLoop
	created *atomic.Int32
}

func startWriteLoop(t *testing.T, prefix string, limit int) writeLoop {
	t.Helper()
	rc, err := clientcmd.BuildConfigFromFlags("", cfg.Kubeconfig())
	if err != nil {
		t.Fatalf("loading the admin kubeconfig: %v", err)
	}
	rc.Timeout = 10 * time.Second
	client, err := rest.HTTPClientFor(rc)
	if err != nil {
		t.Fatalf("making an HTTP client for the cluster: %v", err)
	}
	base := rc.Host + "/apis/" + metcdGroup + "/v2/namespaces/" + metcdNS + "/metricsnapshots"
	ctx, cancel := context.WithCancel(context.Background())
	l := writeLoop{&requestLoop{cancel: cancel, done: make(chan struct{})}, &atomic.Int32{}}
	created := 0
	go func() {
		defer close(l.done)
		tick := time.NewTicker(requestInterval)
		defer tick.Stop()
		for i := 0; i < limit; i++ {
			var err error
			if i%2 == 0 || created == 0 {
				body := fmt.Sprintf(`{"apiVersion":"%s/v2","kind":"MetricSnapshot","metadata":{"name":"%s-%d"},"spec":{"source":"prometheus","metrics":[{"name":"up","query":"up"}],"interval":"24h"}}`, metcdGroup, prefix, created)
				if err = send(ctx, client, http.MethodPost, base, "application/json", body, http.StatusCreated); err == nil {
					created++
					l.created.Store(int32(created))
				}
			} else {
				err = send(ctx, client, http.MethodPatch, fmt.Sprintf("%s/%s-%d", base, prefix, created-1), "application/merge-patch+json",
					fmt.Sprintf(`{"metadata":{"labels":{"seq":"%d"}}}`, i), http.StatusOK)
			}
			if ctx.Err() != nil {
				return // stopped mid-request: not a failure of the server
			}
			l.record(err)
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return l
}

func send(ctx context.Context, client *http.Client, method, url, contentType, body string, want int) error {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewBufferString(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: HTTP %d: %s", method, url, resp.StatusCode, b)
	}
	return nil
}

// waitWrites waits until the loop has sent n writes.
func waitWrites(t *testing.T, w writeLoop, n int) {
	t.Helper()
	testutil.Eventually(t, time.Duration(n)*requestInterval+30*time.Second, fmt.Sprintf("%d writes sent", n), func(context.Context) error {
		if c := w.count(); c < n {
			return fmt.Errorf("%d sent", c)
		}
		return nil
	})
}
