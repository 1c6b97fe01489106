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

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/operator-framework/api/pkg/manifests"
	"github.com/operator-framework/api/pkg/validation"
	"github.com/operator-framework/api/pkg/validation/errors"
)

// The committed bundle and catalog (`make bundle`; `make verify` checks they match config/).
const (
	bundleDir  = "../../bundle"
	catalogDir = "../../catalog"
	readme     = "../../README.md"
)

// validators are what `operator-sdk bundle validate --select-optional suite=operatorframework` runs: the
// default bundle validators, OperatorHub's (v2, with its capability and category checks), good practices
// and the deprecated-API check, here for the Kubernetes version the e2e suite runs.
var validators = append(append(validation.DefaultBundleValidators, validation.OperatorHubV2Validator,
	validation.StandardCapabilitiesValidator, validation.StandardCategoriesValidator,
	validation.GoodPracticesValidator, validation.AlphaDeprecatedAPIsValidator), validation.ObjectValidator)

// TestBundleValidates: 0 errors from operator-framework/api's validators, and every warning explained
// in the README's "OLM validator warnings" section (quoted there verbatim), so a new warning fails until
// it is fixed or explained.
func TestBundleValidates(t *testing.T) {
	b, err := manifests.GetBundleFromDir(bundleDir)
	if err != nil {
		t.Fatalf("loading the bundle: %v", err)
	}
	if b.CSV == nil || len(b.V1CRDs) == 0 {
		t.Fatalf("bundle %s lacks its CSV or CRD", bundleDir)
	}
	objs := append(b.ObjectsToValidate(), map[string]string{"k8s-version": "1.37"})
	explained, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	var warnings int
	for _, r := range validators.Validate(objs...) {
		for _, e := range r.Errors {
			t.Errorf("%s: %v", r.Name, e)
		}
		for _, w := range r.Warnings {
			warnings++
			if !strings.Contains(string(explained), warningKey(w)) {
				t.Errorf("%s: warning not explained in the README: %s", r.Name, warningKey(w))
			}
		}
	}
	t.Logf("bundle %s: %d validators, 0 errors, %d warnings (explained in the README)", b.CSV.Name, len(validators), warnings)
}

// warningKey is a warning's message as the README quotes it.
func warningKey(w errors.Error) string { return w.Detail }

// TestCatalogValidates runs `opm validate` on the File-Based Catalog and checks that it offers the bundle
// this tree builds, in its default channel.
func TestCatalogValidates(t *testing.T) {
	opm := os.Getenv("OPM")
	if opm == "" {
		t.Fatal("OPM is not set: run `make test`, which builds opm into bin/ and sets it")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, opm, "validate", catalogDir).CombinedOutput(); err != nil {
		t.Fatalf("opm validate %s: %v\n%s", catalogDir, err, out)
	}
	b, err := manifests.GetBundleFromDir(bundleDir)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(ctx, opm, "render", catalogDir, "--output=yaml").CombinedOutput()
	if err != nil {
		t.Fatalf("opm render %s: %v\n%s", catalogDir, err, out)
	}
	for _, want := range []string{
		"defaultChannel: " + b.DefaultChannel,
		"name: " + b.CSV.Name,
		"- name: " + b.CSV.Name, // the channel's entry
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the catalog lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(catalogDir, b.Package)); err != nil {
		t.Errorf("the catalog has no directory for package %s: %v", b.Package, err)
	}
}

// TestValidatorsCatchProblems guards the validation above against passing vacuously: the committed bundle
// with a bad maintainer email, a channel outside the naming convention and no minKubeVersion must
// fail OperatorHub's checks and draw good-practices warnings.
func TestValidatorsCatchProblems(t *testing.T) {
	dir := t.TempDir()
	for _, sub := range []string{"manifests", "metadata"} {
		if err := os.CopyFS(filepath.Join(dir, sub), os.DirFS(filepath.Join(bundleDir, sub))); err != nil {
			t.Fatal(err)
		}
	}
	edit := func(file, from, to string) {
		t.Helper()
		path := filepath.Join(dir, file)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), from) {
			t.Fatalf("%s lacks %q", file, from)
		}
		if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(data), from, to)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	edit("manifests/aggregation-operator.clusterserviceversion.yaml", "email: aggregation-operator@example.com", "email: not-an-email")
	edit("manifests/aggregation-operator.clusterserviceversion.yaml", "minKubeVersion: 1.30.0", "")
	edit("metadata/annotations.yaml", "stable-v0", "alpha")
	b, err := manifests.GetBundleFromDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, r := range validators.Validate(append(b.ObjectsToValidate(), map[string]string{"k8s-version": "1.37"})...) {
		for _, e := range append(r.Errors, r.Warnings...) {
			all = append(all, string(e.Level)+": "+e.Detail)
		}
	}
	for _, want := range []string{
		"Error: csv.Spec.Maintainers email not-an-email is invalid",
		`Warning: channel(s) ["alpha"] are not following the recommended naming convention`,
		"Warning: csv.Spec.minKubeVersion is not informed",
	} {
		found := false
		for _, got := range all {
			level, detail, _ := strings.Cut(want, ": ")
			found = found || strings.HasPrefix(got, level) && strings.Contains(got, detail)
		}
		if !found {
			t.Errorf("validators did not report %q; they reported:\n%s", want, strings.Join(all, "\n"))
		}
	}
}
