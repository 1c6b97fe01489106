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

package testutil

import (
	"os"
	"path/filepath"
	"testing"

	"example.com/aggregation-operator/internal/kubeversion"
)

// KubeBin returns the directory of the Kubernetes binaries built from source: $KUBEBUILDER_ASSETS,
// else bin/k8s/<version> in the repository. Missing binaries fail the test, saying how to build them.
func KubeBin(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("KUBEBUILDER_ASSETS")
	if dir == "" {
		var err error
		if dir, err = kubeversion.BinDir(); err != nil {
			t.Fatal(err)
		}
	}
	for _, bin := range []string{"kube-apiserver", "etcd", "kubectl"} {
		if _, err := os.Stat(filepath.Join(dir, bin)); err != nil {
			t.Fatalf("%s not found in %s: run 'make kube-binaries' (or set KUBEBUILDER_ASSETS): %v", bin, dir, err)
		}
	}
	return dir
}
