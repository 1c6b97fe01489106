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
	"strings"
	"testing"
	"time"

	"example.com/aggregation-operator/internal/testutil"
)

const (
	embeddedName   = "e2e-widgets"
	embeddedNS     = "e2e-widgets"
	widgetsGroup   = "widgets.example.com"
	widgetsService = "v1." + widgetsGroup
)

// sideBySide runs a second CustomApiServer next to the sample: embedded storage, one replica, the same
// image serving another group (--api-group). Both APIs must be served at once, each from its own
// storage, and deleting the second must leave the sample's API working.
func sideBySide(t *testing.T) {
	kubectlApply(t, `apiVersion: aggregation.example.com/v1alpha1
kind: CustomApiServer
metadata: {name: `+embeddedName+`}
spec:
  namespace: `+embeddedNS+`
  replicas: 1
  storage: {embedded: {}}
  args: ["--api-group=`+widgetsGroup+`", "--source=prometheus=http://prometheus.`+sampleNS+`.svc:9090"]
  apiServices:
  - {group: `+widgetsGroup+`, version: v1}
`)
	t.Cleanup(func() {
		// A failed check must not leave a second server behind for the deletion step.
		_, _ = cfg.KubectlOutput(context.Background(), "", "delete", "customapiserver", embeddedName, "--ignore-not-found", "--timeout=3m")
	})
	waitAllTrue(t, embeddedName, 3*time.Minute)
	for _, svc := range []string{widgetsService, apiService} {
		if st := kubectl(t, "get", "apiservice", svc, "-o", `jsonpath={.status.conditions[?(@.type=="Available")].status}`); st != "True" {
			t.Errorf("APIService %s Available=%q with both servers running, want True", svc, st)
		}
	}
	versions := kubectl(t, "api-versions")
	for _, gv := range []string{widgetsGroup + "/v1", groupVer} {
		if !containsLine(versions, gv) {
			t.Errorf("kubectl api-versions does not list %s with both servers running", gv)
		}
	}

	// A MetricSnapshot in the second group, through the aggregator, collected from the same Prometheus.
	want, err := cfg.PrometheusQuery(t.Context(), "up")
	if err != nil {
		t.Fatal(err)
	}
	kubectlApply(t, `apiVersion: `+widgetsGroup+`/v1
kind: MetricSnapshot
metadata: {name: widgets-up, namespace: default}
spec: {source: prometheus, metrics: [up], interval: 10s}
`)
	resource := "metricsnapshots." + widgetsGroup
	if r := findRow(t, kubectl(t, "-n", "default", "get", resource), "widgets-up"); len(r) < 2 || r[1] != "prometheus" {
		t.Errorf("kubectl get %s: row %v, want widgets-up with source prometheus", resource, r)
	}
	var snap struct {
		Status struct {
			Data       map[string]float64 `json:"data"`
			Conditions []condition        `json:"conditions"`
		} `json:"status"`
	}
	testutil.Eventually(t, 2*time.Minute, "status.data of widgets-up", func(context.Context) error {
		kubectlJSON(t, &snap, "-n", "default", "get", resource, "widgets-up")
		if up, ok := snap.Status.Data["up"]; !ok || up != want {
			return errors.New(fmtData(snap.Status.Data) + " " + fmtConditions(snap.Status.Conditions))
		}
		return nil
	})
	// Each server has its own storage: the sample's group does not see the object.
	if out := kubectl(t, "-n", "default", "get", "metricsnapshots."+"metrics.example.com", "-o", "name"); strings.Contains(out, "widgets-up") {
		t.Errorf("metricsnapshots.metrics.example.com lists the object created in %s:\n%s", widgetsGroup, out)
	}

	// Deleting the second removes its APIService and children only: the sample's API keeps working.
	kubectl(t, "delete", "customapiserver", embeddedName, "--timeout=3m")
	if out, _ := cfg.KubectlOutput(t.Context(), "", "get", "apiservice", widgetsService, "--ignore-not-found", "-o", "name"); out != "" {
		t.Errorf("APIService %s still exists after its CustomApiServer was deleted", widgetsService)
	}
	testutil.Eventually(t, 2*time.Minute, "namespace "+embeddedNS+" (created by the operator) gone", func(ctx context.Context) error {
		out, _ := cfg.KubectlOutput(ctx, "", "get", "namespace", embeddedNS, "--ignore-not-found", "-o", "name")
		return gone(out)
	})
	if st := kubectl(t, "get", "apiservice", apiService, "-o", `jsonpath={.status.conditions[?(@.type=="Available")].status}`); st != "True" {
		t.Errorf("APIService %s Available=%q after deleting the second CustomApiServer, want True", apiService, st)
	}
	kubectl(t, "-n", "default", "get", "metricsnapshots")
}
