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

package controllers

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	cmv1 "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	"go.uber.org/zap/zapcore"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	apiregv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	clocktesting "k8s.io/utils/clock/testing"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/internal/testutil"
	"example.com/aggregation-operator/test/cluster"
)

// The envtest suite: a real kube-apiserver (with its aggregation layer) and etcd built from source into
// bin/k8s/<version>, the operator's manager running against them with a fake clock. It starts the first
// time a test calls startEnv, so the pure unit tests run without it.
var (
	testEnv    *envtest.Environment
	testCfg    *rest.Config
	k8s        client.Client // the test's own client, not the operator's
	testScheme = runtime.NewScheme()
	fakeClock  = clocktesting.NewFakeClock(time.Now())
	suite      struct {
		once sync.Once
		err  error
		stop func()
	}
)

const (
	testImage = "local.test/metricsnapshot-apiserver:test"
	// testOperatorNamespace is where the suite's operator "runs": no apiserver may go there.
	testOperatorNamespace = "aggregation-operator-system"
)

func TestMain(m *testing.M) {
	utilruntime.Must(clientgoscheme.AddToScheme(testScheme))
	utilruntime.Must(apiregv1.AddToScheme(testScheme))
	utilruntime.Must(aggv1alpha1.AddToScheme(testScheme))
	utilruntime.Must(cmv1.AddToScheme(testScheme))
	ctrl.SetLogger(zap.New(zap.WriteTo(os.Stderr), zap.Level(zapLevel())))
	code := m.Run()
	if suite.stop != nil {
		suite.stop()
	}
	os.Exit(code)
}

// startEnv starts envtest and the operator's manager once, for the tests that talk to the API server
// (through k8s, testCfg or testEnv); it fails the test if they cannot start.
func startEnv(t testing.TB) {
	t.Helper()
	bin := testutil.KubeBin(t)
	suite.once.Do(func() { suite.stop, suite.err = runSuite(bin) })
	if suite.err != nil {
		t.Fatalf("starting envtest with the binaries in %s: %v", bin, suite.err)
	}
}

// runSuite starts envtest and the manager; stop cancels the manager, waits for it and stops envtest.
func runSuite(bin string) (stop func(), err error) {
	testEnv = &envtest.Environment{
		BinaryAssetsDirectory: bin,
		CRDDirectoryPaths:     []string{filepath.Join("..", "config", "crd", "bases"), cluster.CertManagerCRDDir()},
		ErrorIfCRDPathMissing: true,
	}
	if testCfg, err = testEnv.Start(); err != nil {
		return nil, err
	}
	stopEnv := func() {
		if err := testEnv.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "stopping envtest: %v\n", err)
		}
	}
	if k8s, err = client.New(testCfg, client.Options{Scheme: testScheme}); err != nil {
		stopEnv()
		return nil, err
	}
	mgr, err := ctrl.NewManager(testCfg, ctrl.Options{
		Scheme:  testScheme,
		Cache:   CacheOptions(),
		Client:  ClientOptions(),
		Metrics: metricsserver.Options{BindAddress: "0"},
	})
	if err != nil {
		stopEnv()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &Reconciler{Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Clock: fakeClock, DefaultImage: testImage,
		Recorder: mgr.GetEventRecorder(EventSource), OperatorNamespace: testOperatorNamespace, Dialer: loopback}
	if err := r.SetupWithManager(ctx, mgr); err != nil {
		cancel()
		stopEnv()
		return nil, err
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := mgr.Start(ctx); err != nil {
			fmt.Fprintf(os.Stderr, "manager: %v\n", err)
		}
	})
	return func() { cancel(); wg.Wait(); stopEnv() }, nil
}

// zapLevel keeps the operator's logs quiet unless TEST_VERBOSE_OPERATOR is set.
func zapLevel() zapcore.Level {
	if os.Getenv("TEST_VERBOSE_OPERATOR") != "" {
		return zapcore.Level(-2) // also turns off sampling
	}
	return zapcore.ErrorLevel
}

// newCAS is a valid CustomApiServer with external etcd; mutate tweaks it.
func newCAS(name, group string, mutate ...func(*aggv1alpha1.CustomApiServer)) *aggv1alpha1.CustomApiServer {
	cas := &aggv1alpha1.CustomApiServer{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: aggv1alpha1.CustomApiServerSpec{
			APIServices: []aggv1alpha1.APIServiceSpec{{Group: group, Version: "v1"}},
			Storage:     &aggv1alpha1.StorageSpec{Etcd: &aggv1alpha1.EtcdStorage{Servers: []string{"http://etcd:2379"}}},
		},
	}
	for _, m := range mutate {
		m(cas)
	}
	return cas
}

// createCAS creates cas and removes it (finalizer included) when the test ends.
func createCAS(t *testing.T, cas *aggv1alpha1.CustomApiServer) {
	t.Helper()
	ctx := context.Background()
	if err := k8s.Create(ctx, cas); err != nil {
		t.Fatalf("creating CustomApiServer %s: %v", cas.Name, err)
	}
	t.Cleanup(func() {
		_ = k8s.Delete(ctx, &aggv1alpha1.CustomApiServer{ObjectMeta: metav1.ObjectMeta{Name: cas.Name}})
	})
}

// reconciled waits until the operator has written status for the current generation with certificates.
func reconciled(t *testing.T, name string) *aggv1alpha1.CustomApiServer {
	t.Helper()
	cas := &aggv1alpha1.CustomApiServer{}
	testutil.Eventually(t, 30*time.Second, "CustomApiServer "+name+" reconciled", func(ctx context.Context) error {
		if err := k8s.Get(ctx, client.ObjectKey{Name: name}, cas); err != nil {
			return err
		}
		if cas.Status.ObservedGeneration != cas.Generation || cas.Status.Certificates == nil {
			return fmt.Errorf("status not written for generation %d: %+v", cas.Generation, cas.Status)
		}
		return nil
	})
	return cas
}

// countingTransport counts requests that may write (anything but GET), keeping their description.
type countingTransport struct {
	next   http.RoundTripper
	mu     sync.Mutex
	writes []string
}

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet {
		c.mu.Lock()
		c.writes = append(c.writes, req.Method+" "+req.URL.Path)
		c.mu.Unlock()
	}
	return c.next.RoundTrip(req)
}

func (c *countingTransport) reset() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	w := c.writes
	c.writes = nil
	return w
}
