package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitFor(t *testing.T, timeout time.Duration, f func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not true after %s: %v", timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
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

// The operator binary's wiring: flags, preflight, probes, metrics, a reconcile, clean shutdown.
func TestOperatorRunsAgainstARealAPIServer(t *testing.T) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		if dir, err := filepath.Abs("../../bin/k8s/v1.37.2"); err == nil {
			t.Setenv("KUBEBUILDER_ASSETS", dir)
		}
	}
	env := &envtest.Environment{CRDDirectoryPaths: []string{"../../config/crd/bases"}, ErrorIfCRDPathMissing: true}
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("starting envtest: %v", err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	user, err := env.AddUser(envtest.User{Name: "operator", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	kc, err := user.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfig, kc, 0o600); err != nil {
		t.Fatal(err)
	}

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
			<-done
		}
	})

	waitFor(t, 30*time.Second, func() error { _, err := get("http://" + probes + "/readyz"); return err })

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
			Storage:     aggv1alpha1.StorageSpec{Etcd: &aggv1alpha1.EtcdStorage{Servers: []string{"http://etcd:2379"}}},
		},
	}
	if err := c.Create(ctx, cas); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, func() error {
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
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfig, []byte(fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "http://%s"}}]
users: [{name: u, user: {}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
`, freeAddr(t))), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	err := run(ctx, []string{"--kubeconfig", kubeconfig, "--metrics-bind-address", "0", "--health-probe-bind-address", "0"})
	if err == nil || !strings.Contains(err.Error(), "apiregistration.k8s.io/v1") {
		t.Errorf("run: %v, want an error naming apiregistration.k8s.io/v1", err)
	}
}
