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

package chart

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"example.com/aggregation-operator/internal/testutil"
)

// The ServiceMonitor and PrometheusRule of config/components/prometheus and of the chart (default and
// every value) are accepted by the Prometheus Operator's own CRDs (its module's example/prometheus-operator-crd,
// `make prometheus-operator-crds`) on a real kube-apiserver: a server-side dry-run create with strict
// field validation, so a misspelt or unknown field fails too.
func TestMonitoringObjectsMatchPrometheusOperatorCRDs(t *testing.T) {
	crds := prometheusOperatorCRDs(t)
	env := &envtest.Environment{
		BinaryAssetsDirectory: testutil.KubeBin(t),
		CRDInstallOptions: envtest.CRDInstallOptions{Paths: []string{
			filepath.Join(crds, "monitoring.coreos.com_servicemonitors.yaml"),
			filepath.Join(crds, "monitoring.coreos.com_prometheusrules.yaml"),
		}, ErrorIfPathMissing: true},
	}
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("starting envtest: %v", err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}); err != nil {
		t.Fatal(err)
	}

	sources := map[string][]unstructured.Unstructured{
		"config/default with the prometheus component": kustomizeDefault(t, "prometheus"),
		"the chart with both enabled":                  mustHelmTemplate(t, "--set", "metrics.serviceMonitor.enabled=true,metrics.prometheusRule.enabled=true"),
		"the chart with every value":                   mustHelmTemplate(t, "-f", everyValue),
	}
	for source, objs := range sources {
		checked := 0
		for _, o := range objs {
			if o.GetKind() != "ServiceMonitor" && o.GetKind() != "PrometheusRule" {
				continue
			}
			checked++
			if err := c.Create(ctx, &o, client.DryRunAll, client.FieldValidation(metav1.FieldValidationStrict)); err != nil {
				t.Errorf("%s: %s %s refused by the Prometheus Operator's CRD: %v", source, o.GetKind(), o.GetName(), err)
			}
		}
		if checked != 2 {
			t.Errorf("%s: %d monitoring objects, want a ServiceMonitor and a PrometheusRule", source, checked)
		}
	}
}

// prometheusOperatorCRDs is $PROMETHEUS_OPERATOR_CRDS (set by `make test`), else the one version in bin/.
func prometheusOperatorCRDs(t *testing.T) string {
	t.Helper()
	dir := tool(t, "PROMETHEUS_OPERATOR_CRDS", filepath.Join("prometheus-operator", "*", "crds"))
	// envtest skips a CRD file that is not there, which would read as the CRD refusing every object.
	if _, err := os.Stat(filepath.Join(dir, "monitoring.coreos.com_servicemonitors.yaml")); err != nil {
		t.Fatalf("the Prometheus Operator's CRDs are not in %s (run `make prometheus-operator-crds`): %v", dir, err)
	}
	return dir
}
