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
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"example.com/aggregation-operator/test/olm"
)

// The OLM install as the README describes it: the project's catalog in a CatalogSource, and an
// OperatorGroup and Subscription in the operator's namespace.
const (
	olmCatalogSource = "aggregation-operator-catalog"
	olmPackage       = "aggregation-operator"
	olmChannel       = "stable-v0"
	olmNamespace     = "aggregation-operator-system"
	olmCSV           = "aggregation-operator.v0.1.0"
)

// olmState is what the OLM steps pass on.
type olmState struct {
	bed olm.Bed
	csv string
}

// TestOLM installs the operator as OperatorHub users do: OLM's olm and catalog operators run as pods
// (their images pulled from the node's registry), a CatalogSource serves the project's catalog (an opm
// image, pulled), an OperatorGroup and a Subscription install the bundle (pulled and unpacked by OLM).
// It is a phase of its own: a kustomize install is removed first, and everything OLM made is removed
// after, so the other tests find the cluster as they would without it.
func TestOLM(t *testing.T) {
	st := &olmState{bed: olm.Bed{
		Cluster:      cfg,
		OLMBin:       env("AGGOP_OLM_BIN", filepath.Join(repo, "bin", "olm-v0.46.0")),
		OPM:          env("OPM", filepath.Join(repo, "bin", "opm-v1.73.0")),
		RepoDir:      repo,
		BundleImage:  env("BUNDLE_IMG", "local.test/aggregation-operator-bundle:v0.1.0"),
		CatalogImage: env("CATALOG_IMG", "local.test/aggregation-operator-catalog:v0.1.0"),
		OLMVersion:   env("OLM_VERSION", "v0.46.0"),
		OPMVersion:   env("OPM_VERSION", "v1.73.0"),
	}}
	registry := env("AGGOP_REGISTRY_BIN", filepath.Join(repo, "bin", "registry-v3.1.2"))
	before := clusterObjects(t)
	t.Cleanup(func() { st.cleanup(t, before) })
	steps := []struct {
		name string
		fn   func(*testing.T)
	}{
		{"no kustomize install of the operator is present", removeKustomizeInstall},
		{"OLM, opm, bundle and catalog images are pushed to the node's registry", func(t *testing.T) {
			if err := cfg.StartRegistry(t.Context(), registry); err != nil {
				t.Fatal(err)
			}
			if err := st.bed.PushImages(t.Context()); err != nil {
				t.Fatal(err)
			}
		}},
		{"OLM's olm and catalog operators run", func(t *testing.T) {
			start := time.Now()
			if err := st.bed.Install(t.Context()); err != nil {
				t.Fatal(err)
			}
			record("OLM install (CRDs, olm and catalog operators Available)", time.Since(start))
		}},
		{"the README's CatalogSource, OperatorGroup and Subscription install the operator: catalog READY, InstallPlan Complete, CSV Succeeded", st.subscribe},
		{"OLM pulled the bundle and catalog images from the registry", st.pulledImages},
		{"the install created what the README lists", st.created},
		{"the sample CustomApiServer from the CSV's alm-examples becomes Ready", st.sampleReady},
		{"a new catalog upgrades the operator (" + olmNextVersion + ") while the sample's API stays Available", st.upgrade},
		{"removing the Subscription and the CSV removes the operator", st.unsubscribe},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.fn) {
			t.Fatalf("step %q failed; later steps depend on it", s.name)
		}
	}
}

// removeKustomizeInstall undeploys a `make deploy` install (its CustomApiServers first, while the
// operator still runs their finalizers), so OLM installs on a cluster without the operator.
func removeKustomizeInstall(t *testing.T) {
	if out, _ := cfg.KubectlOutput(t.Context(), "", "-n", operatorNamespace, "get", "deployment", operatorDeployment, "--ignore-not-found", "-o", "name"); out == "" {
		return
	}
	kubectl(t, "delete", "customapiservers", "--all", "--timeout=100s")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "make", "-C", repo, "--no-print-directory", "undeploy")
	cmd.Env = append(os.Environ(), "KUBECONFIG="+cfg.Kubeconfig())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make undeploy: %v\n%s", err, out)
	}
}

// readmeOLMInstall is the README's CatalogSource, Namespace, OperatorGroup and Subscription, with the
// catalog image this run pushed, so the documented install is the tested one.
func (st *olmState) readmeOLMInstall(t *testing.T) string {
	data, err := os.ReadFile(filepath.Join(repo, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(data), "<!-- olm-install:")
	_, block, ok2 := strings.Cut(after, "```yaml\n")
	block, _, ok3 := strings.Cut(block, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("README.md has no yaml block after <!-- olm-install: -->")
	}
	const documented = "image: local.test/aggregation-operator-catalog:v0.1.0"
	if !strings.Contains(block, documented) {
		t.Fatalf("the README's OLM install lacks %q:\n%s", documented, block)
	}
	return strings.Replace(block, documented, "image: "+st.bed.CatalogImage, 1)
}

// subscribe applies the README's install and waits for the catalog, the InstallPlan and the CSV.
func (st *olmState) subscribe(t *testing.T) {
	start := time.Now()
	kubectlApply(t, st.readmeOLMInstall(t))
	eventually(t, 3*time.Minute, "CatalogSource "+olmCatalogSource+" READY", func() (bool, string) {
		out, _ := cfg.KubectlOutput(t.Context(), "", "-n", olm.Namespace, "get", "catalogsource", olmCatalogSource,
			"-o", "jsonpath={.status.connectionState.lastObservedState}")
		return out == "READY", out + " " + podSummary(t, olm.Namespace)
	})
	record("OLM: install applied -> CatalogSource READY", time.Since(start))
	var plan string
	eventually(t, 3*time.Minute, "the Subscription's InstallPlan Complete", func() (bool, string) {
		plan, _ = cfg.KubectlOutput(t.Context(), "", "-n", olmNamespace, "get", "subscription", "aggregation-operator", "-o", "jsonpath={.status.installPlanRef.name}")
		if plan == "" {
			out, _ := cfg.KubectlOutput(t.Context(), "", "-n", olmNamespace, "get", "subscription", "aggregation-operator", "-o", "jsonpath={.status.conditions}")
			return false, "no InstallPlan yet: " + out
		}
		phase, _ := cfg.KubectlOutput(t.Context(), "", "-n", olmNamespace, "get", "installplan", plan, "-o", "jsonpath={.status.phase} {.status.conditions[*].message}")
		return strings.HasPrefix(phase, "Complete"), plan + ": " + phase + " " + podSummary(t, olm.Namespace)
	})
	st.csv = kubectl(t, "-n", olmNamespace, "get", "subscription", "aggregation-operator", "-o", "jsonpath={.status.installedCSV}")
	if st.csv != olmCSV {
		t.Errorf("installed CSV %q, want %s (the catalog's head of %s)", st.csv, olmCSV, olmChannel)
	}
	eventually(t, 3*time.Minute, "CSV "+st.csv+" Succeeded", func() (bool, string) {
		out, _ := cfg.KubectlOutput(t.Context(), "", "-n", olmNamespace, "get", "csv", st.csv, "-o", "jsonpath={.status.phase} {.status.reason} {.status.message}")
		return strings.HasPrefix(out, "Succeeded"), out + " " + podSummary(t, olmNamespace)
	})
	record("OLM: install applied -> InstallPlan Complete, CSV Succeeded", time.Since(start))
	kubectl(t, "-n", olmNamespace, "rollout", "status", "deployment/"+operatorDeployment, "--timeout=100s")
	if out := kubectl(t, "get", "crd", "customapiservers.aggregation.example.com", "-o", "jsonpath={.metadata.name}"); out == "" {
		t.Error("the CustomApiServer CRD is not installed")
	}
	// The CSV's clusterPermissions become a ClusterRole and binding OLM owns.
	roles := kubectl(t, "get", "clusterroles", "-l", "olm.owner="+st.csv, "-o", "jsonpath={.items[*].rules[*].resources}")
	for _, want := range []string{"apiservices", "customapiservers", "clusterrolebindings"} {
		if !strings.Contains(roles, want) {
			t.Errorf("OLM's ClusterRoles for %s lack %s: %s", st.csv, want, roles)
		}
	}
}

// pulledImages: the kubelet pulled OLM's, opm's, the catalog's and the bundle's images (its events say
// "Successfully pulled", not "already present"): they came from the node's registry.
func (st *olmState) pulledImages(t *testing.T) {
	events := kubectl(t, "get", "events", "-A", "--field-selector", "reason=Pulled", "-o", "jsonpath={range .items[*]}{.message}{\"\\n\"}{end}")
	for _, img := range []string{st.bed.CatalogImage, st.bed.BundleImage, st.bed.OLMImage(), st.bed.OPMImage()} {
		if !strings.Contains(events, `Successfully pulled image "`+img+`"`) {
			t.Errorf("no Pulled event for %s:\n%s", img, events)
		}
	}
}

// created checks the README's "What it creates" list against the cluster.
func (st *olmState) created(t *testing.T) {
	checks := []struct {
		what string
		args []string
		want string // substring of the output
	}{
		{"the catalog's registry pod", []string{"-n", olm.Namespace, "get", "pods", "-l", "olm.catalogSource=" + olmCatalogSource, "-o", "name"}, "pod/" + olmCatalogSource + "-"},
		{"the catalog's Service", []string{"-n", olm.Namespace, "get", "service", olmCatalogSource, "-o", "name"}, "service/" + olmCatalogSource},
		{"the InstallPlan", []string{"-n", olmNamespace, "get", "installplans", "-o", "jsonpath={.items[*].spec.clusterServiceVersionNames}"}, st.csv},
		{"the bundle unpack Job", []string{"-n", olm.Namespace, "get", "jobs", "-l", "operatorframework.io/bundle-unpack-ref", "-o", "jsonpath={.items[*].spec.template.spec.initContainers[*].image}"}, st.bed.BundleImage},
		{"the unpacked bundle's ConfigMap", []string{"-n", olm.Namespace, "get", "configmaps", "-l", "olm.managed=true", "-o", "jsonpath={.items[*].metadata.annotations}"}, st.bed.BundleImage},
		{"the operator's ServiceAccount", []string{"-n", olmNamespace, "get", "serviceaccount", operatorDeployment, "-o", "name"}, "serviceaccount/" + operatorDeployment},
		{"the leader-election Role", []string{"-n", olmNamespace, "get", "roles", "-l", "olm.owner=" + st.csv, "-o", "jsonpath={.items[*].rules[*].resources}"}, "leases"},
		{"its RoleBinding", []string{"-n", olmNamespace, "get", "rolebindings", "-l", "olm.owner=" + st.csv, "-o", "jsonpath={.items[*].subjects[*].name}"}, operatorDeployment},
		{"the manager's ClusterRoleBinding", []string{"get", "clusterrolebindings", "-l", "olm.owner=" + st.csv, "-o", "jsonpath={.items[*].subjects[*].name}"}, operatorDeployment},
		{"copies of the CSV in other namespaces", []string{"get", "csv", "-A", "-l", "olm.copiedFrom=" + olmNamespace, "-o", "jsonpath={.items[*].metadata.namespace}"}, "default"},
		{"the API's aggregated admin ClusterRole", []string{"get", "clusterrole", "customapiservers.aggregation.example.com-v1alpha1-admin", "-o", "jsonpath={.metadata.labels}"}, "rbac.authorization.k8s.io/aggregate-to-admin"},
		{"the API's aggregated view ClusterRole", []string{"get", "clusterrole", "customapiservers.aggregation.example.com-v1alpha1-view", "-o", "jsonpath={.rules[*].verbs}"}, "watch"},
		{"the OperatorGroup's ClusterRoles", []string{"get", "clusterroles", "-o", "name"}, "clusterrole.rbac.authorization.k8s.io/olm.og.aggregation-operator.admin-"},
	}
	for _, c := range checks {
		out, err := cfg.KubectlOutput(t.Context(), "", c.args...)
		if err != nil || !strings.Contains(out, c.want) {
			t.Errorf("%s: kubectl %s: %q (%v), want it to contain %q", c.what, strings.Join(c.args, " "), out, err, c.want)
		}
	}
}

func (st *olmState) sampleReady(t *testing.T) {
	deployBackends(t) // the etcd and Prometheus the sample expects, as in TestAggregation
	var examples []map[string]any
	if err := json.Unmarshal([]byte(kubectl(t, "-n", olmNamespace, "get", "csv", st.csv, "-o", "jsonpath={.metadata.annotations.alm-examples}")), &examples); err != nil || len(examples) == 0 {
		t.Fatalf("the CSV's alm-examples: %v (%d examples)", err, len(examples))
	}
	sample, _ := json.Marshal(examples[0])
	start := time.Now()
	kubectlApply(t, string(sample))
	var cas casStatus
	eventually(t, 4*time.Minute, sampleName+" Ready", func() (bool, string) {
		kubectlJSON(t, &cas, "get", "customapiserver", sampleName)
		return findCondition(cas.Status.Conditions, "Ready").Status == "True", fmtConditions(cas.Status.Conditions)
	})
	record("OLM-installed operator: sample apply -> Ready", time.Since(start))
	if st := kubectl(t, "get", "apiservice", apiService, "-o", `jsonpath={.status.conditions[?(@.type=="Available")].status}`); st != "True" {
		t.Errorf("APIService %s Available=%q, want True", apiService, st)
	}
}

func (st *olmState) unsubscribe(t *testing.T) {
	// The CustomApiServer goes first, while the operator runs its finalizer.
	kubectl(t, "delete", "customapiserver", sampleName, "--timeout=100s")
	kubectl(t, "delete", "namespace", sampleNS, "--timeout=100s")
	start := time.Now()
	kubectl(t, "-n", olmNamespace, "delete", "subscription", "aggregation-operator", "--timeout=100s")
	kubectl(t, "-n", olmNamespace, "delete", "csv", st.csv, "--timeout=100s")
	eventually(t, 2*time.Minute, "the operator and everything OLM made for it gone", func() (bool, string) {
		left, _ := cfg.KubectlOutput(t.Context(), "", "get", "deployments,serviceaccounts,roles,rolebindings", "-n", olmNamespace, "-l", "olm.owner="+st.csv, "-o", "name")
		cluster, _ := cfg.KubectlOutput(t.Context(), "", "get", "clusterroles,clusterrolebindings", "-l", "olm.owner="+st.csv, "-o", "name")
		dep, _ := cfg.KubectlOutput(t.Context(), "", "-n", olmNamespace, "get", "deployment", operatorDeployment, "--ignore-not-found", "-o", "name")
		copies, _ := cfg.KubectlOutput(t.Context(), "", "get", "csv", "-A", "--field-selector", "metadata.name="+st.csv, "-o", "name")
		all := strings.TrimSpace(strings.Join([]string{left, cluster, dep, copies}, " "))
		return all == "", all
	})
	record("OLM: Subscription and CSV deleted -> operator gone", time.Since(start))
	// OLM leaves CRDs (and with them users' objects) in place; removing the CRD is the user's last step.
	if out := kubectl(t, "get", "crd", "customapiservers.aggregation.example.com", "--ignore-not-found", "-o", "name"); out == "" {
		t.Error("the CRD went with the CSV; OLM keeps it (and the README says to delete it last)")
	}
	kubectl(t, "delete", "crd", "customapiservers.aggregation.example.com", "--timeout=100s")
	kubectl(t, "delete", "namespace", olmNamespace, "--timeout=100s")
}

// cleanup removes OLM and whatever the phase left (also after a failed step), then checks the cluster-
// scoped objects are those the phase found.
func (st *olmState) cleanup(t *testing.T, before map[string]bool) {
	ctx := context.Background()
	if out, _ := cfg.KubectlOutput(ctx, "", "get", "crd", "customapiservers.aggregation.example.com", "--ignore-not-found", "-o", "name"); out != "" {
		_, _ = cfg.KubectlOutput(ctx, "", "delete", "customapiservers", "--all", "--timeout=100s")
	}
	for _, ns := range []string{sampleNS, olmNamespace} {
		_, _ = cfg.KubectlOutput(ctx, "", "delete", "namespace", ns, "--ignore-not-found", "--timeout=100s")
	}
	swept, err := st.bed.Uninstall(ctx)
	if err != nil {
		t.Error(err)
	}
	if len(swept) > 0 {
		t.Logf("removed after OLM (OLM does not delete these itself): %s", strings.Join(swept, ", "))
	}
	_, _ = cfg.KubectlOutput(ctx, "", "delete", "crd", "customapiservers.aggregation.example.com", "--ignore-not-found", "--timeout=100s")
	if err := cfg.StopRegistry(); err != nil {
		t.Error(err)
	}
	var left []string
	for o := range clusterObjects(t) {
		if !before[o] {
			left = append(left, o)
		}
	}
	sort.Strings(left)
	if len(left) > 0 {
		t.Errorf("the OLM phase left cluster-scoped objects behind: %s", strings.Join(left, ", "))
	}
}

// clusterObjects names the cluster-scoped objects an install can leave behind.
func clusterObjects(t *testing.T) map[string]bool {
	out, err := cfg.KubectlOutput(context.Background(), "", "get",
		"namespaces,customresourcedefinitions,clusterroles,clusterrolebindings,apiservices,mutatingwebhookconfigurations,validatingwebhookconfigurations",
		"-o", "name")
	if err != nil {
		t.Fatal(err)
	}
	set := map[string]bool{}
	for _, o := range strings.Fields(out) {
		set[o] = true
	}
	return set
}

// podSummary lists a namespace's pods and their phases, for a wait's failure message.
func podSummary(t *testing.T, ns string) string {
	out, _ := cfg.KubectlOutput(t.Context(), "", "-n", ns, "get", "pods", "-o", `jsonpath={range .items[*]}{.metadata.name}={.status.phase}{range .status.containerStatuses[*]}/{.state.waiting.reason}{end} {end}`)
	return "pods: " + out
}
