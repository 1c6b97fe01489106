package controllers

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"
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

// `kubectl describe customapiserver` lists the operator's events under the conditions.
func TestKubectlDescribeShowsEvents(t *testing.T) {
	cas := newCAS("describe", "describe.example.com")
	createCAS(t, cas)
	waitEvent(t, reconciled(t, cas.Name).UID, "Normal", EventCertificateIssued)
	out, err := kubectl(t, "describe", "customapiserver", "describe")
	if err != nil {
		t.Fatalf("kubectl describe: %v\n%s", err, out)
	}
	events := strings.Index(out, "Events:")
	if events < 0 || events < strings.Index(out, "Conditions:") {
		t.Fatalf("no Events section after the conditions:\n%s", out)
	}
	if rest := out[events:]; !strings.Contains(rest, EventCertificateIssued) || !strings.Contains(rest, EventSource) {
		t.Errorf("events section lacks %s from %s:\n%s", EventCertificateIssued, EventSource, rest)
	}
}

// config/default builds into what `make deploy` applies: CRD, RBAC without wildcards, the operator.
func TestDefaultKustomizationBuilds(t *testing.T) {
	out, err := kubectl(t, "kustomize", filepath.Join("..", "config", "default"))
	if err != nil {
		t.Fatalf("kubectl kustomize config/default: %v\n%s", err, out)
	}
	for _, want := range []string{
		"kind: CustomResourceDefinition", "name: aggregation-operator-manager-role", "kind: Deployment",
		"namespace: aggregation-operator-system", "image: local.test/aggregation-operator:", "--apiserver-image=local.test/metricsnapshot-apiserver:",
		"--leader-elect", "name: aggregation-operator-leader-election-role",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("built manifests lack %q", want)
		}
	}
	roles := 0
	for _, doc := range strings.Split(out, "\n---\n") {
		var role rbacv1.ClusterRole // a Role has the same shape
		if err := yaml.Unmarshal([]byte(doc), &role); err != nil {
			t.Fatal(err)
		}
		if role.Kind != "ClusterRole" && role.Kind != "Role" {
			continue
		}
		roles++
		for _, r := range role.Rules {
			for _, s := range slices.Concat(r.APIGroups, r.Resources, r.Verbs) {
				if s == "*" || s == "escalate" || s == "bind" || s == "impersonate" {
					t.Errorf("%s %s has a wildcard or privilege-granting rule %+v", role.Kind, role.Name, r)
				}
			}
		}
	}
	if roles != 5 {
		t.Errorf("found %d roles, want the manager, metrics-auth, metrics-reader and grantable-rules ClusterRoles and the leader-election Role", roles)
	}
}
