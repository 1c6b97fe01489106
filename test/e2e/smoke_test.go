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
	"strings"
	"testing"
	"time"

	"example.com/aggregation-operator/internal/kubeversion"
)

// TestClusterSmoke: the node is Ready, cluster DNS runs, and a pod from a locally imported image runs.
func TestClusterSmoke(t *testing.T) {
	if got := kubectl(t, "get", "node", cfg.NodeName, "-o", `jsonpath={.status.conditions[?(@.type=="Ready")].status}`); got != "True" {
		t.Fatalf("node %s Ready = %q, want True", cfg.NodeName, got)
	}
	want, err := kubeversion.Version()
	if err != nil {
		t.Fatal(err)
	}
	if v := kubectl(t, "version"); !strings.Contains(v, "Server Version: "+want) {
		t.Errorf("kubectl version does not show the %s server:\n%s", want, v)
	}
	if got := kubectl(t, "-n", "kube-system", "get", "endpointslices", "-l", "kubernetes.io/service-name=kube-dns",
		"-o", "jsonpath={.items[*].endpoints[*].conditions.ready}"); !strings.Contains(got, "true") {
		t.Errorf("kube-dns has no ready endpoint: %q", got)
	}

	ns := "e2e-smoke"
	kubectl(t, "create", "namespace", ns)
	t.Cleanup(func() { kubectl(t, "delete", "namespace", ns, "--wait=false") })
	if err := cfg.WaitDefaultServiceAccount(t.Context(), ns); err != nil {
		t.Fatal(err)
	}
	kubectlApply(t, `apiVersion: v1
kind: Pod
metadata: {name: pause, namespace: `+ns+`}
spec:
  securityContext: {runAsNonRoot: true, runAsUser: 65532}
  containers:
  - name: pause
    image: `+cfg.SandboxImage+`
    imagePullPolicy: Never
`)
	start := time.Now()
	kubectl(t, "-n", ns, "wait", "--for=condition=Ready", "pod/pause", "--timeout=60s")
	record("pod Ready after create", time.Since(start))
	ip := kubectl(t, "-n", ns, "get", "pod", "pause", "-o", "jsonpath={.status.podIP}")
	if !strings.HasPrefix(ip, "10.244.0.") {
		t.Errorf("pod IP %q is not in the pod CIDR %s", ip, cfg.PodCIDR)
	}
}
