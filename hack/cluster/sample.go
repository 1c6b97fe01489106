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
	"fmt"
	"os"

	"example.com/aggregation-operator/test/cluster"
)

const (
	samplePath       = "config/samples/aggregation_v1alpha1_customapiserver.yaml"
	sampleAPIService = "v1.metrics.example.com"
)

// exampleSnapshot collects from the node's Prometheus, so its status fills within seconds.
const exampleSnapshot = `apiVersion: metrics.example.com/v1
kind: MetricSnapshot
metadata: {name: prometheus-up, namespace: default}
spec:
  source: prometheus
  metrics: [up, "count(up)"]
  interval: 10s
`

func sample(ctx context.Context, cfg cluster.Config) error {
	d, err := cfg.DeploySample(ctx, samplePath, sampleAPIService)
	if err != nil {
		return err
	}
	fmt.Printf("cluster: CustomApiServer applied -> APIService %s Available in %s\n", sampleAPIService, d.Round(1e6))
	if _, err := cfg.KubectlOutput(ctx, "", "wait", "--for=condition=Ready", "customapiserver/custom-apiserver", "--timeout=180s"); err != nil {
		return err
	}
	if _, err := cfg.KubectlOutput(ctx, exampleSnapshot, "apply", "-f", "-"); err != nil {
		return err
	}
	out, err := cfg.KubectlOutput(ctx, "", "get", "metricsnapshots", "-A")
	if err != nil {
		return err
	}
	fmt.Printf("\n$ kubectl get metricsnapshots -A\n%s\n", out)
	wd, _ := os.Getwd()
	fmt.Printf(`
The local cluster runs the operator and the sample CustomApiServer. Try:

  export KUBECONFIG=%[1]s
  alias kubectl=%[2]s
  kubectl get customapiservers -o wide
  kubectl get apiservices %[3]s
  kubectl api-versions | grep metrics
  # status.data is filled from the Prometheus on the node
  kubectl get metricsnapshot prometheus-up -o yaml
  kubectl explain metricsnapshot.spec
  # edit and re-apply the sample
  kubectl apply -f %[4]s/%[5]s
  # tear down; leaves the machine as it was
  make cluster-down
`, cfg.Kubeconfig(), cfg.Kubectl(), sampleAPIService, wd, samplePath)
	return nil
}
