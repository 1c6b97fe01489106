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

// Package scale benchmarks the operator at scale on envtest (no pods): many CustomApiServers created at
// once, the time until every one is converged, the operator's memory and API requests, the writes of
// resyncs after convergence, and deletion. `make bench-operator`; not run by `make test` (a benchmark).
package scale

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cmv1 "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	"go.uber.org/zap/zapcore"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	apiregv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/controllers"
	"example.com/aggregation-operator/internal/poll"
	"example.com/aggregation-operator/internal/testutil"
)

var (
	objects = flag.Int("scale.objects", 200, "CustomApiServers created at once")
	resync  = flag.Duration("scale.resync", 30*time.Second, "the manager's SyncPeriod; writes are counted over 1.5 of it after convergence "+
		"(the operator's default is 10h: a short one makes every CustomApiServer resync within the benchmark)")
	timeout = flag.Duration("scale.timeout", 15*time.Minute, "bound of the waits for convergence and for deletion")
)

// BenchmarkOperatorAtScale reports, for -scale.objects CustomApiServers created at once: seconds until all
// are converged (every child applied, status written for the generation), the process' RSS (it holds the
// operator), API requests per converged object, writes during the resync window after convergence (0 is
// right), and seconds until deleting them all leaves nothing (kube-controller-manager's garbage collector
// and namespace controller run, as in a cluster). Run with -benchtime 1x.
func BenchmarkOperatorAtScale(b *testing.B) {
	for range b.N {
		runScale(b)
	}
}

func runScale(b *testing.B) {
	log.SetLogger(zap.New(zap.Level(zapcore.ErrorLevel)))
	bin := testutil.KubeBin(b)
	// A shared, loaded machine may take more than envtest's default 20 s to start kube-apiserver.
	env := &envtest.Environment{BinaryAssetsDirectory: bin, ErrorIfCRDPathMissing: true,
		CRDDirectoryPaths:        []string{filepath.Join("..", "..", "config", "crd", "bases")},
		ControlPlaneStartTimeout: 3 * time.Minute}
	cfg, err := env.Start()
	if err != nil {
		b.Fatalf("starting envtest: %v", err)
	}
	defer func() { _ = env.Stop() }()
	stopKCM := startControllerManager(b, bin, cfg)
	defer stopKCM()

	scheme := k8sruntime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(apiregv1.AddToScheme(scheme))
	utilruntime.Must(aggv1alpha1.AddToScheme(scheme))
	utilruntime.Must(cmv1.AddToScheme(scheme))
	admin, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		b.Fatal(err)
	}

	counter := &requestCounter{}
	mcfg := rest.CopyConfig(cfg)
	mcfg.WrapTransport = counter.wrap
	cacheOpts := controllers.CacheOptions()
	cacheOpts.SyncPeriod = resync
	mgr, err := ctrl.NewManager(mcfg, ctrl.Options{Scheme: scheme, Cache: cacheOpts, Client: controllers.ClientOptions(),
		Metrics: metricsserver.Options{BindAddress: "0"}})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &controllers.Reconciler{Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Clock: clock.RealClock{},
		DefaultImage: "local.test/metricsnapshot-apiserver:v0.1.0", Recorder: mgr.GetEventRecorder(controllers.EventSource)}
	if err := r.SetupWithManager(ctx, mgr); err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	wg.Go(func() {
		if err := mgr.Start(ctx); err != nil {
			b.Errorf("manager: %v", err)
		}
	})

	b.ResetTimer()
	start := time.Now()
	each(b, *objects, func(i int) error { return admin.Create(ctx, newCAS(i)) })
	converge, err := waitConverged(admin)
	if err != nil {
		b.Error(err) // the figures below are still reported: they say how far it got
	}
	convergeSecs := time.Since(start).Seconds()
	requests, writes := counter.total.Load(), counter.writes.Load()
	rss := rssMiB()
	b.ReportMetric(convergeSecs, "s-to-converge")
	b.ReportMetric(rss, "MiB-rss")
	b.ReportMetric(float64(requests)/float64(*objects), "requests/object")
	b.ReportMetric(float64(writes)/float64(*objects), "writes/object")
	b.Logf("%d CustomApiServers converged in %.1fs (%s); %d API requests (%d writes), process RSS %.0f MiB",
		*objects, convergeSecs, converge, requests, writes, rss)

	// Resyncs of converged objects: every one is reconciled again within the window, and none may write.
	counter.reset()
	window := *resync * 3 / 2
	time.Sleep(window) // a measurement window, not a wait for a condition
	resyncWrites := counter.writes.Load()
	b.ReportMetric(float64(resyncWrites), "writes-in-resync")
	b.Logf("resync window %s (SyncPeriod %s): %d requests, %d writes %v", window, *resync, counter.total.Load(), resyncWrites, counter.writeSample())

	start = time.Now()
	each(b, *objects, func(i int) error { return client.IgnoreNotFound(admin.Delete(ctx, newCAS(i))) })
	waitNothingLeft(b, admin)
	b.ReportMetric(time.Since(start).Seconds(), "s-to-delete-all")
	b.StopTimer()
}

func newCAS(i int) *aggv1alpha1.CustomApiServer {
	return &aggv1alpha1.CustomApiServer{
		ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("scale-%03d", i)},
		Spec: aggv1alpha1.CustomApiServerSpec{
			APIServices: []aggv1alpha1.APIServiceSpec{{Group: fmt.Sprintf("g%03d.scale.example.com", i), Version: "v1"}},
			Storage:     &aggv1alpha1.StorageSpec{Etcd: &aggv1alpha1.EtcdStorage{Servers: []string{"http://etcd:2379"}}},
		},
	}
}

// each runs fn for 0..n-1 on 8 goroutines.
func each(b *testing.B, n int, fn func(i int) error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				if err := fn(i); err != nil {
					b.Error(err)
				}
			}
		})
	}
	wg.Wait()
}

// waitConverged waits until every CustomApiServer has status for its generation with its certificates
// ready, the aggregator's verdict on its APIService, and every child applied (its Deployment exists; it
// is applied last), and says how far it got.
func waitConverged(c client.Client) (string, error) {
	var detail string
	err := poll.Until(context.Background(), "every CustomApiServer converged", *timeout, func(ctx context.Context) error {
		var list aggv1alpha1.CustomApiServerList
		if err := c.List(ctx, &list); err != nil {
			return err
		}
		done := 0
		for _, cas := range list.Items {
			certs := meta.FindStatusCondition(cas.Status.Conditions, aggv1alpha1.ConditionCertificatesReady)
			apis := meta.FindStatusCondition(cas.Status.Conditions, aggv1alpha1.ConditionAPIServicesAvailable)
			// The aggregator's verdict on the APIService is in too (no pods: unavailable), as it is in a
			// settled cluster; until then its arrival is a status write.
			if cas.Status.ObservedGeneration == cas.Generation && certs != nil && certs.Status == metav1.ConditionTrue &&
				apis != nil && apis.Reason != aggv1alpha1.ReasonAvailabilityUnknown {
				done++
			}
		}
		deployments := countLabelled(ctx, c, schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "DeploymentList"})
		detail = fmt.Sprintf("%d/%d with status, %d Deployments", done, len(list.Items), deployments)
		if done < *objects || deployments < *objects {
			return fmt.Errorf("%s", detail)
		}
		return nil
	})
	return detail, err
}

// childKinds are the kinds the operator creates (every one labelled with its owner).
var childKinds = []schema.GroupVersionKind{
	{Version: "v1", Kind: "NamespaceList"}, {Version: "v1", Kind: "ServiceAccountList"}, {Version: "v1", Kind: "SecretList"},
	{Version: "v1", Kind: "ServiceList"}, {Group: "apps", Version: "v1", Kind: "DeploymentList"},
	{Group: "policy", Version: "v1", Kind: "PodDisruptionBudgetList"}, {Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRoleList"},
	{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRoleBindingList"}, {Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "RoleList"},
	{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "RoleBindingList"}, {Group: "apiregistration.k8s.io", Version: "v1", Kind: "APIServiceList"},
}

// waitNothingLeft waits until no CustomApiServer and no child of one is left.
func waitNothingLeft(b *testing.B, c client.Client) {
	err := poll.Until(context.Background(), "every CustomApiServer and child gone", *timeout, func(ctx context.Context) error {
		var list aggv1alpha1.CustomApiServerList
		if err := c.List(ctx, &list); err != nil {
			return err
		}
		left := []string{}
		if len(list.Items) > 0 {
			left = append(left, fmt.Sprintf("%d CustomApiServers", len(list.Items)))
		}
		for _, gvk := range childKinds {
			if n := countLabelled(ctx, c, gvk); n > 0 {
				left = append(left, fmt.Sprintf("%d %s", n, strings.TrimSuffix(gvk.Kind, "List")))
			}
		}
		if len(left) > 0 {
			return fmt.Errorf("left: %s", strings.Join(left, ", "))
		}
		return nil
	})
	if err != nil {
		b.Error(err)
	}
}

func countLabelled(ctx context.Context, c client.Client, gvk schema.GroupVersionKind) int {
	l := &unstructured.UnstructuredList{}
	l.SetGroupVersionKind(gvk)
	if err := c.List(ctx, l, client.HasLabels{controllers.LabelOwner}); err != nil {
		return -1
	}
	return len(l.Items)
}

// requestCounter counts the operator's API requests at its transport; writes are every method but GET.
type requestCounter struct {
	total, writes atomic.Int64
	mu            sync.Mutex
	sample        map[string]int
}

func (c *requestCounter) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		c.total.Add(1)
		if r.Method != http.MethodGet {
			c.writes.Add(1)
			c.mu.Lock()
			if c.sample == nil {
				c.sample = map[string]int{}
			}
			c.sample[r.Method+" "+objectNumber.ReplaceAllString(r.URL.Path, "N")]++
			c.mu.Unlock()
		}
		return rt.RoundTrip(r)
	})
}

func (c *requestCounter) reset() {
	c.total.Store(0)
	c.writes.Store(0)
	c.mu.Lock()
	c.sample = nil
	c.mu.Unlock()
}

// objectNumber is the number in the names of the benchmark's objects and of their children.
var objectNumber = regexp.MustCompile(`\d{3}`)

// writeSample counts the writes seen since the last reset by method and path (object numbers as N).
func (c *requestCounter) writeSample() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for k, n := range c.sample {
		out = append(out, k+" x"+strconv.Itoa(n))
	}
	sort.Strings(out)
	return out
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// rssMiB is this process' resident memory: the operator's, plus the benchmark's small client.
func rssMiB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return float64(m.Sys) / (1 << 20)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// startControllerManager runs kube-controller-manager's garbage collector and namespace controller on
// envtest, which has neither, so deletion ends as in a cluster.
func startControllerManager(b *testing.B, bin string, cfg *rest.Config) func() {
	kubeconfig := testutil.Kubeconfig(b, cfg)
	cmd := exec.Command(filepath.Join(bin, "kube-controller-manager"), "--kubeconfig="+kubeconfig,
		"--authentication-kubeconfig="+kubeconfig, "--authorization-kubeconfig="+kubeconfig,
		"--controllers=garbagecollector,namespace", "--leader-elect=false",
		"--bind-address=127.0.0.1", "--secure-port="+strconv.Itoa(testutil.FreePort(b)))
	logFile, err := os.Create(filepath.Join(b.TempDir(), "kube-controller-manager.log"))
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		b.Fatalf("starting kube-controller-manager: %v", err)
	}
	return func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		_ = logFile.Close()
	}
}
