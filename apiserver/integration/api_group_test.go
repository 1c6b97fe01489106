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
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/util/retry"

	"example.com/aggregation-operator/apiserver/internal/testenv"
	"example.com/aggregation-operator/apiserver/internal/testserver"
	"example.com/aggregation-operator/internal/testutil"
)

const widgets = "widgets.example.com"

var widgetSnapshots = schema.GroupVersionResource{Group: widgets, Version: "v1", Resource: "metricsnapshots"}

func widgetSnapshot(name string, metrics ...any) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": widgets + "/v1",
		"kind":       "MetricSnapshot",
		"metadata":   map[string]any{"name": name, "namespace": ns},
		"spec":       map[string]any{"source": "prometheus", "metrics": metrics, "interval": "10s"},
	}}
}

// TestAPIGroupFlag: a server started with --api-group=widgets.example.com serves MetricSnapshots
// at /apis/widgets.example.com/v2 and v1 only, with the same behaviour as the default group: CRUD,
// status subresource, watch, and collection from a real Prometheus.
func TestAPIGroupFlag(t *testing.T) {
	prom := testenv.StartPrometheus(t)
	server := testserver.Start(t, "--api-group="+widgets, "--source=prometheus="+prom.URL)

	disco, err := discovery.NewDiscoveryClientForConfig(server.Config)
	if err != nil {
		t.Fatal(err)
	}
	groups, err := disco.ServerGroups()
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	var preferred []string
	var versions []string
	for _, g := range groups.Groups {
		preferred = append(preferred, g.PreferredVersion.GroupVersion)
		for _, v := range g.Versions {
			versions = append(versions, v.GroupVersion)
		}
	}
	if !slices.Equal(preferred, []string{widgets + "/v2"}) || !slices.Equal(versions, []string{widgets + "/v2", widgets + "/v1"}) {
		t.Fatalf("discovery: want only %s, v2 preferred to v1, got preferred %v of %v", widgets, preferred, versions)
	}
	for _, version := range []string{"/v2", "/v1"} {
		resources, err := disco.ServerResourcesForGroupVersion(widgets + version)
		if err != nil {
			t.Fatalf("discovery of %s%s: %v", widgets, version, err)
		}
		var names []string
		for _, r := range resources.APIResources {
			names = append(names, r.Name)
		}
		slices.Sort(names)
		if !slices.Equal(names, []string{"metricsnapshots", "metricsnapshots/status"}) {
			t.Fatalf("%s%s resources: %v", widgets, version, names)
		}
	}

	dyn, err := dynamic.NewForConfig(server.Config)
	if err != nil {
		t.Fatal(err)
	}
	snapshots := dyn.Resource(widgetSnapshots).Namespace(ns)
	ctx := ctxFor(t, 3*time.Minute)

	prom.WaitForSeries(testenv.Scraped)
	created, err := snapshots.Create(ctx, widgetSnapshot("w", "up"), metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if created.GetAPIVersion() != widgets+"/v1" || created.GetGeneration() != 1 {
		t.Fatalf("create returned apiVersion %q generation %d", created.GetAPIVersion(), created.GetGeneration())
	}
	if list, err := snapshots.List(ctx, metav1.ListOptions{FieldSelector: "spec.source=prometheus"}); err != nil || len(list.Items) != 1 {
		t.Fatalf("list by spec.source: %v %v", list, err)
	}
	if _, err := dyn.Resource(schema.GroupVersionResource{Group: "metrics.example.com", Version: "v1", Resource: "metricsnapshots"}).
		Namespace(ns).List(ctx, metav1.ListOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("metrics.example.com must not be served next to %s, got %v", widgets, err)
	}

	// Collection writes status.data through the collector's client for the served group.
	collected := waitForWidget(t, snapshots, "w", "status.data.up = 1 from Prometheus", func(u *unstructured.Unstructured) bool {
		up, found, _ := unstructured.NestedFieldNoCopy(u.Object, "status", "data", "up")
		return found && up == int64(1)
	})

	watcher, err := snapshots.Watch(ctx, metav1.ListOptions{ResourceVersion: collected.GetResourceVersion()})
	if err != nil {
		t.Fatalf("watch: %v", err)
	}
	defer watcher.Stop()

	// A spec write cannot write status; it bumps the generation.
	var updated *unstructured.Unstructured
	if err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		u, err := snapshots.Get(ctx, "w", metav1.GetOptions{})
		if err != nil {
			return err
		}
		_ = unstructured.SetNestedStringSlice(u.Object, []string{"up", "count(up)"}, "spec", "metrics")
		_ = unstructured.SetNestedField(u.Object, int64(7), "status", "data", "forged")
		updated, err = snapshots.Update(ctx, u, metav1.UpdateOptions{})
		return err
	}); err != nil {
		t.Fatalf("update: %v", err)
	}
	if _, forged, _ := unstructured.NestedFieldNoCopy(updated.Object, "status", "data", "forged"); forged || updated.GetGeneration() != 2 {
		t.Fatalf("spec update: want generation 2 and no status write, got generation %d status %v", updated.GetGeneration(), updated.Object["status"])
	}
	expectWidgetEvent(t, watcher, watch.Modified, func(u *unstructured.Unstructured) bool { return u.GetGeneration() == 2 })

	// A status write cannot write spec.
	var status *unstructured.Unstructured
	if err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		u, err := snapshots.Get(ctx, "w", metav1.GetOptions{})
		if err != nil {
			return err
		}
		_ = unstructured.SetNestedStringSlice(u.Object, []string{"forged"}, "spec", "metrics")
		_ = unstructured.SetNestedField(u.Object, int64(5), "status", "observedGeneration")
		status, err = snapshots.UpdateStatus(ctx, u, metav1.UpdateOptions{})
		return err
	}); err != nil {
		t.Fatalf("update status: %v", err)
	}
	metrics, _, _ := unstructured.NestedStringSlice(status.Object, "spec", "metrics")
	if og, _, _ := unstructured.NestedInt64(status.Object, "status", "observedGeneration"); og != 5 || !slices.Equal(metrics, []string{"up", "count(up)"}) {
		t.Fatalf("status update: want observedGeneration 5 and spec.metrics unchanged, got %d %v", og, metrics)
	}

	if err := snapshots.Delete(ctx, "w", metav1.DeleteOptions{}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	expectWidgetEvent(t, watcher, watch.Deleted, func(u *unstructured.Unstructured) bool { return u.GetName() == "w" })
	if _, err := snapshots.Get(ctx, "w", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("after delete: want NotFound, got %v", err)
	}
}

func waitForWidget(t *testing.T, c dynamic.ResourceInterface, name, what string, cond func(*unstructured.Unstructured) bool) *unstructured.Unstructured {
	t.Helper()
	var last *unstructured.Unstructured
	testutil.Eventually(t, 60*time.Second, what, func(ctx context.Context) error {
		u, err := c.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if last = u; !cond(u) {
			return fmt.Errorf("last seen: %v", u)
		}
		return nil
	})
	return last
}

// expectWidgetEvent reads watch events (at most 30s) until one of type typ satisfies cond.
func expectWidgetEvent(t *testing.T, w watch.Interface, typ watch.EventType, cond func(*unstructured.Unstructured) bool) {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case ev, ok := <-w.ResultChan():
			if !ok {
				t.Fatalf("watch closed before a %s event", typ)
			}
			if u, isObj := ev.Object.(*unstructured.Unstructured); isObj && ev.Type == typ && cond(u) {
				if u.GetAPIVersion() != widgets+"/v1" {
					t.Fatalf("watch event carries apiVersion %q", u.GetAPIVersion())
				}
				return
			}
		case <-timeout:
			t.Fatalf("no %s event within 30s", typ)
		}
	}
}
