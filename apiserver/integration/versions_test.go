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
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	restclient "k8s.io/client-go/rest"
	"k8s.io/client-go/util/retry"

	metricsv1 "example.com/aggregation-operator/apiserver/apis/metrics/v1"
	metricsv2 "example.com/aggregation-operator/apiserver/apis/metrics/v2"
	applymetricsv1 "example.com/aggregation-operator/apiserver/generated/applyconfiguration/metrics/v1"
	applymetricsv2 "example.com/aggregation-operator/apiserver/generated/applyconfiguration/metrics/v2"
	"example.com/aggregation-operator/apiserver/generated/clientset/versioned"
	"example.com/aggregation-operator/apiserver/internal/testenv"
	"example.com/aggregation-operator/apiserver/internal/testserver"
)

const requests = "sum(rate(http_requests_total[5m]))"

// warnings records the Warning headers of a client's responses.
type warnings struct {
	mu   sync.Mutex
	seen []string
}

func (w *warnings) HandleWarningHeader(_ int, _ string, message string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seen = append(w.seen, message)
}

// take returns the warnings seen since the last call.
func (w *warnings) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	seen := w.seen
	w.seen = nil
	return seen
}

func clientWithWarnings(t *testing.T, server *testserver.APIServer) (versioned.Interface, *warnings) {
	t.Helper()
	w := &warnings{}
	cfg := restclient.CopyConfig(server.Config)
	cfg.WarningHandler = w
	c, err := versioned.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, w
}

// TestVersions runs the stories of two served versions on one server (external etcd, so the
// stored bytes can be read).
//
// side by side: an object created through v1 reads through v2 with each metric named
// after its query; names and labels set through v2 survive a read-modify-write through v1 (kept in
// an annotation v1 clients carry back); a watch on v1 sees a v2 update; the collector's errors
// show keyed by query in v1 and by name in v2; v1 answers carry a deprecation Warning, v2 none.
func TestVersions(t *testing.T) {
	etcd := testenv.StartEtcd(t)
	server := testserver.Start(t, "--etcd-servers="+etcd.URL, "--source="+unreachable)
	t.Run("side by side", func(t *testing.T) { sideBySide(t, server) })
	t.Run("server-side apply", func(t *testing.T) { serverSideApply(t, server) })
	t.Run("storage migration", func(t *testing.T) { storageMigration(t, server, etcd) })
}

func sideBySide(t *testing.T, server *testserver.APIServer) {
	c, warned := clientWithWarnings(t, server)
	v1, v2 := c.MetricsV1().MetricSnapshots(ns), c.MetricsV2().MetricSnapshots(ns)
	ctx := ctxFor(t, 2*time.Minute)

	if _, err := v1.Create(ctx, snapshot("both", "prometheus", "up", requests), metav1.CreateOptions{}); err != nil {
		t.Fatalf("create through v1: %v", err)
	}
	if got := warned.take(); len(got) != 1 || got[0] != "metrics.example.com/v1 MetricSnapshot is deprecated in v1.37+; use metrics.example.com/v2 MetricSnapshot" {
		t.Fatalf("v1 create: want the deprecation warning, got %q", got)
	}
	read, err := v2.Get(ctx, "both", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get through v2: %v", err)
	}
	if want := []metricsv2.Metric{{Name: "up", Query: "up"}, {Name: requests, Query: requests}}; !slices.EqualFunc(read.Spec.Metrics, want, sameMetric) {
		t.Fatalf("v2 reads the v1 metrics as %+v, want %+v", read.Spec.Metrics, want)
	}
	if got := warned.take(); len(got) != 0 {
		t.Fatalf("v2 get: want no warning, got %q", got)
	}

	// A v2 update of what v1 cannot show, seen by a watch on v1.
	w, err := v1.Watch(ctx, metav1.ListOptions{ResourceVersion: read.ResourceVersion})
	if err != nil {
		t.Fatalf("watch through v1: %v", err)
	}
	defer w.Stop()
	named := []metricsv2.Metric{{Name: "up", Query: "up"}, {Name: "requests", Query: requests, Labels: map[string]string{"team": "web"}}}
	updateRetrying(t, ctx, v2, "v2", "both", func(s *metricsv2.MetricSnapshot) { s.Spec.Metrics, s.Spec.Interval = named, "30s" })
	seen := expectV1Generation(t, w, 2)
	if !slices.Equal(seen.Spec.Metrics, []string{"up", requests}) || seen.Spec.Interval != "30s" ||
		!strings.Contains(seen.Annotations[metricsv1.MetricsAnnotation], `"name":"requests"`) {
		t.Fatalf("v1 watch saw metrics %q interval %q annotations %v", seen.Spec.Metrics, seen.Spec.Interval, seen.Annotations)
	}

	// An old client's read-modify-write through v1 loses nothing v2 added; dropping a metric keeps
	// the other's name and labels.
	updateRetrying(t, ctx, v1, "v1", "both", func(s *metricsv1.MetricSnapshot) { s.Spec.Interval = "1m" })
	if got := getV2(t, ctx, v2, "both"); !slices.EqualFunc(got.Spec.Metrics, named, sameMetric) || got.Spec.Interval != "1m" || len(got.Annotations) != 0 {
		t.Fatalf("after a v1 update, v2 reads metrics %+v interval %q annotations %v", got.Spec.Metrics, got.Spec.Interval, got.Annotations)
	}
	updateRetrying(t, ctx, v1, "v1", "both", func(s *metricsv1.MetricSnapshot) { s.Spec.Metrics = []string{requests} })
	if got := getV2(t, ctx, v2, "both"); !slices.EqualFunc(got.Spec.Metrics, named[1:], sameMetric) {
		t.Fatalf("after v1 dropped up, v2 reads %+v, want %+v", got.Spec.Metrics, named[1:])
	}

	// The source is unreachable: the error of the last attempt, by query in v1, by name in v2.
	failed := waitFor(t, c, "both", 30*time.Second, "an error for the metric in v1 status.errors", func(s *metricsv1.MetricSnapshot) bool {
		return s.Status.ObservedGeneration == s.Generation && s.Status.Errors[requests] != ""
	})
	got := getV2(t, ctx, v2, "both")
	if len(got.Status.Results) != 1 || got.Status.Results[0].Name != "requests" || got.Status.Results[0].Error != failed.Status.Errors[requests] {
		t.Fatalf("v2 results %+v, want the error v1 shows (%q) under the name requests", got.Status.Results, failed.Status.Errors[requests])
	}
}

// serverSideApply: apply through v2 (with a name and labels) and through v1 by
// another manager: ownership holds across versions (a conflict until forced), and the v1 apply
// keeps what only v2 has.
func serverSideApply(t *testing.T, server *testserver.APIServer) {
	c, _ := clientWithWarnings(t, server)
	v1, v2 := c.MetricsV1().MetricSnapshots(ns), c.MetricsV2().MetricSnapshots(ns)
	ctx := ctxFor(t, time.Minute)

	apply := applymetricsv2.MetricSnapshot("applied", ns).WithSpec(applymetricsv2.MetricSnapshotSpec().
		WithSource("prometheus").WithInterval("15s").
		WithMetrics(applymetricsv2.Metric().WithName("up").WithQuery("up").WithLabels(map[string]string{"team": "a"})))
	for range 2 {
		applied, err := v2.Apply(ctx, apply, metav1.ApplyOptions{FieldManager: "v2-applier"})
		if err != nil || applied.Generation != 1 {
			t.Fatalf("apply through v2 (twice is a no-op): %v, generation %v", err, applied)
		}
	}
	old := applymetricsv1.MetricSnapshot("applied", ns).WithSpec(applymetricsv1.MetricSnapshotSpec().
		WithSource("prometheus").WithMetrics("up").WithInterval("30s"))
	if _, err := v1.Apply(ctx, old, metav1.ApplyOptions{FieldManager: "v1-applier"}); !apierrors.IsConflict(err) {
		t.Fatalf("apply through v1 of fields v2-applier owns: want a conflict, got %v", err)
	}
	if _, err := v1.Apply(ctx, old, metav1.ApplyOptions{FieldManager: "v1-applier", Force: true}); err != nil {
		t.Fatalf("forced apply through v1: %v", err)
	}
	got := getV2(t, ctx, v2, "applied")
	if want := []metricsv2.Metric{{Name: "up", Query: "up", Labels: map[string]string{"team": "a"}}}; got.Spec.Interval != "30s" || !slices.EqualFunc(got.Spec.Metrics, want, sameMetric) {
		t.Fatalf("after the v1 apply, v2 reads interval %q metrics %+v, want 30s and %+v", got.Spec.Interval, got.Spec.Metrics, want)
	}
	var managers []string
	for _, f := range got.ManagedFields {
		managers = append(managers, f.Manager+" "+f.APIVersion)
	}
	slices.Sort(managers)
	if !slices.Contains(managers, "v1-applier metrics.example.com/v1") || !slices.Contains(managers, "v2-applier metrics.example.com/v2") {
		t.Fatalf("managed fields %v, want v1-applier in v1 and v2-applier in v2", managers)
	}
}

func sameMetric(a, b metricsv2.Metric) bool {
	return a.Name == b.Name && a.Query == b.Query && fmt.Sprint(a.Labels) == fmt.Sprint(b.Labels)
}

func getV2(t *testing.T, ctx context.Context, c interface {
	Get(context.Context, string, metav1.GetOptions) (*metricsv2.MetricSnapshot, error)
}, name string) *metricsv2.MetricSnapshot {
	t.Helper()
	s, err := c.Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get %s through v2: %v", name, err)
	}
	return s
}

// getUpdater is the part of a typed MetricSnapshot client (v1 or v2) that updateRetrying needs.
type getUpdater[T any] interface {
	Get(context.Context, string, metav1.GetOptions) (T, error)
	Update(context.Context, T, metav1.UpdateOptions) (T, error)
}

// updateRetrying applies change to the object read through c and writes it back, again on a conflict with
// the collector's status writes.
func updateRetrying[T any](t *testing.T, ctx context.Context, c getUpdater[T], version, name string, change func(T)) {
	t.Helper()
	if err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		s, err := c.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		change(s)
		_, err = c.Update(ctx, s, metav1.UpdateOptions{})
		return err
	}); err != nil {
		t.Fatalf("update %s through %s: %v", name, version, err)
	}
}

// expectV1Generation returns the first object the v1 watch sends at generation (the collector's
// status writes come between), waiting at most 30 s.
func expectV1Generation(t *testing.T, w watch.Interface, generation int64) *metricsv1.MetricSnapshot {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case ev, ok := <-w.ResultChan():
			if !ok {
				t.Fatal("v1 watch closed")
			}
			if s, isSnapshot := ev.Object.(*metricsv1.MetricSnapshot); isSnapshot && ev.Type == watch.Modified && s.Generation == generation {
				return s
			}
		case <-timeout:
			t.Fatalf("v1 watch: no object at generation %d within 30s", generation)
		}
	}
}
