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
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// The chart and config/default (what `make deploy` applies) must not drift: rendered with the release
// name aggregation-operator in aggregation-operator-system, the chart has every object of kustomize's
// output (but the Namespace, which Helm leaves to --create-namespace) under the same name, with the same
// CRD, RBAC rules, bindings, metrics Service and pod spec; with the optional Prometheus component and the
// values that turn it on, the same ServiceMonitor and PrometheusRule.
func TestChartMatchesKustomize(t *testing.T) {
	kust := kustomizeDefault(t, "prometheus")
	chart := mustHelmTemplate(t, "--include-crds", "--set", "metrics.serviceMonitor.enabled=true,metrics.prometheusRule.enabled=true")
	for _, k := range kust {
		if k.GetKind() == "Namespace" {
			continue
		}
		h := find(t, chart, k.GetKind(), k.GetName())
		if h.GetNamespace() != k.GetNamespace() {
			t.Errorf("%s %s: namespace %q in the chart, %q in kustomize's output", k.GetKind(), k.GetName(), h.GetNamespace(), k.GetNamespace())
		}
		compared := 0
		for _, field := range comparedFields[k.GetKind()] {
			kv, _, _ := unstructured.NestedFieldNoCopy(k.Object, field...)
			hv, _, _ := unstructured.NestedFieldNoCopy(h.Object, field...)
			if kv != nil {
				compared++
			}
			if d := cmp.Diff(kv, hv); d != "" {
				t.Errorf("%s %s %v differs between kustomize (-) and the chart (+):\n%s", k.GetKind(), k.GetName(), field, d)
			}
		}
		if compared == 0 && len(comparedFields[k.GetKind()]) > 0 {
			t.Errorf("%s %s has none of %v in kustomize's output", k.GetKind(), k.GetName(), comparedFields[k.GetKind()])
		}
	}
}

// What must be equal per kind. Labels differ on purpose (the chart adds Helm's).
var comparedFields = map[string][][]string{
	"CustomResourceDefinition": {{"spec"}, {"metadata", "annotations"}},
	"ClusterRole":              {{"rules"}, {"aggregationRule"}},
	"Role":                     {{"rules"}},
	"ClusterRoleBinding":       {{"roleRef"}, {"subjects"}},
	"RoleBinding":              {{"roleRef"}, {"subjects"}},
	"ServiceAccount":           {{"metadata", "name"}},
	"Deployment":               {{"spec", "replicas"}, {"spec", "template", "spec"}},
	"Service":                  {{"spec", "ports"}},
	"ServiceMonitor":           {{"spec"}},
	"PrometheusRule":           {{"spec"}},
}

// The chart's sample, when enabled with its defaults, is config/samples' CustomApiServer.
func TestChartSampleMatchesConfigSamples(t *testing.T) {
	out, err := run(t, tool(t, "KUSTOMIZE", "kustomize-*"), "build", filepath.Join(repo, "config", "samples"))
	if err != nil {
		t.Fatal(err)
	}
	samples := decodeAll(t, out)
	if len(samples) != 1 {
		t.Fatalf("config/samples holds %d objects, want the one CustomApiServer", len(samples))
	}
	want := samples[0]
	got := find(t, mustHelmTemplate(t, "--set", "sample.enabled=true"), "CustomApiServer", want.GetName())
	if d := cmp.Diff(want.Object["spec"], got.Object["spec"]); d != "" {
		t.Errorf("the chart's sample spec differs from config/samples (-) (+):\n%s", d)
	}
	if got.GetAPIVersion() != want.GetAPIVersion() {
		t.Errorf("sample apiVersion %s, config/samples %s", got.GetAPIVersion(), want.GetAPIVersion())
	}
}
