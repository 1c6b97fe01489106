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
	"fmt"
	"strings"
	"testing"
	"time"

	"example.com/aggregation-operator/internal/testutil"
)

const (
	metricsAPIService = "v1beta1.metrics.k8s.io"
	metricsInstallNS  = "e2e-metrics-install" // where metrics-server is installed by hand, as its chart would
	metricsCAS        = "e2e-metrics-server"
	// kubeletCA: the e2e cluster's kubelet serving certificate is signed by the cluster CA (test/cluster/pki.go),
	// which every pod finds in its ServiceAccount volume, so metrics-server verifies the kubelets and needs no
	// --kubelet-insecure-tls.
	kubeletCA = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"
)

// metricsServerArgs: scrape the kubelet at its InternalIP (the address its certificate names) and port, often
// enough that a new pod is ready (it serves once it has scraped) within seconds (the request timeout must be
// shorter than the resolution).
var metricsServerArgs = []string{"--kubelet-preferred-address-types=InternalIP", "--kubelet-use-node-status-port",
	"--metric-resolution=10s", "--kubelet-request-timeout=5s", "--kubelet-certificate-authority=" + kubeletCA}

// metricsServerRules are what metrics-server reads (its own ClusterRole system:metrics-server).
const metricsServerRules = `[{apiGroups: [""], resources: [nodes/metrics], verbs: [get]}, {apiGroups: [""], resources: [pods, nodes], verbs: [get, list, watch]}]`

// metricsServerAdopted: metrics-server installed by hand-written manifests (what its Helm chart installs:
// Deployment, Service, APIService v1beta1.metrics.k8s.io with insecureSkipTLSVerify, RBAC) is taken over by a
// CustomApiServer running it with replicas 2 and adopt: true, while a request loop on the metrics API sees no
// failure; afterwards `kubectl top` is served by the CustomApiServer's pods.
func metricsServerAdopted(t *testing.T) {
	image := env("METRICS_SERVER_IMG", "local.test/metrics-server:v0.9.0")
	start := time.Now()
	installMetricsServerByHand(t, image)
	deleteOnCleanup(t, "apiservice", metricsAPIService)
	waitTop(t, "nodes")
	record("metrics-server by hand -> kubectl top nodes", time.Since(start))

	// A cluster admin makes metrics-server's rules grantable (README, Security model).
	kubectlApply(t, `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: e2e-grantable-metrics-server
  labels: {aggregation.example.com/grantable: "true"}
rules: `+metricsServerRules+`
`)
	deleteOnCleanup(t, "clusterrole", "e2e-grantable-metrics-server")

	loop := startRequestLoop(t, "/apis/metrics.k8s.io/v1beta1/nodes", 3000)
	defer loop.stop()
	handover := time.Now()
	kubectlApply(t, `apiVersion: aggregation.example.com/v1alpha1
kind: CustomApiServer
metadata: {name: `+metricsCAS+`}
spec:
  image: `+image+`
  imagePullPolicy: Never
  replicas: 2
  apiServices: [{group: metrics.k8s.io, version: v1beta1, groupPriorityMinimum: 100, versionPriority: 100, adopt: true}]
  flags: {servingCert: {files: {}}}
  args: [`+strings.Join(metricsServerArgs, ", ")+`]
  rbac: {rules: `+metricsServerRules+`}
`)
	deleteOnCleanup(t, "customapiserver", metricsCAS, "--timeout=3m")
	logOnFailure(t, metricsCAS)
	var adoptedFrom string
	testutil.Eventually(t, 2*time.Minute, "APIService "+metricsAPIService+" adopted by "+metricsCAS, func(ctx context.Context) error {
		out, err := cfg.KubectlOutput(ctx, "", "get", "customapiserver", metricsCAS, "-o", `jsonpath={.status.apiServices[0].adoptedFrom}`)
		owner, _ := cfg.KubectlOutput(ctx, "", "get", "apiservice", metricsAPIService, "-o", `jsonpath={.metadata.ownerReferences[*].name}`)
		if err != nil || out == "" || owner != metricsCAS {
			st, _ := cfg.KubectlOutput(ctx, "", "get", "customapiserver", metricsCAS, "-o", `jsonpath={.status.apiServices}`)
			return fmt.Errorf("adoptedFrom %q, APIService owned by %q (%v); status.apiServices %s", out, owner, err, st)
		}
		adoptedFrom = out
		return nil
	})
	waitAllTrue(t, metricsCAS, time.Minute)
	record("CustomApiServer adopt: true -> metrics-server adopted and Ready", time.Since(handover))
	if !strings.Contains(adoptedFrom, "kubectl") {
		t.Errorf("status.apiServices[0].adoptedFrom %q does not name the previous manager (kubectl)", adoptedFrom)
	}
	events := kubectl(t, "get", "events", "-A", "--field-selector", "reason=APIServiceAdopted,involvedObject.name="+metricsCAS, "-o", "jsonpath={.items[*].note}{.items[*].message}")
	if !strings.Contains(events, metricsAPIService) || !strings.Contains(events, "kubectl") {
		t.Errorf("no APIServiceAdopted event naming %s and its previous manager: %q", metricsAPIService, events)
	}
	// The handover is done; a little more traffic reaches the new pods only, then the old install goes.
	after := loop.count()
	eventually(t, 30*time.Second, "40 more requests after the handover", func() (bool, string) {
		return loop.count() >= after+40, fmt.Sprint(loop.count())
	})
	sent, failed, errs := loop.stop()
	t.Logf("metrics API during the handover: %d requests sent, %d failed %v", sent, failed, errs)
	note("metrics-server handover requests sent/failed", fmt.Sprintf("%d/%d", sent, failed))
	if failed > 0 || sent == 0 {
		t.Errorf("the handover failed %d of %d requests on the metrics API: %v", failed, sent, errs)
	}
	kubectl(t, "delete", "namespace", metricsInstallNS, "--timeout=2m")

	// kubectl top, from the CustomApiServer's replicas only now.
	waitTop(t, "nodes")
	waitTop(t, "pods", "-A")
	deleteCustomApiServer(t, metricsCAS, metricsAPIService)
	record("metrics-server handover + kubectl top + deletion", time.Since(handover))
}

// waitTop waits until `kubectl top <what>` prints a row with CPU (cores) and memory figures, and logs it.
// kubectl top reads the API groups from kubectl's discovery cache, which may predate the metrics APIService
// (for hours: its TTL), so each try starts with an empty cache.
func waitTop(t *testing.T, what ...string) {
	t.Helper()
	var out string
	eventually(t, time.Minute, "kubectl top "+strings.Join(what, " ")+" prints figures", func() (bool, string) {
		o, err := cfg.KubectlOutput(t.Context(), "", append([]string{"top", "--cache-dir=" + t.TempDir()}, what...)...)
		out = o
		return err == nil && strings.Contains(o, "m ") && strings.Contains(o, "Mi"), fmt.Sprintf("%v %s", err, o)
	})
	t.Logf("kubectl top %s:\n%s", strings.Join(what, " "), out)
}

// installMetricsServerByHand applies what metrics-server's chart installs, with a self-signed serving
// certificate and an APIService that skips TLS verification (the chart's defaults).
func installMetricsServerByHand(t *testing.T, image string) {
	kubectlApply(t, `apiVersion: v1
kind: Namespace
metadata: {name: `+metricsInstallNS+`}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: metrics-server, namespace: `+metricsInstallNS+`}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: e2e-system:metrics-server}
rules: `+metricsServerRules+`
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: e2e-system:metrics-server}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: e2e-system:metrics-server}
subjects: [{kind: ServiceAccount, name: metrics-server, namespace: `+metricsInstallNS+`}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: e2e-metrics-server:system:auth-delegator}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:auth-delegator}
subjects: [{kind: ServiceAccount, name: metrics-server, namespace: `+metricsInstallNS+`}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: e2e-metrics-server-auth-reader, namespace: kube-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: extension-apiserver-authentication-reader}
subjects: [{kind: ServiceAccount, name: metrics-server, namespace: `+metricsInstallNS+`}]
---
apiVersion: v1
kind: Service
metadata: {name: metrics-server, namespace: `+metricsInstallNS+`, labels: {k8s-app: metrics-server}}
spec:
  selector: {k8s-app: metrics-server}
  ports: [{name: https, port: 443, targetPort: https, protocol: TCP}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: metrics-server, namespace: `+metricsInstallNS+`, labels: {k8s-app: metrics-server}}
spec:
  replicas: 1
  selector: {matchLabels: {k8s-app: metrics-server}}
  template:
    metadata: {labels: {k8s-app: metrics-server}}
    spec:
      serviceAccountName: metrics-server
      containers:
      - name: metrics-server
        image: `+image+`
        imagePullPolicy: Never
        args: [--secure-port=10250, --cert-dir=/tmp, `+strings.Join(metricsServerArgs, ", ")+`]
        ports: [{name: https, containerPort: 10250, protocol: TCP}]
        readinessProbe: {httpGet: {path: /readyz, port: https, scheme: HTTPS}, periodSeconds: 2, failureThreshold: 3}
        securityContext: {readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 65532, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}}
        volumeMounts: [{name: tmp, mountPath: /tmp}]
      volumes: [{name: tmp, emptyDir: {}}]
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: `+metricsAPIService+`, labels: {k8s-app: metrics-server}}
spec:
  group: metrics.k8s.io
  version: v1beta1
  service: {name: metrics-server, namespace: `+metricsInstallNS+`, port: 443}
  insecureSkipTLSVerify: true
  groupPriorityMinimum: 100
  versionPriority: 100
`)
	deleteOnCleanup(t, "namespace", metricsInstallNS)
	logOnFailure(t, metricsInstallNS)
	deleteOnCleanup(t, "clusterrole,clusterrolebinding", "e2e-system:metrics-server")
	deleteOnCleanup(t, "clusterrolebinding", "e2e-metrics-server:system:auth-delegator")
	deleteOnCleanup(t, "-n", "kube-system", "rolebinding", "e2e-metrics-server-auth-reader")
}

// logOnFailure logs, when the test has failed, what a person would look at first: the metrics APIService's
// status, and the pods of namespace ns with their last log lines.
func logOnFailure(t *testing.T, ns string) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		ctx := context.Background()
		for _, args := range [][]string{
			{"get", "apiservice", metricsAPIService, "-o", "jsonpath={.spec.service} {.status.conditions}"},
			{"-n", ns, "get", "pods", "-o", "wide"},
			{"-n", ns, "logs", "--all-containers", "--prefix", "--tail=20", "-l", "app.kubernetes.io/component=apiserver"},
			{"-n", ns, "logs", "--all-containers", "--prefix", "--tail=20", "-l", "k8s-app=metrics-server"},
		} {
			out, err := cfg.KubectlOutput(ctx, "", args...)
			t.Logf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	})
}
