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
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"example.com/aggregation-operator/apiserver/internal/testenv"
	"example.com/aggregation-operator/apiserver/internal/testserver"
)

// storedByV1Server is a MetricSnapshot as a server that stored v1 wrote it to etcd.
const storedByV1Server = `{"apiVersion":"metrics.example.com/v1","kind":"MetricSnapshot",
"metadata":{"name":"old","namespace":"default","uid":"6f1c1f62-0d59-4c55-9a8e-2f6b8f0d1e01","generation":1,"creationTimestamp":"2026-01-01T00:00:00Z"},
"spec":{"source":"prometheus","metrics":["up"],"interval":"1m"},
"status":{"observedGeneration":1,"lastCollectionTime":"2026-01-01T00:00:00Z","lastAttemptTime":"2026-01-01T00:00:00Z","data":{"up":1}}}`

// storageMigration: an object stored as v1 (written to etcd as the server before v2 did) is
// served through v2, and the README's procedure (kubectl get -o json | kubectl replace) rewrites
// every object in the storage version, v2, as the bytes in etcd show.
//
// The collector rewrites every object it collects too (its status write), so the object may be
// stored as v2 before the procedure runs; what the test holds the procedure to is that afterwards
// none is left in v1.
func storageMigration(t *testing.T, server *testserver.APIServer, etcd *testenv.Etcd) {
	ctx := ctxFor(t, time.Minute)
	kv, err := clientv3.New(clientv3.Config{Endpoints: []string{etcd.URL}, DialTimeout: 5 * time.Second, Context: ctx})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = kv.Close() }()
	// --etcd-prefix (/registry/<group>), then <group>/<resource>/<namespace>/<name>.
	const prefix = "/registry/metrics.example.com/metrics.example.com/metricsnapshots/"
	const key = prefix + "default/old"
	if _, err := kv.Put(ctx, key, storedByV1Server); err != nil {
		t.Fatalf("writing a v1 object to etcd: %v", err)
	}

	got, err := server.Client.MetricsV2().MetricSnapshots(ns).Get(ctx, "old", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get the v1-stored object through v2: %v", err)
	}
	if len(got.Spec.Metrics) != 1 || got.Spec.Metrics[0].Name != "up" || len(got.Status.Results) == 0 || got.Status.Results[0].Name != "up" {
		t.Fatalf("v2 reads the v1-stored object as spec %+v status %+v", got.Spec, got.Status)
	}

	// The procedure of README "Storage version and migration": a no-op update of every object.
	kubeconfig := server.Kubeconfig(t)
	run := kubectlRunner(t, kubeconfig)
	for _, line := range strings.Split(strings.TrimSpace(run("get", "metricsnapshots", "--all-namespaces", "-o",
		`jsonpath={range .items[*]}{.metadata.namespace}{" "}{.metadata.name}{"\n"}{end}`)), "\n") {
		namespace, name, _ := strings.Cut(line, " ")
		rewrite(t, kubeconfig, namespace, name)
	}

	resp, err := kv.Get(ctx, prefix, clientv3.WithPrefix())
	if err != nil {
		t.Fatalf("reading etcd: %v", err)
	}
	if len(resp.Kvs) == 0 {
		t.Fatal("no MetricSnapshot in etcd")
	}
	for _, stored := range resp.Kvs {
		var meta struct {
			APIVersion string `json:"apiVersion"`
		}
		if err := json.Unmarshal(stored.Value, &meta); err != nil || meta.APIVersion != "metrics.example.com/v2" {
			t.Errorf("%s stored as %q after the migration, want metrics.example.com/v2 (%v)", stored.Key, meta.APIVersion, err)
		}
	}
	if out := run("get", "metricsnapshots.v1.metrics.example.com", "old", "-o", "jsonpath={.spec.metrics}"); !strings.Contains(out, "up") {
		t.Fatal("the migrated object lost its metric")
	}
}

// rewrite is one step of the migration: kubectl get -o json | kubectl replace -f -. A conflict
// means another write (the collector's) came between, and that write stored the object as v2
// already; the step is tried again, at most three times.
func rewrite(t *testing.T, kubeconfig, namespace, name string) {
	t.Helper()
	run := kubectlRunner(t, kubeconfig)
	file := filepath.Join(t.TempDir(), name+".json")
	for range 3 {
		if err := os.WriteFile(file, []byte(run("get", "metricsnapshot", name, "-n", namespace, "-o", "json")), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := kubectl(t, kubeconfig, "replace", "-f", file)
		if err == nil {
			return
		}
		if !strings.Contains(out, "the object has been modified") {
			t.Fatalf("kubectl replace %s/%s: %v\n%s", namespace, name, err, out)
		}
	}
	t.Fatalf("kubectl replace %s/%s: three conflicts in a row", namespace, name)
}
