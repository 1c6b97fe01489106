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
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/internal/testutil"
)

// freeAddr is a loopback address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	return fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t))
}

func get(url string) (string, error) {
	resp, err := http.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return string(b), fmt.Errorf("%s: %s", url, resp.Status)
	}
	return string(b), err
}

// startEnvtest starts a kube-apiserver and etcd with the CRDs, stopped when the test ends, and returns its
// config and a cluster-admin kubeconfig for the operator.
func startEnvtest(t *testing.T) (*rest.Config, string) {
	t.Helper()
	env := &envtest.Environment{BinaryAssetsDirectory: testutil.KubeBin(t), CRDDirectoryPaths: []string{"../../config/crd/bases"}, ErrorIfCRDPathMissing: true}
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("starting envtest: %v", err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	kubeconfig, _ := testutil.UserKubeconfig(t, env, envtest.User{Name: "operator", Groups: []string{"system:masters"}})
	return cfg, kubeconfig
}

// The operator binary's wiring: flags, preflight, probes, metrics, a reconcile, clean shutdown.
func TestOperatorRunsAgainstARealAPIServer(t *testing.T) {
	cfg, kubeconfig := startEnvtest(t)

	metrics, probes := freeAddr(t), freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--kubeconfig", kubeconfig, "--metrics-bind-address", metrics,
			"--health-probe-bind-address", probes, "--apiserver-image", "example.test/apiserver:1", "--zap-log-level", "error"})
	}()
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			cancel()
			if err := <-done; err != nil {
				t.Logf("operator stopped with %v", err)
			}
		}
	})

	testutil.Eventually(t, 30*time.Second, "/readyz", func(context.Context) error { _, err := get("http://" + probes + "/readyz"); return err })

	scheme := runtime.NewScheme()
	utilruntime.Must(aggv1alpha1.AddToScheme(scheme))
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	cas := &aggv1alpha1.CustomApiServer{
		ObjectMeta: metav1.ObjectMeta{Name: "smoke"},
		Spec: aggv1alpha1.CustomApiServerSpec{
			APIServices: []aggv1alpha1.APIServiceSpec{{Group: "smoke.example.com", Version: "v1"}},
			Storage:     &aggv1alpha1.StorageSpec{Etcd: &aggv1alpha1.EtcdStorage{Servers: []string{"http://etcd:2379"}}},
		},
	}
	if err := c.Create(ctx, cas); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 30*time.Second, "status written by the operator", func(ctx context.Context) error {
		if err := c.Get(ctx, client.ObjectKeyFromObject(cas), cas); err != nil {
			return err
		}
		if cas.Status.Image != "example.test/apiserver:1" || cas.Status.ObservedGeneration != cas.Generation {
			return fmt.Errorf("status %+v", cas.Status)
		}
		return nil
	})
	checkMetricsAuth(t, cfg, metrics)

	cancel()
	stopped = true
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("operator stopped with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("operator did not stop within 30s of cancellation")
	}
}

// Without the aggregation layer (here: nothing listening), the operator exits with a message saying so.
func TestOperatorRefusesAClusterWithoutAggregation(t *testing.T) {
	kubeconfig := testutil.Kubeconfig(t, &rest.Config{Host: "http://" + freeAddr(t)})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	err := run(ctx, []string{"--kubeconfig", kubeconfig, "--metrics-bind-address", "0", "--health-probe-bind-address", "0"})
	if err == nil || !strings.Contains(err.Error(), "apiregistration.k8s.io/v1") {
		t.Errorf("run: %v, want an error naming apiregistration.k8s.io/v1", err)
	}
}
