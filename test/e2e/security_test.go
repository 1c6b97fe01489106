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
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

const refusedName = "e2e-refused"

// refusedRules: a rule of spec.rbac.rules that a cluster admin has not made grantable is left out, with a reason
// that says so; a ClusterRole labelled grantable lets it in, with no other change: the operator, which has no
// escalate and did not hold the rule, holds it now through its aggregated grantable-rules ClusterRole. The same
// server's missing image shows in DeploymentAvailable as the kubelet reports it, not as "see the pods".
func refusedRules(t *testing.T) {
	kubectlApply(t, `apiVersion: aggregation.example.com/v1alpha1
kind: CustomApiServer
metadata: {name: `+refusedName+`}
spec:
  image: local.test/does-not-exist:v0
  imagePullPolicy: Never
  replicas: 1
  storage: {embedded: {}}
  apiServices: [{group: refused.example.com, version: v1}]
  rbac:
    rules: [{apiGroups: [""], resources: [configmaps], verbs: [get, list]}]
`)
	deleteOnCleanup(t, "clusterrole", "e2e-grantable-configmaps")
	deleteOnCleanup(t, "customapiserver", refusedName, "--timeout=3m")
	var cas casStatus
	eventually(t, 2*time.Minute, "Ready RulesNotGrantable and the image error in DeploymentAvailable", func() (bool, string) {
		kubectlJSON(t, &cas, "get", "customapiserver", refusedName)
		r, d := findCondition(cas.Status.Conditions, "Ready"), findCondition(cas.Status.Conditions, "DeploymentAvailable")
		return r.Reason == "RulesNotGrantable" && strings.Contains(r.Message, "aggregation.example.com/grantable") &&
			strings.Contains(d.Message, "ErrImageNeverPull"), fmtConditions(cas.Status.Conditions)
	})
	t.Logf("Ready: %s", findCondition(cas.Status.Conditions, "Ready").Message)
	t.Logf("DeploymentAvailable: %s", findCondition(cas.Status.Conditions, "DeploymentAvailable").Message)
	if out := kubectl(t, "get", "clusterrole", "aggregation:"+refusedName, "-o", "jsonpath={.rules[*].resources}"); strings.Contains(out, "configmaps") {
		t.Errorf("ClusterRole aggregation:%s holds the rule that was not grantable: %s", refusedName, out)
	}

	// A cluster admin makes the rule grantable; the operator's retries pick it up.
	kubectlApply(t, `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: e2e-grantable-configmaps
  labels: {aggregation.example.com/grantable: "true"}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get, list, watch]}]
`)
	eventually(t, 4*time.Minute, "ClusterRole aggregation:"+refusedName+" with the granted rule", func() (bool, string) {
		out, err := cfg.KubectlOutput(t.Context(), "", "get", "clusterrole", "aggregation:"+refusedName, "-o", "jsonpath={.rules[*].resources}")
		kubectlJSON(t, &cas, "get", "customapiserver", refusedName)
		return err == nil && strings.Contains(out, "configmaps") && findCondition(cas.Status.Conditions, "Ready").Reason != "RulesNotGrantable",
			fmt.Sprintf("%s %v; %s", out, err, fmtConditions(cas.Status.Conditions))
	})
	deleteCustomApiServer(t, refusedName, "v1.refused.example.com")
}

// operatorMetrics: the operator's metrics endpoint answers HTTPS only, to a token allowed to GET /metrics.
func operatorMetrics(t *testing.T) {
	ip := kubectl(t, "-n", operatorNamespace, "get", "pods", "-l", "app.kubernetes.io/name=aggregation-operator",
		"-o", "jsonpath={.items[0].status.podIP}")
	if port := kubectl(t, "-n", operatorNamespace, "get", "service", "aggregation-operator-metrics-service",
		"-o", "jsonpath={.spec.ports[0].port}"); port != "8443" {
		t.Errorf("metrics Service port %q, want 8443", port)
	}
	for _, sa := range []string{"e2e-scraper", "e2e-stranger"} {
		kubectl(t, "-n", "default", "create", "serviceaccount", sa)
	}
	kubectl(t, "create", "clusterrolebinding", "e2e-scraper-metrics", "--clusterrole=aggregation-operator-metrics-reader",
		"--serviceaccount=default:e2e-scraper")
	deleteOnCleanup(t, "clusterrolebinding", "e2e-scraper-metrics")
	deleteOnCleanup(t, "-n", "default", "serviceaccount", "e2e-scraper", "e2e-stranger")
	url := "https://" + ip + ":8443/metrics"
	get := func(token string) (int, string) { return getMetrics(t, url, token) }
	scraper := kubectl(t, "-n", "default", "create", "token", "e2e-scraper")
	eventually(t, time.Minute, "metrics with the metrics-reader token", func() (bool, string) {
		code, body := get(scraper)
		return code == http.StatusOK && strings.Contains(body, "controller_runtime_reconcile_total"), fmt.Sprintf("HTTP %d %.200s", code, body)
	})
	if code, _ := get(""); code != http.StatusUnauthorized {
		t.Errorf("no token: HTTP %d, want 401", code)
	}
	if code, _ := get(kubectl(t, "-n", "default", "create", "token", "e2e-stranger")); code != http.StatusForbidden {
		t.Errorf("a token without metrics-reader: HTTP %d, want 403", code)
	}
}
