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
	"encoding/json"
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/metadata"
	restclient "k8s.io/client-go/rest"

	metricsv1 "example.com/aggregation-operator/apiserver/apis/metrics/v1"
	"example.com/aggregation-operator/apiserver/generated/clientset/versioned"
	"example.com/aggregation-operator/apiserver/internal/testserver"
)

// The namespace controller's clients prefer protobuf (kube-controller-manager's default content type).
const (
	protobufFirst = "application/vnd.kubernetes.protobuf,application/json"
	doomed        = "doomed"
)

// protobufClient is configured like the namespace controller's typed client.
func protobufClient(t *testing.T, server *testserver.APIServer) versioned.Interface {
	t.Helper()
	cfg := restclient.CopyConfig(server.Config)
	cfg.ContentType = runtime.ContentTypeProtobuf
	cfg.AcceptContentTypes = protobufFirst
	c, err := versioned.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func createIn(t *testing.T, ctx context.Context, c versioned.Interface, namespace string, names ...string) {
	t.Helper()
	for _, name := range names {
		s := snapshot(name, "prometheus", "up")
		s.Namespace = namespace
		if _, err := c.MetricsV1().MetricSnapshots(namespace).Create(ctx, s, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create %s/%s: %v", namespace, name, err)
		}
	}
}

// TestProtobufPreferringTypedClient: a client that asks for protobuf first (as kube-controller-manager's
// do) gets JSON back for list, watch and deletecollection instead of an encoding error, so the
// namespace controller can empty a namespace holding MetricSnapshots.
func TestProtobufPreferringTypedClient(t *testing.T) {
	server := testserver.Start(t, "--source="+unreachable)
	ctx := ctxFor(t, 2*time.Minute)
	createIn(t, ctx, server.Client, doomed, "a", "b")
	snapshots := protobufClient(t, server).MetricsV1().MetricSnapshots(doomed)

	list, err := snapshots.List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatalf("list preferring protobuf: %v", err)
	}
	if got := names(list); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("list preferring protobuf: want [a b], got %v", got)
	}

	if one, err := snapshots.Get(ctx, "a", metav1.GetOptions{}); err != nil || one.Spec.Source != "prometheus" {
		t.Fatalf("get preferring protobuf: want a with source prometheus, got %+v %v", one, err)
	}

	w, err := snapshots.Watch(ctx, metav1.ListOptions{ResourceVersion: list.ResourceVersion})
	if err != nil {
		t.Fatalf("watch preferring protobuf: %v", err)
	}
	defer w.Stop()
	createIn(t, ctx, server.Client, doomed, "c")
	expectEvent(t, w, watch.Added, "c")

	// DeleteCollection answers with the deleted objects; the typed client drops them, so read
	// them through its REST client, which sends the same request.
	var deleted metricsv1.MetricSnapshotList
	err = protobufClient(t, server).MetricsV1().RESTClient().Delete().
		Namespace(doomed).Resource("metricsnapshots").
		Body(&metav1.DeleteOptions{}).Do(ctx).Into(&deleted)
	if err != nil {
		t.Fatalf("deletecollection preferring protobuf: %v", err)
	}
	if got := names(&deleted); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("deletecollection preferring protobuf: want [a b c] returned, got %v", got)
	}
	expectEvent(t, w, watch.Deleted, "a")
	if left, err := server.Client.MetricsV1().MetricSnapshots(doomed).List(ctx, metav1.ListOptions{}); err != nil || len(left.Items) != 0 {
		t.Fatalf("after deletecollection: want none left, got %v %v", names(left), err)
	}
}

// TestNamespaceControllerMetadataClient does what the namespace controller does to a namespace's
// MetricSnapshots: list and deletecollection through the metadata client, which prefers protobuf.
func TestNamespaceControllerMetadataClient(t *testing.T) {
	server := testserver.Start(t, "--source="+unreachable)
	ctx := ctxFor(t, 2*time.Minute)
	createIn(t, ctx, server.Client, doomed, "a", "b")
	createIn(t, ctx, server.Client, ns, "elsewhere")

	client, err := metadata.NewForConfig(server.Config)
	if err != nil {
		t.Fatal(err)
	}
	snapshots := client.Resource(metricsv1.SchemeGroupVersion.WithResource("metricsnapshots")).Namespace(doomed)

	list, err := snapshots.List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatalf("metadata list: %v", err)
	}
	if got := metadataNames(list); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("metadata list: want [a b], got %v", got)
	}
	one, err := snapshots.Get(ctx, "a", metav1.GetOptions{})
	if err != nil || one.Name != "a" || one.Namespace != doomed {
		t.Fatalf("metadata get: want %s/a, got %+v %v", doomed, one, err)
	}

	if err := snapshots.DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{}); err != nil {
		t.Fatalf("metadata deletecollection: %v", err)
	}
	list, err = snapshots.List(ctx, metav1.ListOptions{})
	if err != nil || len(list.Items) != 0 {
		t.Fatalf("metadata list after deletecollection: want none, got %v %v", metadataNames(list), err)
	}
	if _, err := server.Client.MetricsV1().MetricSnapshots(ns).Get(ctx, "elsewhere", metav1.GetOptions{}); err != nil {
		t.Fatalf("deletecollection in %s must not touch %s: %v", doomed, ns, err)
	}
}

// TestTablePreferringProtobuf: kubectl's Accept for tables lists protobuf first; the server answers
// with a JSON Table.
func TestTablePreferringProtobuf(t *testing.T) {
	server := testserver.Start(t, "--source="+unreachable)
	ctx := ctxFor(t, time.Minute)
	createIn(t, ctx, server.Client, doomed, "a")

	result := server.Client.MetricsV1().RESTClient().Get().Namespace(doomed).Resource("metricsnapshots").
		SetHeader("Accept", "application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1;g=meta.k8s.io,application/json").
		Do(ctx)
	raw, err := result.Raw()
	if err != nil {
		t.Fatalf("table preferring protobuf: %v", err)
	}
	var contentType string
	result.ContentType(&contentType)
	if contentType != runtime.ContentTypeJSON {
		t.Fatalf("table preferring protobuf: want %s, got %q", runtime.ContentTypeJSON, contentType)
	}
	var table metav1.Table
	if err := json.Unmarshal(raw, &table); err != nil {
		t.Fatalf("decoding table: %v", err)
	}
	if table.Kind != "Table" || len(table.Rows) != 1 || len(table.ColumnDefinitions) == 0 || table.ColumnDefinitions[0].Name != "Name" {
		t.Fatalf("table preferring protobuf: want one row under a Name column, got %s", raw)
	}
}

func metadataNames(list *metav1.PartialObjectMetadataList) []string {
	if list == nil {
		return nil
	}
	var out []string
	for _, m := range list.Items {
		out = append(out, m.Name)
	}
	return out
}
