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
	"strings"
	"testing"
	"time"

	"example.com/aggregation-operator/internal/testutil"
)

// scaleManagedEtcd: spec.storage.managed.replicas 3 -> 5 -> 3 with writes flowing through kube-apiserver's
// aggregator the whole time: no write may fail, every MetricSnapshot written before (and during) is there
// after at the same resourceVersion, the progress shows in status and in events, the apiserver stays
// pointed at ordinals 0-2 (not rolled), and the removed members' claims are gone.
func scaleManagedEtcd(t *testing.T) {
	seed := startWriteLoop(t, "b", 40) // objects from before: 20 created, relabelled
	testutil.Eventually(t, 30*time.Second, "the objects from before written", func(context.Context) error {
		if c := seed.count(); c < 40 {
			return fmt.Errorf("%d sent", c)
		}
		return nil
	})
	if sent, failed, errs := seed.stop(); failed > 0 {
		t.Fatalf("%d of %d writes failed before scaling: %v", failed, sent, errs)
	}
	before := snapshotVersions(t)
	w := startWriteLoop(t, "s", 2400)
	waitWrites(t, w, 10)
	start := time.Now()
	progress := map[string]time.Duration{}
	scaleMembers(t, 5, progress)
	up := time.Since(start)
	scaleMembers(t, 3, progress)
	down := time.Since(start) - up
	waitWrites(t, w, w.count()+20)
	sent, failed, errs := w.stop()
	note("managed etcd: members 3 -> 5 -> 3 under writes", fmt.Sprintf("writes sent %d, failed %d; 3 -> 5 in %s, 5 -> 3 in %s",
		sent, failed, up.Round(100*time.Millisecond), down.Round(100*time.Millisecond)))
	record("managed etcd: members 3 -> 5", up)
	record("managed etcd: members 5 -> 3", down)
	if failed > 0 {
		t.Errorf("%d of %d writes failed: %v", failed, sent, errs)
	}
	if len(progress) == 0 {
		t.Errorf("status.storage.scaling never showed progress")
	}

	after := snapshotVersions(t)
	for name, rv := range before {
		if got, ok := after[name]; !ok || got != rv {
			t.Errorf("MetricSnapshot %s: resourceVersion %s before scaling, %q after", name, rv, got)
		}
	}
	created := int(w.created.Load())
	for i := range created {
		if _, ok := after[fmt.Sprintf("s-%d", i)]; !ok {
			t.Errorf("MetricSnapshot s-%d, written while scaling, lost", i)
		}
	}
	t.Logf("%d MetricSnapshots from before kept at their resourceVersion, %d written while scaling all there", len(before), created)

	for _, reason := range []string{"EtcdMemberAdded", "EtcdMemberPromoted", "EtcdMemberRemoved"} {
		var out string
		testutil.Eventually(t, 30*time.Second, "two "+reason+" events", func(ctx context.Context) error {
			out, _ = cfg.KubectlOutput(ctx, "", "get", "events", "-A", "--field-selector", "reason="+reason+",involvedObject.name="+metcdName,
				"-o", `jsonpath={range .items[*]}{.message}{"\n"}{end}`)
			if got := len(strings.Split(strings.TrimSpace(out), "\n")); got < 2 {
				return fmt.Errorf("%d: %s", got, out)
			}
			return nil
		})
		t.Logf("%s events:\n%s", reason, out)
	}
	testutil.Eventually(t, time.Minute, "the claims of ordinals 3 and 4 deleted", func(ctx context.Context) error {
		out, err := cfg.KubectlOutput(ctx, "", "-n", metcdNS, "get", "pvc", "data-"+metcdSTS+"-3", "data-"+metcdSTS+"-4", "--ignore-not-found", "-o", "name")
		if err != nil {
			return err
		}
		return gone(out)
	})
}

// scaleMembers sets spec.storage.managed.replicas and waits until n members are healthy in status, the
// StatefulSet has n replicas, and the apiserver Deployment is rolled out onto the first min(n, 3) of them
// (any quorum of five includes one of the first three), collecting what status.storage.scaling said on the way.
func scaleMembers(t *testing.T, n int, progress map[string]time.Duration) {
	t.Helper()
	start := time.Now()
	kubectl(t, "patch", "customapiserver", metcdName, "--type=merge", "-p", fmt.Sprintf(`{"spec":{"storage":{"managed":{"replicas":%d}}}}`, n))
	servers := min(n, 3)
	last := fmt.Sprintf("https://%s-%d.%s.%s.svc:2379", metcdSTS, servers-1, metcdSTS, metcdNS)
	next := fmt.Sprintf("https://%s-%d.%s.%s.svc:2379", metcdSTS, servers, metcdSTS, metcdNS)
	testutil.Eventually(t, 3*time.Minute, fmt.Sprintf("%d etcd members, the apiserver rolled onto them", n), func(ctx context.Context) error {
		if s, _ := cfg.KubectlOutput(ctx, "", "get", "customapiserver", metcdName, "-o", "jsonpath={.status.storage.scaling}"); s != "" {
			if _, seen := progress[s]; !seen {
				progress[s] = time.Since(start)
				t.Logf("+%s status.storage.scaling: %s", time.Since(start).Round(100*time.Millisecond), s)
			}
		}
		if err := membersHealthy(t, n); err != nil {
			return err
		}
		if r := kubectl(t, "-n", metcdNS, "get", "statefulset", metcdSTS, "-o", "jsonpath={.spec.replicas}"); r != fmt.Sprint(n) {
			return fmt.Errorf("StatefulSet replicas %s", r)
		}
		d := kubectl(t, "-n", metcdNS, "get", "deployment", metcdName, "-o",
			`jsonpath={.spec.template.spec.containers[0].args} {.metadata.generation}={.status.observedGeneration} {.spec.replicas}={.status.updatedReplicas}={.status.replicas}={.status.availableReplicas}`)
		if !strings.Contains(d, last) || strings.Contains(d, next) {
			return errors.New("the apiserver is not pointed at the members yet")
		}
		f := strings.Fields(d)
		if g := strings.Split(f[len(f)-2], "="); g[0] != g[1] {
			return errors.New("the apiserver Deployment's new generation is not observed yet")
		}
		if r := strings.Split(f[len(f)-1], "="); r[0] != r[1] || r[1] != r[2] || r[2] != r[3] {
			return fmt.Errorf("the apiserver Deployment rolls: replicas=updated=current=available %s", f[len(f)-1])
		}
		return nil
	})
}
