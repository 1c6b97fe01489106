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
	"fmt"
	"strconv"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"

	"example.com/aggregation-operator/apiserver/generated/clientset/versioned"
)

// storageSemantics checks what clients rely on from the store, whichever it is (embedded etcd,
// external etcd, PostgreSQL through kine): resourceVersions that grow, optimistic concurrency,
// a watch resumed from a resourceVersion, paginated lists and label selectors.
func storageSemantics(t *testing.T, c versioned.Interface) {
	ctx := ctxFor(t, 2*time.Minute)
	snapshots := c.MetricsV1().MetricSnapshots(ns)
	const pages = 5
	var first, last string
	for i := range pages {
		s := snapshot(fmt.Sprintf("page-%d", i), "thanos", "up")
		s.Labels = map[string]string{"parity": strconv.Itoa(i % 2)}
		created, err := snapshots.Create(ctx, s, metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("create %s: %v", s.Name, err)
		}
		if i == 0 {
			first = created.ResourceVersion
		}
		if last != "" && rv(t, created.ResourceVersion) <= rv(t, last) {
			t.Fatalf("resourceVersion did not grow: %s after %s", created.ResourceVersion, last)
		}
		last = created.ResourceVersion
	}

	// An update carrying a resourceVersion another write replaced is refused with 409.
	stale, err := snapshots.Get(ctx, "page-0", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fresh := stale.DeepCopy()
	fresh.Spec.Interval = "20s"
	if _, err := snapshots.Update(ctx, fresh, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("update: %v", err)
	}
	stale.Spec.Interval = "40s"
	if _, err := snapshots.Update(ctx, stale, metav1.UpdateOptions{}); !apierrors.IsConflict(err) {
		t.Fatalf("update with a stale resourceVersion: want 409 Conflict, got %v", err)
	}

	// A watch from the first object's resourceVersion replays what came after it, in order.
	w, err := snapshots.Watch(ctx, metav1.ListOptions{ResourceVersion: first})
	if err != nil {
		t.Fatalf("watch from resourceVersion %s: %v", first, err)
	}
	for i := 1; i < pages; i++ {
		expectEvent(t, w, watch.Added, fmt.Sprintf("page-%d", i))
	}
	expectEvent(t, w, watch.Modified, "page-0")
	w.Stop()

	// A paginated list returns every object once, two at a time, through continue tokens.
	seen := map[string]bool{}
	opts := metav1.ListOptions{Limit: 2}
	for range pages {
		list, err := snapshots.List(ctx, opts)
		if err != nil {
			t.Fatalf("list page (continue %q): %v", opts.Continue, err)
		}
		if len(list.Items) > 2 {
			t.Fatalf("list with limit 2 returned %d items", len(list.Items))
		}
		for _, s := range list.Items {
			if seen[s.Name] {
				t.Fatalf("%s listed twice across pages", s.Name)
			}
			seen[s.Name] = true
		}
		if opts.Continue = list.Continue; opts.Continue == "" {
			break
		}
	}
	if len(seen) != pages || opts.Continue != "" {
		t.Fatalf("paginated list: want the %d objects, got %v (continue %q)", pages, seen, opts.Continue)
	}

	// Label and field selectors.
	odd, err := snapshots.List(ctx, metav1.ListOptions{LabelSelector: "parity=1", FieldSelector: "metadata.name!=page-3"})
	if err != nil || len(odd.Items) != 1 || odd.Items[0].Name != "page-1" {
		t.Fatalf("list parity=1 without page-3: want [page-1], got %v %v", names(odd), err)
	}

	for i := range pages {
		if err := snapshots.Delete(ctx, fmt.Sprintf("page-%d", i), metav1.DeleteOptions{}); err != nil {
			t.Fatalf("delete page-%d: %v", i, err)
		}
	}
}

// rv is a resourceVersion as a number: every store here hands out growing integers (clients
// must not rely on it; the test checks the store does what etcd does).
func rv(t *testing.T, s string) uint64 {
	t.Helper()
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatalf("resourceVersion %q: %v", s, err)
	}
	return n
}
