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

	promapi "github.com/prometheus/client_golang/api"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"example.com/aggregation-operator/apiserver/apis/metrics"
	metricsv1 "example.com/aggregation-operator/apiserver/apis/metrics/v1"
	"example.com/aggregation-operator/apiserver/internal/testenv"
	"example.com/aggregation-operator/apiserver/internal/testserver"
)

// TestCollectionFromPrometheus: status.data holds what Prometheus answers for the same queries at
// lastCollectionTime; a stopped Prometheus sets Collected=False and keeps the data; a restarted
// one brings collection back.
func TestCollectionFromPrometheus(t *testing.T) {
	prom := testenv.StartPrometheus(t)
	server := testserver.Start(t, "--source=prometheus="+prom.URL)
	snapshots := server.Client.MetricsV1().MetricSnapshots(ns)

	// Stable series of a Prometheus scraping itself, and time() to pin the evaluation instant.
	want := []string{"up", "count(up)", "prometheus_build_info", "time()"}
	// Wait for the first scrape so "up" exists when the first collection runs.
	api := prometheusAPI(t, prom.URL)
	prom.WaitForSeries(testenv.Scraped)

	if _, err := snapshots.Create(ctxFor(t, 30*time.Second), snapshot("prom", "prometheus", want...), metav1.CreateOptions{}); err != nil {
		t.Fatalf("create: %v", err)
	}
	first := waitFor(t, server.Client, "prom", 60*time.Second, "Collected=True", collected(metav1.ConditionTrue))
	if first.Status.LastCollectionTime == nil || len(first.Status.Data) != len(want) || first.Status.ObservedGeneration != 1 {
		t.Fatalf("want data for %v at a lastCollectionTime for generation 1, got %+v", want, first.Status)
	}
	at := first.Status.LastCollectionTime.Time
	for _, expr := range want {
		value, _, err := api.Query(ctxFor(t, 10*time.Second), expr, at)
		if err != nil {
			t.Fatalf("query %s: %v", expr, err)
		}
		if got, expected := first.Status.Data[expr], prometheusValue(t, expr, value); got != expected {
			t.Errorf("status.data[%q] = %v, Prometheus says %v at %s", expr, got, expected, at)
		}
	}

	prom.Stop()
	failed := waitFor(t, server.Client, "prom", 60*time.Second, "Collected=False", collected(metav1.ConditionFalse))
	cond := meta.FindStatusCondition(failed.Status.Conditions, metrics.ConditionCollected)
	if cond.Reason != metrics.ReasonQueryFailed || cond.Message == "" {
		t.Fatalf("want reason %s with the error, got %+v", metrics.ReasonQueryFailed, cond)
	}
	if len(failed.Status.Errors) != len(want) || !failed.Status.LastAttemptTime.After(at) {
		t.Fatalf("want the error of each metric at a later lastAttemptTime, got errors %v at %v", failed.Status.Errors, failed.Status.LastAttemptTime)
	}
	if !failed.Status.LastCollectionTime.Equal(first.Status.LastCollectionTime) || len(failed.Status.Data) != len(want) {
		t.Fatalf("failure must keep the last good data: before %+v, after %+v", first.Status, failed.Status)
	}
	for k, v := range first.Status.Data {
		if failed.Status.Data[k] != v {
			t.Fatalf("failure changed data[%s] from %v to %v", k, v, failed.Status.Data[k])
		}
	}

	prom.Start()
	recovered := waitFor(t, server.Client, "prom", 60*time.Second, "Collected=True after restart", func(s *metricsv1.MetricSnapshot) bool {
		return collected(metav1.ConditionTrue)(s) && s.Status.LastCollectionTime.After(at)
	})
	if got := recovered.Status.Data["time()"]; got != float64(recovered.Status.LastCollectionTime.Unix()) {
		t.Fatalf("time() = %v, want the evaluation time %d", got, recovered.Status.LastCollectionTime.Unix())
	}
	if recovered.Status.Errors != nil {
		t.Fatalf("a full collection must clear status.errors, got %v", recovered.Status.Errors)
	}
}

// prometheusValue is the one number a scalar or single-series answer holds.
func prometheusValue(t *testing.T, expr string, value model.Value) float64 {
	t.Helper()
	switch v := value.(type) {
	case model.Vector:
		if len(v) != 1 {
			t.Fatalf("%s: Prometheus returned %d series", expr, len(v))
		}
		return float64(v[0].Value)
	case *model.Scalar:
		return float64(v.Value)
	}
	t.Fatalf("%s: Prometheus returned a %s", expr, value.Type())
	return 0
}

func collected(status metav1.ConditionStatus) func(*metricsv1.MetricSnapshot) bool {
	return func(s *metricsv1.MetricSnapshot) bool {
		return meta.IsStatusConditionPresentAndEqual(s.Status.Conditions, metrics.ConditionCollected, status)
	}
}

func prometheusAPI(t *testing.T, url string) promv1.API {
	client, err := promapi.NewClient(promapi.Config{Address: url})
	if err != nil {
		t.Fatal(err)
	}
	return promv1.NewAPI(client)
}
