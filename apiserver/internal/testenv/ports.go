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

// Package testenv starts the real components the apiserver's tests run against (Prometheus,
// etcd, the apiserver itself), on loopback ports picked at run time, and stops them at cleanup.
package testenv

import (
	"net"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// KubeBin returns the directory of the Kubernetes binaries built from source
// ($KUBEBUILDER_ASSETS, else bin/k8s/v1.37.2 in the repository).
func KubeBin(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("KUBEBUILDER_ASSETS")
	if dir == "" {
		_, file, _, _ := runtime.Caller(0)
		dir = filepath.Join(filepath.Dir(file), "..", "..", "..", "bin", "k8s", "v1.37.2")
	}
	for _, bin := range []string{"etcd", "kubectl"} {
		if _, err := os.Stat(filepath.Join(dir, bin)); err != nil {
			t.Fatalf("%s not found in %s: run 'make kube-binaries' (or set KUBEBUILDER_ASSETS): %v", bin, dir, err)
		}
	}
	return dir
}
