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

package cluster

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"example.com/aggregation-operator/internal/poll"
)

// SampleNamespace is where config/samples' CustomApiServer runs (its name; the tutorial's namespace).
const SampleNamespace = "custom-apiserver"

// DeploySample runs what the sample CustomApiServer (samplePath) expects around it — Prometheus on
// the node as http://prometheus:9090, etcd as https://etcd:2379 in its namespace and the Secret
// EtcdClientSecret with a client certificate etcd accepts — applies it and waits until its APIService is
// Available. It returns the time from apply to Available.
func (c Config) DeploySample(ctx context.Context, samplePath, apiService string) (time.Duration, error) {
	if err := c.StartPrometheus(ctx); err != nil {
		return 0, err
	}
	tls, err := NewEtcdTLS(SampleNamespace)
	if err != nil {
		return 0, err
	}
	ns := fmt.Sprintf("apiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n", SampleNamespace)
	for _, m := range []string{ns, c.EtcdManifest(SampleNamespace, tls), c.PrometheusServiceManifest(SampleNamespace)} {
		if _, err := c.KubectlOutput(ctx, m, "apply", "-f", "-"); err != nil {
			return 0, err
		}
	}
	if _, err := c.KubectlOutput(ctx, "", "-n", SampleNamespace, "rollout", "status", "deployment/etcd", "--timeout=120s"); err != nil {
		return 0, err
	}
	start := time.Now()
	if _, err := c.KubectlOutput(ctx, "", "apply", "-f", samplePath); err != nil {
		return 0, err
	}
	err = poll.Until(ctx, "APIService "+apiService+" Available", 4*time.Minute, func(ctx context.Context) error {
		out, err := c.KubectlOutput(ctx, "", "get", "apiservice", apiService, "-o",
			`jsonpath={.status.conditions[?(@.type=="Available")].status}: {.status.conditions[?(@.type=="Available")].message}`)
		if err == nil && !strings.HasPrefix(out, "True") {
			err = errors.New(out)
		}
		return err
	})
	return time.Since(start), err
}
