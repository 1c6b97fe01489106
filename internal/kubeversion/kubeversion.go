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

// Package kubeversion says which Kubernetes release the project builds and tests against. It is
// written in one place, the k8s.io/kubernetes requirement of hack/tools/kube/go.mod (the module that
// builds the binaries); the Makefile and hack/kube-binaries.sh read the same line.
package kubeversion

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/mod/modfile"
)

// modulePath names this repository's go.mod; Root looks for it.
const modulePath = "example.com/aggregation-operator"

// Root is the repository's root directory: the nearest directory at or above the working directory whose
// go.mod declares this module (tests run in their package's directory, `go run ./hack/...` in the root).
// It does not use this file's build-time path, which -trimpath (the Makefile's GOFLAGS) removes. Without
// one, it returns the working directory.
func Root() string {
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && modfile.ModulePath(data) == modulePath {
			return dir
		}
		if filepath.Dir(dir) == dir {
			return wd
		}
	}
}

// Version returns the Kubernetes version, e.g. v1.37.2.
func Version() (string, error) {
	path := filepath.Join(Root(), "hack", "tools", "kube", "go.mod")
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading the Kubernetes version: %w", err)
	}
	f, err := modfile.ParseLax(path, data, nil)
	if err != nil {
		return "", fmt.Errorf("reading the Kubernetes version: %w", err)
	}
	for _, r := range f.Require {
		if r.Mod.Path == "k8s.io/kubernetes" {
			return r.Mod.Version, nil
		}
	}
	return "", fmt.Errorf("reading the Kubernetes version: %s does not require k8s.io/kubernetes", path)
}

// BinDir returns where hack/kube-binaries.sh builds that version: bin/k8s/<version> in the repository.
func BinDir() (string, error) {
	v, err := Version()
	if err != nil {
		return "", err
	}
	return filepath.Join(Root(), "bin", "k8s", v), nil
}
