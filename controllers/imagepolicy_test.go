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

package controllers

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/internal/testutil"
)

// policyObjects builds config/default with the image-registry-policy component enabled and patches added,
// as the README tells a cluster admin to, and returns the ValidatingAdmissionPolicy and its binding.
func policyObjects(t *testing.T, patches string) []*unstructured.Unstructured {
	t.Helper()
	config := filepath.Join(t.TempDir(), "config")
	if err := os.CopyFS(config, os.DirFS(filepath.Join("..", "config"))); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(config, "default")
	k, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	enabled := strings.NewReplacer("#components:", "components:", "#- ../components/image-registry-policy", "- ../components/image-registry-policy").Replace(string(k))
	if enabled == string(k) {
		t.Fatal("config/default/kustomization.yaml no longer offers the image-registry-policy component commented out")
	}
	if err := os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte(enabled+patches), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := kubectl(t, "kustomize", dir)
	if err != nil {
		t.Fatalf("kubectl kustomize with the component: %v\n%s", err, out)
	}
	var objs []*unstructured.Unstructured
	for _, doc := range strings.Split(out, "\n---\n") {
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(u.GetKind(), "ValidatingAdmissionPolicy") {
			objs = append(objs, u)
		}
	}
	if len(objs) != 2 {
		t.Fatalf("built %d ValidatingAdmissionPolicy objects, want the policy and its binding", len(objs))
	}
	if p, b := objs[0], objs[1]; b.GetKind() != "ValidatingAdmissionPolicyBinding" || p.GetName() != "aggregation-operator-image-registries" ||
		b.Object["spec"].(map[string]any)["policyName"] != p.GetName() {
		t.Fatalf("binding %s does not name policy %s (namePrefix must reach spec.policyName)", b.GetName(), p.GetName())
	}
	return objs
}

// installPolicy applies the objects (server-side, as `kubectl apply --server-side` would) and removes
// them when the test ends, waiting until admission no longer refuses, so later tests see no policy.
func installPolicy(t *testing.T, objs []*unstructured.Unstructured) {
	t.Helper()
	ctx := context.Background()
	for _, o := range objs {
		if err := k8s.Apply(ctx, client.ApplyConfigurationFromUnstructured(o), client.FieldOwner("test"), client.ForceOwnership); err != nil {
			t.Fatalf("applying %s %s: %v", o.GetKind(), o.GetName(), err)
		}
	}
	t.Cleanup(func() {
		for _, o := range objs {
			_ = k8s.Delete(ctx, o)
		}
		testutil.Eventually(t, 30*time.Second, "the image policy removed", func(context.Context) error { return dryRunImage("elsewhere.example.com/x:1") })
	})
}

func dryRunImage(image string) error {
	cas := newCAS("image-check", "image.example.com", func(c *aggv1alpha1.CustomApiServer) { c.Spec.Image = image })
	return k8s.Create(context.Background(), cas, client.DryRunAll)
}

// The optional ValidatingAdmissionPolicy refuses spec.image outside the listed registries, names the field
// and the allowed list, lets an empty spec.image through, and never refuses updates that keep the image.
func TestImageRegistryPolicy(t *testing.T) {
	startEnv(t)
	ctx := context.Background()
	// As shipped: no registry listed, so only the operator's own image (an empty spec.image).
	installPolicy(t, policyObjects(t, ""))
	testutil.Eventually(t, 30*time.Second, "the image policy refusing other registries", func(context.Context) error {
		err := dryRunImage("registry.example.com/apiserver:v1")
		if err == nil || !strings.Contains(err.Error(), "none are listed") {
			return fmt.Errorf("shipped policy: %v, want a refusal saying no registry is listed", err)
		}
		return nil
	})
	if err := dryRunImage(""); err != nil {
		t.Errorf("empty spec.image (the operator's own apiserver) refused: %v", err)
	}

	// A cluster admin lists registries with a kustomize patch (README).
	installPolicy(t, policyObjects(t, `patches:
- target: {kind: ValidatingAdmissionPolicy, name: image-registries}
  patch: |-
    - op: replace
      path: /spec/variables/0/expression
      value: "['registry.example.com', 'ghcr.io/team-a']"
`))
	testutil.Eventually(t, 30*time.Second, "the image policy admitting the allowed registry", func(context.Context) error { return dryRunImage("registry.example.com/apiserver:v1") })
	for image, allowed := range map[string]bool{
		"registry.example.com/apiserver:v1":            true,
		"registry.example.com/team/apiserver@sha256:0": true,
		"ghcr.io/team-a/server:2":                      true,
		"":                                             true,
		"ghcr.io/team-b/server:2":                      false,
		"registry.example.com.evil.test/apiserver:v1":  false,
		"registry.example.com":                         false,
		"apiserver:v1":                                 false, // docker.io/library, implied
	} {
		err := dryRunImage(image)
		switch {
		case allowed && err != nil:
			t.Errorf("spec.image %q refused: %v", image, err)
		case !allowed && err == nil:
			t.Errorf("spec.image %q accepted", image)
		case !allowed && !strings.Contains(err.Error(), "spec.image "+image+" is not from a registry this cluster allows (registry.example.com, ghcr.io/team-a)"):
			t.Errorf("spec.image %q: %v, want the field and the allowed registries named", image, err)
		}
	}

	// Tightening the list later must not wedge existing objects: updates that keep the image pass.
	cas := newCAS("image-kept", "kept.example.com", func(c *aggv1alpha1.CustomApiServer) { c.Spec.Image = "registry.example.com/apiserver:v1" })
	createCAS(t, cas)
	installPolicy(t, policyObjects(t, ""))
	testutil.Eventually(t, 30*time.Second, "the image policy", func(context.Context) error {
		if err := dryRunImage("registry.example.com/apiserver:v1"); err == nil {
			return fmt.Errorf("the emptied list still allows registry.example.com")
		}
		return nil
	})
	got := &aggv1alpha1.CustomApiServer{}
	if err := k8s.Get(ctx, client.ObjectKey{Name: cas.Name}, got); err != nil {
		t.Fatal(err)
	}
	patch := client.MergeFrom(got.DeepCopy())
	got.Labels = map[string]string{"team": "a"}
	got.Spec.Args = []string{"--v=2"}
	if err := k8s.Patch(ctx, got, patch); err != nil {
		t.Errorf("update keeping spec.image refused: %v", err)
	}
	patch = client.MergeFrom(got.DeepCopy())
	got.Spec.Image = "registry.example.com/apiserver:v2"
	if err := k8s.Patch(ctx, got, patch); err == nil {
		t.Errorf("changing spec.image to an unlisted registry accepted")
	}
}
