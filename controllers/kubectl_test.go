package controllers

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// kubectl runs the real kubectl (the one built with the control plane) against envtest as an admin.
func kubectl(t *testing.T, args ...string) (string, error) {
	t.Helper()
	user, err := testEnv.AddUser(envtest.User{Name: "kubectl-admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	kc, err := user.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(path, kc, 0o600); err != nil {
		t.Fatal(err)
	}
	bin := testEnv.ControlPlane.KubectlPath
	if bin == "" {
		bin = filepath.Join(os.Getenv("KUBEBUILDER_ASSETS"), "kubectl")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60e9)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, append([]string{"--kubeconfig", path}, args...)...).CombinedOutput()
	return string(out), err
}

// The shipped sample applies to a real API server.
func TestSampleAppliesWithKubectlDryRun(t *testing.T) {
	out, err := kubectl(t, "apply", "--dry-run=server", "-k", filepath.Join("..", "config", "samples"))
	if err != nil {
		t.Fatalf("kubectl apply --dry-run=server: %v\n%s", err, out)
	}
	if !strings.Contains(out, "customapiserver.aggregation.example.com/custom-apiserver created (server dry run)") {
		t.Errorf("unexpected kubectl output:\n%s", out)
	}
	// And an invalid object is refused with the field named, as a user sees it.
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte(`apiVersion: aggregation.example.com/v1alpha1
kind: CustomApiServer
metadata:
  name: bad
spec:
  storage:
    embedded: {}
  apiServices:
  - group: metrics.example.com
    version: v1
`), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = kubectl(t, "apply", "--dry-run=server", "-f", bad)
	if err == nil || !strings.Contains(out, "spec.replicas") {
		t.Errorf("embedded storage with 2 replicas accepted or not explained: %v\n%s", err, out)
	}
}

// `kubectl get customapiservers` shows the printer columns.
func TestKubectlGetShowsColumns(t *testing.T) {
	cas := newCAS("columns", "columns.example.com")
	createCAS(t, cas)
	reconciled(t, cas.Name)
	out, err := kubectl(t, "get", "customapiservers", "columns")
	if err != nil {
		t.Fatalf("kubectl get: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("kubectl get output:\n%s", out)
	}
	if got := strings.Fields(lines[0]); strings.Join(got, " ") != "NAME READY REPLICAS APISERVICES CERT-EXPIRY AGE" {
		t.Errorf("columns %v", got)
	}
	if f := strings.Fields(lines[1]); len(f) < 6 || f[0] != "columns" || f[1] != "False" || f[2] != "0/2" || f[3] != "0/1" {
		t.Errorf("row %v", f)
	}
}
