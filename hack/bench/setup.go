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

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"example.com/aggregation-operator/internal/poll"
)

// Names of what the benchmark deploys.
const (
	backendNS     = "bench-backend" // the etcd both aggregated servers store in
	objectsNS     = "bench"         // every benchmarked object
	metricsCAS    = "bench-metrics"
	wardleCAS     = "bench-wardle"
	metricsGroup  = "metrics.example.com"
	wardleGroup   = "wardle.example.com"
	crdGroup      = "crd.bench.example.com"
	operatorNS    = "aggregation-operator-system"
	operatorDeplo = "aggregation-operator-controller-manager"
)

// kube runs kubectl on the benchmarked cluster.
type kube struct {
	kubectl, kubeconfig string
}

func (k kube) run(ctx context.Context, stdin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, k.kubectl, append([]string{"--kubeconfig=" + k.kubeconfig}, args...)...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			err = fmt.Errorf("%w: %s", err, ee.Stderr)
		}
		return "", fmt.Errorf("kubectl %s: %w", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out)), nil
}

// Setup is what deploy needs to know.
type Setup struct {
	Repo, Image, APIServerImage, SampleImage string
	EtcdManifest                             string // an etcd Deployment and Service in backendNS
}

// deploy installs the operator (make deploy), an etcd, a MetricSnapshot server and k8s.io/sample-apiserver
// as CustomApiServers (one replica each, so "straight to a pod" is the pod the aggregator uses), and
// the MetricSnapshot schema as a CRD, and waits until all serve.
func deploy(ctx context.Context, k kube, s Setup) error {
	cmd := exec.CommandContext(ctx, "make", "-C", s.Repo, "--no-print-directory", "deploy", "IMG="+s.Image, "APISERVER_IMG="+s.APIServerImage)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+k.kubeconfig)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("make deploy: %w\n%s", err, out)
	}
	etcd := "http://etcd." + backendNS + ".svc:2379"
	steps := []struct {
		stdin string
		args  []string
	}{
		{nsManifest(backendNS) + "---\n" + nsManifest(objectsNS) + "---\n" + s.EtcdManifest, []string{"apply", "-f", "-"}},
		{crdManifest, []string{"apply", "-f", "-"}},
		{"", []string{"-n", operatorNS, "rollout", "status", "deployment/" + operatorDeplo, "--timeout=180s"}},
		{"", []string{"-n", backendNS, "rollout", "status", "deployment/etcd", "--timeout=180s"}},
		{fmt.Sprintf(metricsCASManifest, metricsCAS, etcd) + "---\n" + fmt.Sprintf(wardleCASManifest, wardleCAS, s.SampleImage, etcd), []string{"apply", "-f", "-"}},
		{"", []string{"wait", "--for=condition=Established", "crd/metricsnapshots." + crdGroup, "--timeout=60s"}},
	}
	for _, st := range steps {
		if _, err := k.run(ctx, st.stdin, st.args...); err != nil {
			return err
		}
	}
	for _, svc := range []string{"v1." + metricsGroup, "v1alpha1." + wardleGroup} {
		if err := poll.Until(ctx, "APIService "+svc+" Available", 5*time.Minute, func(ctx context.Context) error {
			out, err := k.run(ctx, "", "get", "apiservice", svc, "-o", `jsonpath={.status.conditions[?(@.type=="Available")].status} {.status.conditions[?(@.type=="Available")].message}`)
			if err == nil && !strings.HasPrefix(out, "True") {
				err = errors.New(out)
			}
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}

// undeploy removes what deploy added but the operator (kept for the next run).
func undeploy(ctx context.Context, k kube) error {
	var errs []error
	for _, args := range [][]string{
		{"delete", "customapiserver", metricsCAS, wardleCAS, "--ignore-not-found", "--timeout=3m"},
		{"delete", "crd", "metricsnapshots." + crdGroup, "--ignore-not-found", "--timeout=3m"},
		{"delete", "namespace", objectsNS, backendNS, "--ignore-not-found", "--timeout=3m"},
	} {
		if _, err := k.run(ctx, "", args...); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Pod is a server's pod: where to reach it and whose cgroup to read.
type Pod struct{ IP, UID string }

// serverPod is the ready pod of the CustomApiServer in ns (one replica).
func serverPod(ctx context.Context, k kube, ns string) (Pod, error) {
	var p Pod
	err := poll.Until(ctx, "one ready pod in "+ns, 2*time.Minute, func(ctx context.Context) error {
		out, err := k.run(ctx, "", "-n", ns, "get", "pods", "--field-selector=status.phase=Running", "-o",
			`jsonpath={range .items[?(@.metadata.deletionTimestamp)]}deleting {end}{range .items[*]}{.status.podIP} {.metadata.uid}{"\n"}{end}`)
		if err != nil {
			return err
		}
		lines := strings.Split(out, "\n")
		if len(lines) != 1 || strings.HasPrefix(out, "deleting") || len(strings.Fields(lines[0])) != 2 {
			return fmt.Errorf("pods: %q", out)
		}
		f := strings.Fields(lines[0])
		p = Pod{IP: f[0], UID: f[1]}
		return nil
	})
	return p, err
}

func nsManifest(name string) string {
	return fmt.Sprintf("apiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n", name)
}

// The MetricSnapshot server: its Prometheus source answers nothing, so the collector still runs (one
// status write per new object, as in production) without a Prometheus to run.
const metricsCASManifest = `apiVersion: aggregation.example.com/v1alpha1
kind: CustomApiServer
metadata: {name: %[1]s}
spec:
  namespace: %[1]s
  replicas: 1
  storage: {etcd: {servers: ["%[2]s"]}}
  apiServices:
  - {group: ` + metricsGroup + `, version: v1}
  args: ["--source=prometheus=http://127.0.0.1:9"]
`

const wardleCASManifest = `apiVersion: aggregation.example.com/v1alpha1
kind: CustomApiServer
metadata: {name: %[1]s}
spec:
  namespace: %[1]s
  replicas: 1
  image: %[2]s
  storage: {etcd: {servers: ["%[3]s"]}}
  apiServices:
  - {group: ` + wardleGroup + `, version: v1alpha1}
  - {group: ` + wardleGroup + `, version: v1beta1}
  args: [--tls-cert-file=/var/run/serving-cert/tls.crt, --tls-private-key-file=/var/run/serving-cert/tls.key]
`
