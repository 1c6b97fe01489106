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
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/aggregation-operator/test/olm"
)

// olmNextVersion is the release the upgrade step publishes: the same operator, a new bundle and catalog.
const olmNextVersion = "v0.1.1"

// upgrade publishes the next version as the README's release steps do (make bundle's generator and
// catalog script with VERSION v0.1.1: a catalog holding only the new bundle, whose skipRange covers the
// installed one), points the CatalogSource at the new catalog image and checks that OLM replaces the CSV
// on its own (Automatic approval) while the sample's API stays Available.
func (st *olmState) upgrade(t *testing.T) {
	dir := t.TempDir()
	gen := filepath.Join(dir, "bundlegen")
	runIn(t, repo, "", "go", "build", "-o", gen, "./hack/bundle")
	manifests := runIn(t, repo, "", env("KUSTOMIZE", filepath.Join(repo, "bin", "kustomize-v5.8.1")), "build", "config/manifests")
	runIn(t, dir, manifests, gen, "-version", olmNextVersion, "-out", "bundle", "-dockerfile", "bundle.Dockerfile",
		"-description", filepath.Join(repo, "config/manifests/description.md"), "-icon", filepath.Join(repo, "config/manifests/icon.svg"))
	nextBundle, nextCatalog := retag(st.bed.BundleImage, olmNextVersion), retag(st.bed.CatalogImage, olmNextVersion)
	runIn(t, repo, "", "hack/catalog.sh", filepath.Join(dir, "catalog"), olmChannel, filepath.Join(dir, "bundle"), nextBundle)
	if err := st.bed.PushBundle(t.Context(), nextBundle, dir); err != nil {
		t.Fatal(err)
	}
	if err := st.bed.PushCatalog(t.Context(), nextCatalog, filepath.Join(dir, "catalog")); err != nil {
		t.Fatal(err)
	}

	unavailable := watchAPIService(t)
	start := time.Now()
	kubectl(t, "-n", olm.Namespace, "patch", "catalogsource", olmCatalogSource, "--type=merge", "-p", `{"spec":{"image":"`+nextCatalog+`"}}`)
	next := "aggregation-operator." + olmNextVersion
	eventually(t, 4*time.Minute, "the Subscription installs "+next, func() (bool, string) {
		out, _ := cfg.KubectlOutput(t.Context(), "", "-n", olmNamespace, "get", "subscription", "aggregation-operator", "-o", "jsonpath={.status.installedCSV} {.status.state}")
		return strings.HasPrefix(out, next+" "), out + " " + podSummary(t, olm.Namespace)
	})
	eventually(t, 3*time.Minute, "CSV "+next+" Succeeded and "+st.csv+" gone", func() (bool, string) {
		out, _ := cfg.KubectlOutput(t.Context(), "", "-n", olmNamespace, "get", "csv", "-o", `jsonpath={range .items[*]}{.metadata.name}={.status.phase} {end}`)
		return strings.TrimSpace(out) == next+"=Succeeded", out
	})
	record("OLM upgrade: catalog update -> next CSV Succeeded", time.Since(start))
	st.csv = next
	kubectl(t, "-n", olmNamespace, "rollout", "status", "deployment/"+operatorDeployment, "--timeout=100s")
	if n := unavailable(); n != "" {
		t.Errorf("APIService %s was not Available during the upgrade: %s", apiService, n)
	}
	var cas casStatus
	kubectlJSON(t, &cas, "get", "customapiserver", sampleName)
	if c := findCondition(cas.Status.Conditions, "Ready"); c.Status != "True" {
		t.Errorf("%s after the upgrade: %s", sampleName, fmtConditions(cas.Status.Conditions))
	}
}

// watchAPIService polls the sample's APIService until the returned function is called, which reports the
// states other than Available=True it saw (empty when none).
func watchAPIService(t *testing.T) func() string {
	ctx, cancel := context.WithCancel(t.Context())
	var mu sync.Mutex
	var bad []string
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			out, err := cfg.KubectlOutput(ctx, "", "get", "apiservice", apiService, "-o", `jsonpath={.status.conditions[?(@.type=="Available")].status}`)
			if err == nil && out != "True" {
				mu.Lock()
				bad = append(bad, time.Now().Format(time.TimeOnly)+" "+out)
				mu.Unlock()
			}
			select {
			case <-ctx.Done():
			case <-time.After(500 * time.Millisecond):
			}
		}
	}()
	return func() string {
		cancel()
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		return strings.Join(bad, ", ")
	}
}

// retag replaces an image reference's tag.
func retag(ref, tag string) string { return ref[:strings.LastIndex(ref, ":")] + ":" + tag }

// runIn runs a command in dir with stdin and OPM in its environment, failing the test on error.
func runIn(t *testing.T, dir, stdin, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "OPM="+env("OPM", filepath.Join(repo, "bin", "opm-v1.73.0")))
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr)
	}
	return string(out)
}
