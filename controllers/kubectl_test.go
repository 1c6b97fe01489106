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
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/internal/testutil"
)

// kubectl runs the real kubectl (the one built with the control plane) against envtest as an admin.
func kubectl(t *testing.T, args ...string) (string, error) {
	t.Helper()
	startEnv(t)
	kubeconfig, _ := testutil.UserKubeconfig(t, testEnv, envtest.User{Name: "kubectl-admin", Groups: []string{"system:masters"}})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, filepath.Join(testutil.KubeBin(t), "kubectl"), append([]string{"--kubeconfig", kubeconfig}, args...)...).CombinedOutput()
	return string(out), err
}

// The shipped sample applies to a real API server.
func TestSampleAppliesWithKubectlDryRun(t *testing.T) {
	startEnv(t)
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
	startEnv(t)
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
	startEnv(t)
	cas := newCAS("describe", "describe.example.com")
	createCAS(t, cas)
	waitEvent(t, reconciled(t, cas.Name).UID, "Normal", aggv1alpha1.EventCertificateIssued)
	out, err := kubectl(t, "describe", "customapiserver", "describe")
	if err != nil {
		t.Fatalf("kubectl describe: %v\n%s", err, out)
	}
	events := strings.Index(out, "Events:")
	if events < 0 || events < strings.Index(out, "Conditions:") {
		t.Fatalf("no Events section after the conditions:\n%s", out)
	}
	if rest := out[events:]; !strings.Contains(rest, aggv1alpha1.EventCertificateIssued) || !strings.Contains(rest, EventSource) {
		t.Errorf("events section lacks %s from %s:\n%s", aggv1alpha1.EventCertificateIssued, EventSource, rest)
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
