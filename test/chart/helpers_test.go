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
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"example.com/aggregation-operator/internal/kubeversion"
)

const (
	// Release and namespace under which the chart names every object as `make deploy` does.
	release   = "aggregation-operator"
	namespace = "aggregation-operator-system"
)

var repo = kubeversion.Root()

var chartDir = filepath.Join(repo, "charts", "aggregation-operator")

// tool is the binary named by env (set by `make test`), else the one version of it in bin/.
func tool(t *testing.T, env, pattern string) string {
	t.Helper()
	if p := os.Getenv(env); p != "" {
		return p
	}
	matches, _ := filepath.Glob(filepath.Join(repo, "bin", pattern))
	if len(matches) != 1 {
		t.Fatalf("%s is not set and bin/ holds %d binaries matching %s: run `make test` (or `make helm kustomize`)", env, len(matches), pattern)
	}
	return matches[0]
}

// run runs a tool and returns its stdout, or an error holding its stderr.
func run(t *testing.T, bin string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%s %s: %w: %s", filepath.Base(bin), strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}

// kustomizeDefault builds config/default (what `make deploy` applies) with the optional components named
// (config/components/<name>) enabled, as a user would by uncommenting them: from a copy of config/default
// whose paths lead back into the repository.
func kustomizeDefault(t *testing.T, components ...string) []unstructured.Unstructured {
	t.Helper()
	src := filepath.Join(repo, "config", "default")
	tmp := t.TempDir()
	if err := os.CopyFS(tmp, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	back, err := filepath.Rel(tmp, src)
	if err != nil {
		t.Fatal(err)
	}
	var k map[string]any
	readYAML(t, filepath.Join(src, "kustomization.yaml"), &k)
	resources, _ := k["resources"].([]any)
	for i, r := range resources {
		if p := r.(string); strings.HasPrefix(p, "../") {
			resources[i] = filepath.Join(back, p)
		}
	}
	var comps []any
	for _, c := range components {
		comps = append(comps, filepath.Join(back, "..", "components", c))
	}
	k["components"] = comps
	data, err := yaml.Marshal(k)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "kustomization.yaml"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, tool(t, "KUSTOMIZE", "kustomize-*"), "build", tmp)
	if err != nil {
		t.Fatal(err)
	}
	return decodeAll(t, out)
}

// helmTemplate renders the chart as the release above with extra helm arguments (-f, --set, ...).
func helmTemplate(t *testing.T, args ...string) ([]unstructured.Unstructured, error) {
	t.Helper()
	out, err := run(t, tool(t, "HELM", "helm-*"), append([]string{"template", release, chartDir, "-n", namespace}, args...)...)
	if err != nil {
		return nil, err
	}
	return decodeAll(t, out), nil
}

func mustHelmTemplate(t *testing.T, args ...string) []unstructured.Unstructured {
	t.Helper()
	objs, err := helmTemplate(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

// decodeAll decodes a multi-document YAML stream, skipping empty documents.
func decodeAll(t *testing.T, manifests string) []unstructured.Unstructured {
	t.Helper()
	dec := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(manifests), 4096)
	var objs []unstructured.Unstructured
	for {
		var u unstructured.Unstructured
		if err := dec.Decode(&u.Object); err != nil {
			if errors.Is(err, io.EOF) {
				return objs
			}
			t.Fatalf("decoding rendered manifests: %v", err)
		}
		if len(u.Object) > 0 {
			objs = append(objs, u)
		}
	}
}

// find returns the object of that kind and name, failing the test when there is none.
func find(t *testing.T, objs []unstructured.Unstructured, kind, name string) unstructured.Unstructured {
	t.Helper()
	for _, o := range objs {
		if o.GetKind() == kind && o.GetName() == name {
			return o
		}
	}
	t.Fatalf("no %s %s among %s", kind, name, names(objs))
	return unstructured.Unstructured{}
}

// typed converts an unstructured object into out (a typed API object).
func typed(t *testing.T, u unstructured.Unstructured, out any) {
	t.Helper()
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, out); err != nil {
		t.Fatalf("converting %s %s: %v", u.GetKind(), u.GetName(), err)
	}
}

// names lists objects as Kind/namespace/name, in order.
func names(objs []unstructured.Unstructured) []string {
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = o.GetKind() + "/" + o.GetNamespace() + "/" + o.GetName()
	}
	return out
}
