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

package kubeversion

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The version the tests use is the one hack/kube-binaries.sh builds (it asks the go command).
func TestVersionIsWhatTheGoCommandResolves(t *testing.T) {
	got, err := Version()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Version}}", "k8s.io/kubernetes")
	cmd.Dir = filepath.Join(Root(), "hack", "tools", "kube")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -m k8s.io/kubernetes in %s: %v", cmd.Dir, err)
	}
	if want := strings.TrimSpace(string(out)); got != want {
		t.Errorf("Version() = %q, the go command resolves %q", got, want)
	}
	dir, err := BinDir()
	if err != nil || filepath.Base(dir) != got {
		t.Errorf("BinDir() = %q, %v; want a directory named %s", dir, err, got)
	}
}
