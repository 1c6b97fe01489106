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
	"errors"
	"strings"
	"testing"
	"time"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/internal/testutil"
	"example.com/aggregation-operator/test/cluster"
)

const (
	wardleName  = "e2e-wardle"
	wardleNS    = "e2e-wardle"
	wardleGroup = "wardle.example.com"
)

// genericServer runs the stock k8s.io/sample-apiserver (a plain k8s.io/apiserver server, built from the
// module proxy by `make sample-apiserver`) with nothing but its image, storage, groups and the pair name it
// reads from --cert-dir (spec.flags): the default ClusterRole must hold everything such a server reads (admission policies, API
// Priority and Fairness), or it never becomes ready. Its namespace is the operator's, so Pod Security
// "restricted" is enforced on its pods.
func genericServer(t *testing.T) {
	image := env("SAMPLE_APISERVER_IMG", "local.test/sample-apiserver:v0.37.2")
	start := time.Now()
	kubectlApply(t, `apiVersion: aggregation.example.com/v1alpha1
kind: CustomApiServer
metadata: {name: `+wardleName+`}
spec:
  namespace: `+wardleNS+`
  image: `+image+`
  storage: {etcd: {servers: ["https://etcd.`+sampleNS+`.svc:2379"], tlsSecretRef: {name: `+cluster.EtcdClientSecret+`}}}
  apiServices:
  - {group: `+wardleGroup+`, version: v1alpha1}
  - {group: `+wardleGroup+`, version: v1beta1}
  flags: {servingCert: {certDir: {pairName: apiserver}}}
`)
	deleteOnCleanup(t, "customapiserver", wardleName, "--timeout=3m")
	// The sample's etcd asks for a client certificate; the namespace is the operator's to make (Pod Security
	// restricted), so the Secret follows it, as a user's would: until then Ready names the missing Secret.
	testutil.Eventually(t, time.Minute, "namespace "+wardleNS+" made by the operator", func(ctx context.Context) error {
		_, err := cfg.KubectlOutput(ctx, "", "get", "namespace", wardleNS)
		return err
	})
	kubectlApply(t, sampleEtcd.ClientSecretManifest(wardleNS))
	waitAllTrue(t, wardleName, 4*time.Minute)
	record("sample-apiserver CustomApiServer apply -> Ready", time.Since(start))
	if r := kubectl(t, "get", "clusterrole", "aggregation:"+wardleName, "-o", "jsonpath={.rules[*].resources}"); !strings.Contains(r, "flowschemas") {
		t.Errorf("ClusterRole aggregation:%s lacks the API Priority and Fairness rules: %s", wardleName, r)
	}

	// The real kubectl, through the aggregator, in both versions.
	kubectlApply(t, `apiVersion: `+wardleGroup+`/v1alpha1
kind: Flunder
metadata: {name: my-first-flunder, namespace: default, labels: {sample-label: "true"}}
`)
	if r := findRow(t, kubectl(t, "-n", "default", "get", "flunders"), "my-first-flunder"); r == nil {
		t.Errorf("kubectl get flunders does not list my-first-flunder")
	}
	if name := kubectl(t, "-n", "default", "get", "flunders.v1beta1."+wardleGroup, "my-first-flunder", "-o", "jsonpath={.metadata.name}"); name != "my-first-flunder" {
		t.Errorf("v1beta1 read of the flunder: %q", name)
	}
	kubectl(t, "-n", "default", "delete", "flunder", "my-first-flunder")

	// The pods run under Pod Security "restricted", which refuses a pod that asks for more.
	if l := kubectl(t, "get", "namespace", wardleNS, "-o", `jsonpath={.metadata.labels.pod-security\.kubernetes\.io/enforce}`); l != "restricted" {
		t.Errorf("namespace %s pod-security.kubernetes.io/enforce = %q, want restricted", wardleNS, l)
	}
	out, err := cfg.KubectlOutput(t.Context(), `apiVersion: v1
kind: Pod
metadata: {name: too-much, namespace: `+wardleNS+`}
spec:
  containers: [{name: c, image: `+cfg.SandboxImage+`, securityContext: {privileged: true}}]
`, "apply", "-f", "-")
	if err == nil || !strings.Contains(out+err.Error(), `violates PodSecurity "restricted`) {
		t.Errorf("a privileged pod in %s: %v %s, want a PodSecurity refusal", wardleNS, err, out)
	}
	deleteCustomApiServer(t, wardleName, "v1alpha1."+wardleGroup, "v1beta1."+wardleGroup)
}

// deleteCustomApiServer deletes name and checks its APIServices went with it: one left behind, unavailable,
// would break discovery, and with it namespace deletion, for the rest of the suite.
func deleteCustomApiServer(t *testing.T, name string, apiServices ...string) {
	t.Helper()
	kubectl(t, "delete", "customapiserver", name, "--timeout=3m")
	for _, s := range apiServices {
		if out, _ := cfg.KubectlOutput(t.Context(), "", "get", "apiservice", s, "--ignore-not-found", "-o", "name"); out != "" {
			t.Errorf("APIService %s still exists after CustomApiServer %s was deleted", s, name)
		}
	}
}

// deleteOnCleanup runs `kubectl delete --ignore-not-found args...` when the test ends, however it ends
// (t.Context() is canceled by then, so it cannot be used there).
func deleteOnCleanup(t *testing.T, args ...string) {
	t.Cleanup(func() {
		_, _ = cfg.KubectlOutput(context.Background(), "", append([]string{"delete", "--ignore-not-found"}, args...)...)
	})
}

// waitAllTrue waits until CustomApiServer name has every condition True.
func waitAllTrue(t *testing.T, name string, timeout time.Duration) {
	t.Helper()
	var cas casStatus
	testutil.Eventually(t, timeout, name+" Ready with every condition True", func(context.Context) error {
		kubectlJSON(t, &cas, "get", "customapiserver", name)
		for _, typ := range []string{aggv1alpha1.ConditionReady, aggv1alpha1.ConditionCertificatesReady, aggv1alpha1.ConditionDeploymentAvailable, aggv1alpha1.ConditionAPIServicesAvailable} {
			if findCondition(cas.Status.Conditions, typ).Status != "True" {
				return errors.New(fmtConditions(cas.Status.Conditions))
			}
		}
		return nil
	})
}
