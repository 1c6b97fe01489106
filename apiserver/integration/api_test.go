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
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/util/retry"

	"example.com/aggregation-operator/apiserver/apis/metrics"
	metricsv1 "example.com/aggregation-operator/apiserver/apis/metrics/v1"
	applymetricsv1 "example.com/aggregation-operator/apiserver/generated/applyconfiguration/metrics/v1"
	"example.com/aggregation-operator/apiserver/generated/clientset/versioned"
	"example.com/aggregation-operator/apiserver/internal/testenv"
	"example.com/aggregation-operator/apiserver/internal/testserver"
)

// The source points at a closed port: these tests are about the API, not collection.
const unreachable = "prometheus=http://127.0.0.1:1"

func TestAPIOnEmbeddedEtcd(t *testing.T) {
	dataDir := t.TempDir()
	server := testserver.Start(t, "--data-dir="+dataDir, "--source="+unreachable, "--source=thanos=http://127.0.0.1:1")
	exerciseAPI(t, server.Client)
	storageSemantics(t, server.Client)

	keep(t, server.Client)
	server.Stop()
	// Restarted without the survivor's source: the object stays readable and editable, and its
	// condition says the source is gone.
	again := testserver.Start(t, "--data-dir="+dataDir, "--source=thanos=http://127.0.0.1:1")
	kept(t, again.Client)
	gone := waitFor(t, again.Client, "survivor", 30*time.Second, "SourceUnknown", func(s *metricsv1.MetricSnapshot) bool {
		c := meta.FindStatusCondition(s.Status.Conditions, metrics.ConditionCollected)
		return c != nil && c.Reason == metrics.ReasonSourceUnknown
	})
	gone.Spec.Interval = "5m"
	if _, err := again.Client.MetricsV1().MetricSnapshots(ns).Update(ctxFor(t, 30*time.Second), gone, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("an object whose source was removed must stay editable: %v", err)
	}
}

func TestAPIOnExternalEtcd(t *testing.T) {
	etcd := testenv.StartEtcd(t)
	server := testserver.Start(t, "--etcd-servers="+etcd.URL, "--source="+unreachable, "--source=thanos=http://127.0.0.1:1")
	exerciseAPI(t, server.Client)
	storageSemantics(t, server.Client)

	keep(t, server.Client)
	server.Stop()
	again := testserver.Start(t, "--etcd-servers="+etcd.URL, "--source="+unreachable)
	kept(t, again.Client)
}

func keep(t *testing.T, c versioned.Interface) {
	if _, err := c.MetricsV1().MetricSnapshots(ns).Create(ctxFor(t, 30*time.Second), snapshot("survivor", "prometheus", "up"), metav1.CreateOptions{}); err != nil {
		t.Fatalf("create before restart: %v", err)
	}
}

func kept(t *testing.T, c versioned.Interface) {
	s, err := c.MetricsV1().MetricSnapshots(ns).Get(ctxFor(t, 30*time.Second), "survivor", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("object created before the restart is gone: %v", err)
	}
	if s.Spec.Metrics[0] != "up" {
		t.Fatalf("object changed across the restart: %+v", s.Spec)
	}
}

// exerciseAPI walks through what a client does: create, read, list, select, update, write
// status, watch, apply and delete, checking what the user would see at each step.
func exerciseAPI(t *testing.T, c versioned.Interface) {
	ctx := ctxFor(t, 2*time.Minute)
	snapshots := c.MetricsV1().MetricSnapshots(ns)

	w, err := snapshots.Watch(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatalf("watch: %v", err)
	}
	defer w.Stop()

	// Create: status sent by the client is dropped, generation starts at 1, interval defaults.
	in := snapshot("app", "prometheus", "up", "sum(rate(http_requests_total[5m]))")
	in.Spec.Interval = ""
	in.Status.Data = map[string]float64{"up": 42}
	created, err := snapshots.Create(ctx, in, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if created.Generation != 1 || created.Spec.Interval != metricsv1.DefaultInterval || created.Status.Data != nil {
		t.Fatalf("create: want generation 1, interval %s, no status; got %d %q %v", metricsv1.DefaultInterval, created.Generation, created.Spec.Interval, created.Status.Data)
	}
	expectEvent(t, w, watch.Added, "app")

	// Invalid objects are rejected with the field path, and nothing is stored.
	bad := snapshot("bad", "nowhere", "up")
	bad.Spec.Interval = "1s"
	_, err = snapshots.Create(ctx, bad, metav1.CreateOptions{})
	if !apierrors.IsInvalid(err) {
		t.Fatalf("invalid create: want 422 Invalid, got %v", err)
	}
	fields := map[string]bool{}
	for _, cause := range err.(apierrors.APIStatus).Status().Details.Causes {
		fields[cause.Field] = true
	}
	if !fields["spec.source"] || !fields["spec.interval"] {
		t.Fatalf("invalid create: want causes at spec.source and spec.interval, got %v", err)
	}
	if _, err := snapshots.Get(ctx, "bad", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("rejected object was stored: %v", err)
	}

	// Get and list, with a field selector on spec.source.
	if _, err := snapshots.Create(ctx, snapshot("other", "thanos", "up"), metav1.CreateOptions{}); err != nil {
		t.Fatalf("create other: %v", err)
	}
	expectEvent(t, w, watch.Added, "other")
	list, err := snapshots.List(ctx, metav1.ListOptions{FieldSelector: "spec.source=thanos"})
	if err != nil || len(list.Items) != 1 || list.Items[0].Name != "other" {
		t.Fatalf("list by spec.source=thanos: want [other], got %v %v", names(list), err)
	}
	if list, err := snapshots.List(ctx, metav1.ListOptions{}); err != nil || len(list.Items) != 2 {
		t.Fatalf("list: want 2 items, got %v %v", names(list), err)
	}

	// A spec update bumps the generation and cannot write status. The collector writes status meanwhile, so
	// the update is retried on a conflict, as any client's read-modify-write must be.
	var updated *metricsv1.MetricSnapshot
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		got, err := snapshots.Get(ctx, "app", metav1.GetOptions{})
		if err != nil {
			return err
		}
		got.Spec.Interval = "30s"
		got.Status.Data = map[string]float64{"up": 7}
		updated, err = snapshots.Update(ctx, got, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	if updated.Generation != 2 || updated.Spec.Interval != "30s" || updated.Status.Data != nil {
		t.Fatalf("update: want generation 2, interval 30s, no status; got %d %q %v", updated.Generation, updated.Spec.Interval, updated.Status.Data)
	}
	expectEvent(t, w, watch.Modified, "app")

	// A status update writes status only. (The collector writes status too, after the new
	// generation: a conflict with it is retried on a fresh read.)
	var status *metricsv1.MetricSnapshot
	if err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		fresh, err := snapshots.Get(ctx, "app", metav1.GetOptions{})
		if err != nil {
			return err
		}
		fresh.Spec.Interval = "1h"
		fresh.Status.Data = map[string]float64{"up": 1}
		fresh.Status.Errors = nil
		fresh.Status.ObservedGeneration = 2
		status, err = snapshots.UpdateStatus(ctx, fresh, metav1.UpdateOptions{})
		return err
	}); err != nil {
		t.Fatalf("update status: %v", err)
	}
	if status.Spec.Interval != "30s" || status.Status.Data["up"] != 1 || status.Generation != 2 {
		t.Fatalf("update status: want spec unchanged and data up=1 at generation 2; got %q %v %d", status.Spec.Interval, status.Status.Data, status.Generation)
	}
	expectEvent(t, w, watch.Modified, "app")

	// Server-side apply creates and then changes an object, owned by the applying manager.
	apply := applymetricsv1.MetricSnapshot("applied", ns).WithSpec(applymetricsv1.MetricSnapshotSpec().
		WithSource("prometheus").WithMetrics("up").WithInterval("15s"))
	if _, err := snapshots.Apply(ctx, apply, metav1.ApplyOptions{FieldManager: "tester", Force: true}); err != nil {
		t.Fatalf("apply (create): %v", err)
	}
	expectEvent(t, w, watch.Added, "applied")
	apply.Spec.WithMetrics("count(up)")
	applied, err := snapshots.Apply(ctx, apply, metav1.ApplyOptions{FieldManager: "tester", Force: true})
	if err != nil {
		t.Fatalf("apply (update): %v", err)
	}
	if applied.Generation != 2 || len(applied.Spec.Metrics) != 2 || applied.Spec.Metrics[1] != "count(up)" {
		t.Fatalf("apply: want generation 2 and metrics [up count(up)], got %d %v", applied.Generation, applied.Spec.Metrics)
	}
	if len(applied.ManagedFields) == 0 || applied.ManagedFields[0].Manager != "tester" {
		t.Fatalf("apply: want fields managed by tester, got %+v", applied.ManagedFields)
	}
	expectEvent(t, w, watch.Modified, "applied")

	// Delete.
	for _, name := range []string{"app", "other", "applied"} {
		if err := snapshots.Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
			t.Fatalf("delete %s: %v", name, err)
		}
		expectEvent(t, w, watch.Deleted, name)
	}
	if list, err := snapshots.List(ctx, metav1.ListOptions{}); err != nil || len(list.Items) != 0 {
		t.Fatalf("list after delete: want none, got %v %v", names(list), err)
	}
}

// expectEvent reads watch events until one of the wanted type and name arrives (bounded).
// Events for status writes by the collector may come in between.
func expectEvent(t *testing.T, w watch.Interface, typ watch.EventType, name string) {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case ev, ok := <-w.ResultChan():
			if !ok {
				t.Fatalf("watch closed while waiting for %s %s", typ, name)
			}
			if s, isSnapshot := ev.Object.(*metricsv1.MetricSnapshot); isSnapshot && ev.Type == typ && s.Name == name {
				return
			}
		case <-timeout:
			t.Fatalf("no %s event for %s within 30s", typ, name)
		}
	}
}

func names(list *metricsv1.MetricSnapshotList) []string {
	if list == nil {
		return nil
	}
	var out []string
	for _, s := range list.Items {
		out = append(out, s.Name)
	}
	return out
}
