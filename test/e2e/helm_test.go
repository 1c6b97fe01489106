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
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The Helm install: release aggregation-operator in aggregation-operator-system (the names `make deploy`
// uses), with the chart's sample CustomApiServer under its own name and namespace.
const (
	helmRelease   = "aggregation-operator"
	helmNamespace = "aggregation-operator-system"
	helmSample    = "helm-sample"
	helmChart     = "charts/aggregation-operator"
	crdName       = "customapiservers.aggregation.example.com"
)

// TestHelm installs, upgrades and uninstalls the operator with the real helm, on its own: it starts with no
// operator running (it undeploys a kustomize install an earlier test left) and removes everything it made,
// the CRD included, so the kustomize steps can deploy afresh.
func TestHelm(t *testing.T) {
	t.Cleanup(func() { helmCleanup(t) })
	runSteps(t, 5, []step{ // each step needs the one before
		{"no other operator runs", noOtherOperator},
		{"helm install: the operator, then the sample CustomApiServer, become Ready", helmInstall},
		{"helm upgrade to new image tags, resources and log level serves every request", helmUpgrade},
		{"helm uninstall removes the operator and keeps the CRD and the CustomApiServer", helmUninstall},
		{"without the operator a deleted CustomApiServer waits, and goes once the operator is back", deletionWaitsForOperator},
	})
}

// helm runs the real helm against the cluster and fails the test on error.
func helm(t *testing.T, args ...string) string {
	t.Helper()
	out, err := helmOutput(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func helmOutput(t *testing.T, args ...string) (string, error) {
	t.Helper()
	bin := os.Getenv("HELM")
	if bin == "" {
		matches, _ := filepath.Glob(filepath.Join(repo, "bin", "helm-*"))
		if len(matches) != 1 {
			t.Fatal("HELM is not set and bin/ holds no single helm-*: run `make test-e2e` (or `make helm`)")
		}
		bin = matches[0]
	}
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"--kubeconfig", cfg.Kubeconfig()}, args...)...)
	cmd.Dir = repo
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), &cmdError{"helm " + strings.Join(args, " "), err, string(out)}
	}
	return string(out), nil
}

type cmdError struct {
	cmd    string
	err    error
	output string
}

func (e *cmdError) Error() string { return e.cmd + ": " + e.err.Error() + "\n" + e.output }

func noOtherOperator(t *testing.T) {
	out := kubectl(t, "get", "deployments", "-A", "-l", "app.kubernetes.io/name=aggregation-operator", "-o", "name")
	if out == "" {
		return
	}
	if cas := kubectl(t, "get", "customapiservers", "-o", "name"); cas != "" {
		t.Fatalf("an operator runs (%s) with CustomApiServers left (%s): a test did not clean up", out, cas)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "make", "-C", repo, "--no-print-directory", "undeploy")
	cmd.Env = append(os.Environ(), "KUBECONFIG="+cfg.Kubeconfig())
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make undeploy of the operator an earlier test left: %v\n%s", err, b)
	}
}

func helmInstall(t *testing.T) {
	backendsIn(t, helmSample)
	start := time.Now()
	helm(t, "install", helmRelease, helmChart, "-n", helmNamespace, "--create-namespace",
		"--set", "sample.enabled=true", "--set", "sample.name="+helmSample, "--wait", "--timeout", "3m")
	kubectl(t, "-n", helmNamespace, "rollout", "status", "deployment/"+operatorDeployment, "--timeout=60s")
	record("helm install -> operator Ready", time.Since(start))
	waitReady(t, helmSample, 4*time.Minute)
	record("helm install -> sample CustomApiServer Ready", time.Since(start))

	var release []struct {
		Name       string `json:"name"`
		Status     string `json:"status"`
		AppVersion string `json:"app_version"`
	}
	if err := json.Unmarshal([]byte(helm(t, "list", "-n", helmNamespace, "-o", "json")), &release); err != nil {
		t.Fatalf("decoding helm list: %v", err)
	}
	if len(release) != 1 || release[0].Status != "deployed" || release[0].AppVersion != "v0.1.0" {
		t.Errorf("helm list: %+v, want one deployed release of appVersion v0.1.0", release)
	}
	if got := kubectl(t, "get", "crd", crdName, "-o", "name"); got == "" {
		t.Errorf("the chart did not install the CRD")
	}
}

// waitReady waits until the CustomApiServer's Ready condition is True.
func waitReady(t *testing.T, name string, timeout time.Duration) {
	t.Helper()
	var cas casStatus
	eventually(t, timeout, "CustomApiServer "+name+" Ready", func() (bool, string) {
		kubectlJSON(t, &cas, "get", "customapiserver", name)
		return findCondition(cas.Status.Conditions, "Ready").Status == "True", fmtConditions(cas.Status.Conditions)
	})
}

// upgradeTag is a second tag of the same operator and apiserver builds, as a new release would be.
func upgradeTag(ref string) string { return ref + "-e2e-upgrade" }

func helmUpgrade(t *testing.T) {
	img, apiImg := env("IMG", "local.test/aggregation-operator:v0.1.0"), env("APISERVER_IMG", "local.test/metricsnapshot-apiserver:v0.1.0")
	for _, ref := range []string{img, apiImg} {
		if err := cfg.TagImage(t.Context(), ref, upgradeTag(ref)); err != nil {
			t.Fatal(err)
		}
	}
	newImg, newAPIImg := upgradeTag(img), upgradeTag(apiImg)
	tagOf := func(ref string) string { return ref[strings.LastIndex(ref, ":")+1:] }

	loop := startRequestLoop(t, "/apis/metrics.example.com/v1/namespaces/default/metricsnapshots", 20000)
	start := time.Now()
	_, upgradeErr := helmOutput(t, "upgrade", helmRelease, helmChart, "-n", helmNamespace, "--reuse-values",
		"--set", "image.tag="+tagOf(newImg), "--set", "apiserverImage.tag="+tagOf(newAPIImg),
		"--set", "logLevel=debug", "--set", "resources.limits.memory=320Mi", "--wait", "--timeout", "3m")
	// The operator rolls first; the new one takes the lease and rolls the apiserver to the new default image.
	if upgradeErr == nil {
		eventually(t, 4*time.Minute, "sample apiserver on "+newAPIImg+" and Ready", func() (bool, string) {
			out, _ := cfg.KubectlOutput(t.Context(), "", "-n", helmSample, "get", "deployment", helmSample, "-o",
				`jsonpath={.spec.template.spec.containers[0].image} {.status.updatedReplicas}/{.status.readyReplicas}/{.status.replicas}`)
			return out == newAPIImg+" 2/2/2", out
		})
		waitReady(t, helmSample, 2*time.Minute)
	}
	// Then until the old pods are gone and 50 more requests went through: endpoints leaving are part of it.
	if upgradeErr == nil {
		eventually(t, 2*time.Minute, "the sample's old apiserver pods gone", func() (bool, string) {
			out, _ := cfg.KubectlOutput(t.Context(), "", "-n", helmSample, "get", "pods", "-l", "aggregation.example.com/customapiserver="+helmSample,
				"-o", `jsonpath={range .items[*]}{.spec.containers[0].image}{" "}{end}`)
			return strings.Count(out, newAPIImg) == 2 && len(strings.Fields(out)) == 2, out
		})
		target := loop.count() + 50
		eventually(t, time.Minute, "50 more requests", func() (bool, string) { return loop.count() >= target, "" })
	}
	sent, failed, errs := loop.stop()
	record("helm upgrade -> apiserver rolled and Ready", time.Since(start))
	note("helm upgrade: requests via the aggregator", fmt.Sprintf("sent %d, failed %d", sent, failed))
	if upgradeErr != nil {
		t.Fatal(upgradeErr)
	}
	if failed != 0 || sent < 50 {
		t.Errorf("requests during the upgrade: sent %d, failed %d (want 0 failed of at least 50); first failures:\n%s", sent, failed, strings.Join(errs, "\n"))
	}

	var d struct {
		Spec struct {
			Template struct {
				Spec struct {
					Containers []struct {
						Image     string
						Args      []string
						Resources struct{ Limits map[string]string }
					}
				}
			}
		}
	}
	kubectlJSON(t, &d, "-n", helmNamespace, "get", "deployment", operatorDeployment)
	c := d.Spec.Template.Spec.Containers[0]
	if c.Image != newImg || !slices.Contains(c.Args, "--zap-log-level=debug") || !slices.Contains(c.Args, "--apiserver-image="+newAPIImg) || c.Resources.Limits["memory"] != "320Mi" {
		t.Errorf("operator after the upgrade: image %s, args %v, limits %v", c.Image, c.Args, c.Resources.Limits)
	}
}

func helmUninstall(t *testing.T) {
	helm(t, "uninstall", helmRelease, "-n", helmNamespace, "--wait", "--timeout", "2m")
	// The release's objects are gone when uninstall returns; the pods they owned follow (garbage collection).
	left := kubectl(t, "get", "deployments,services,serviceaccounts,roles,rolebindings", "-n", helmNamespace,
		"-l", "app.kubernetes.io/instance="+helmRelease, "-o", "name")
	for _, name := range []string{"clusterrole/aggregation-operator-manager-role", "clusterrolebinding/aggregation-operator-manager-rolebinding"} {
		left += kubectl(t, "get", name, "--ignore-not-found", "-o", "name")
	}
	if left != "" {
		t.Errorf("left after helm uninstall:\n%s", left)
	}
	eventually(t, 2*time.Minute, "the operator's ReplicaSets and pods gone", func() (bool, string) {
		out, _ := cfg.KubectlOutput(t.Context(), "", "-n", helmNamespace, "get", "replicasets,pods", "-o", "name")
		return out == "", out
	})
	if kubectl(t, "get", "crd", crdName, "--ignore-not-found", "-o", "name") == "" {
		t.Errorf("helm uninstall deleted the CRD (Helm keeps crds/)")
	}
	if kubectl(t, "get", "customapiserver", helmSample, "--ignore-not-found", "-o", "name") == "" {
		t.Fatalf("helm uninstall deleted the sample CustomApiServer (it is kept: helm.sh/resource-policy)")
	}
	// Its API keeps serving without the operator.
	checkServed(t)
}

// checkServed: the APIService is Available and a request through the aggregator succeeds.
func checkServed(t *testing.T) {
	t.Helper()
	if got := kubectl(t, "get", "apiservice", apiService, "-o", `jsonpath={.status.conditions[?(@.type=="Available")].status}`); got != "True" {
		t.Errorf("APIService %s Available = %q without the operator, want True", apiService, got)
	}
	kubectl(t, "get", "--raw", "/apis/metrics.example.com/v1/namespaces/default/metricsnapshots")
}

func deletionWaitsForOperator(t *testing.T) {
	kubectl(t, "delete", "customapiserver", helmSample, "--wait=false")
	var cas struct {
		Metadata struct {
			DeletionTimestamp string   `json:"deletionTimestamp"`
			Finalizers        []string `json:"finalizers"`
		} `json:"metadata"`
	}
	kubectlJSON(t, &cas, "get", "customapiserver", helmSample)
	if cas.Metadata.DeletionTimestamp == "" || len(cas.Metadata.Finalizers) == 0 {
		t.Fatalf("a deleted CustomApiServer without the operator: deletionTimestamp %q finalizers %v, want both set", cas.Metadata.DeletionTimestamp, cas.Metadata.Finalizers)
	}
	checkServed(t)

	start := time.Now()
	helm(t, "install", helmRelease, helmChart, "-n", helmNamespace, "--wait", "--timeout", "3m")
	eventually(t, 3*time.Minute, "the pending deletion of "+helmSample+" finished by the operator", func() (bool, string) {
		out, _ := cfg.KubectlOutput(t.Context(), "", "get", "customapiserver/"+helmSample, "apiservice/"+apiService, "--ignore-not-found", "-o", "name")
		return out == "", out
	})
	record("operator reinstalled -> pending deletion done", time.Since(start))
}

// helmCleanup removes what TestHelm made, whatever step it stopped at.
func helmCleanup(t *testing.T) {
	ctx := context.Background()
	if cas, _ := cfg.KubectlOutput(ctx, "", "get", "customapiserver", helmSample, "--ignore-not-found", "-o", "name"); cas != "" {
		// Its finalizer needs the operator: make sure one runs while it goes.
		if _, err := helmOutput(t, "status", helmRelease, "-n", helmNamespace); err != nil {
			_, _ = helmOutput(t, "install", helmRelease, helmChart, "-n", helmNamespace, "--create-namespace", "--wait", "--timeout", "3m")
		}
		if _, err := cfg.KubectlOutput(ctx, "", "delete", "customapiserver", helmSample, "--timeout=3m"); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	}
	_, _ = helmOutput(t, "uninstall", helmRelease, "-n", helmNamespace, "--ignore-not-found", "--wait", "--timeout", "2m")
	for _, args := range [][]string{
		{"delete", "namespace", helmSample, helmNamespace, "--ignore-not-found", "--timeout=3m"},
		{"delete", "crd", crdName, "--ignore-not-found", "--timeout=2m"},
	} {
		if _, err := cfg.KubectlOutput(ctx, "", args...); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	}
}
