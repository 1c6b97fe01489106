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

// Command bench measures the MetricSnapshot API side by side with the same schema as a CRD and with
// k8s.io/sample-apiserver, through the aggregator and straight to each server's pod (`make bench`):
//
//	go run ./hack/bench [-objects 1000] [-workers 8] [-json bench.json] ...
//
// With KUBECONFIG set it deploys onto that cluster (the operator with `make deploy`, an etcd, both
// servers as CustomApiServers, the CRD) and removes all but the operator afterwards; without, it boots
// the local e2e cluster (test/cluster, root; hold /tmp/aggop-e2e.lock) and tears it down at the end.
// The servers' CPU and RSS are read from /proc and the pods' cgroups, so it runs on the node.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"example.com/aggregation-operator/internal/kubeversion"
	"example.com/aggregation-operator/test/cluster"
)

// The paths, in the order they run.
const (
	pathCRD        = "CRD (kube-apiserver)"
	pathMetricsAgg = "MetricSnapshot (aggregator)"
	pathWardleAgg  = "sample-apiserver (aggregator)"
	pathMetricsPod = "MetricSnapshot (pod)"
	pathWardlePod  = "sample-apiserver (pod)"
	pathMetricsOff = "MetricSnapshot (pod, collection off)"
	pathAggOff     = "MetricSnapshot (aggregator, collection off)"
)

func main() {
	var s Sizes
	flag.IntVar(&s.Objects, "objects", 1000, "objects per path: created, read, updated, listed and deleted")
	flag.IntVar(&s.Workers, "workers", 8, "concurrent clients for create, get, update and delete")
	flag.IntVar(&s.Lists, "lists", 10, "full lists and paginated traversals per path, each")
	flag.IntVar(&s.Page, "page", 100, "page size of the paginated list")
	flag.IntVar(&s.Watchers, "watchers", 10, "concurrent watchers")
	flag.IntVar(&s.Events, "events", 100, "updates every watcher must see")
	size := flag.Int("size", 2560, "JSON bytes of every object as the server returns it once settled (padded with an annotation)")
	only := flag.String("paths", ".", "regular expression: run only the paths whose name matches")
	jsonOut := flag.String("json", "bin/bench.json", "file the results are written to as JSON")
	state := flag.String("state", "/tmp/aggop-cluster", "the local cluster's state dir (booted without KUBECONFIG; its pki holds the front-proxy client certificate)")
	kubeBin := flag.String("kube-bin", "", "Kubernetes binaries (default bin/k8s/<version>)")
	images := flag.String("images", "bin/images", "image archives the booted cluster imports")
	img := flag.String("img", "local.test/aggregation-operator:v0.1.0", "operator image")
	apiImg := flag.String("apiserver-img", "local.test/metricsnapshot-apiserver:v0.1.0", "MetricSnapshot apiserver image")
	sampleImg := flag.String("sample-apiserver-img", "local.test/sample-apiserver:v0.37.2", "k8s.io/sample-apiserver image")
	server := flag.String("server", "", "benchmark only the MetricSnapshot API of the server at this URL (e.g. `apiserver --local`, for profiling), no cluster")
	serverPID := flag.Int("server-pid", 0, "with -server: the server's pid, whose CPU and RSS are read")
	msVersion := flag.String("metricsnapshot-version", "v1", "version of the MetricSnapshot API the clients use: v1 (the schema of the CRD compared with) or v2 (the storage version, which the collector writes)")
	repeat := flag.Int("repeat", 1, "runs of every path, one after the other; each figure printed is the median over them")
	applyRuns := flag.Int("apply-runs", 10, "CustomApiServers created one after the other (embedded storage, 1 replica), each timed from create to APIService Available; 0 skips")
	var prof profiler
	flag.StringVar(&prof.dir, "pprof", "", "directory: take a CPU profile of each aggregated server while it is benchmarked straight to its pod, of kube-apiserver during the MetricSnapshot aggregator route (and of -server)")
	flag.DurationVar(&prof.seconds, "pprof-duration", 30*time.Second, "length of each profile, from the start of the path")
	flag.Parse()
	if _, _, err := metricSnapshots(*msVersion); err != nil {
		fail(err)
	}
	if *kubeBin == "" {
		dir, err := kubeversion.BinDir()
		if err != nil {
			fail(err)
		}
		*kubeBin = dir
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *server != "" {
		if err := runServer(ctx, *server, *serverPID, *msVersion, s, *size, prof, *jsonOut); err != nil {
			fail(err)
		}
		return
	}
	cfg := cluster.Default(*state, *kubeBin, *images)
	cfg.Profiling = prof.dir != "" // kube-apiserver's profile of the aggregator route, on the cluster it boots
	setup := Setup{Repo: kubeversion.Root(), Image: *img, APIServerImage: *apiImg, SampleImage: *sampleImg,
		EtcdManifest: cfg.EtcdManifest(backendNS, nil)}
	filter, err := regexp.Compile(*only)
	if err != nil {
		fail(fmt.Errorf("-paths: %w", err))
	}
	if err := run(ctx, cfg, setup, *msVersion, s, *size, filter, max(*repeat, 1), *applyRuns, prof, *jsonOut); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}

// run benchmarks on the cluster in KUBECONFIG, or on one it boots and tears down.
func run(ctx context.Context, cfg cluster.Config, setup Setup, msVersion string, s Sizes, size int, only *regexp.Regexp, repeat, applyRuns int, prof profiler, jsonOut string) (err error) {
	kubeconfig := os.Getenv("KUBECONFIG")
	if kubeconfig == "" {
		if _, err := cfg.Down(ctx); err != nil {
			return fmt.Errorf("cleaning up a previous cluster: %w", err)
		}
		boot, err := cfg.Up(ctx)
		defer func() {
			if _, derr := cfg.Down(context.Background()); derr != nil && err == nil {
				err = fmt.Errorf("tearing the cluster down: %w", derr)
			}
		}()
		if err != nil {
			return fmt.Errorf("booting the cluster: %w", err)
		}
		fmt.Printf("bench: cluster booted in %s\n", boot.Round(time.Millisecond))
		kubeconfig = cfg.Kubeconfig()
	}
	k := kube{kubectl: cfg.Kubectl(), kubeconfig: kubeconfig}
	start := time.Now()
	if err := deploy(ctx, k, setup); err != nil {
		return err
	}
	defer func() {
		if uerr := undeploy(context.Background(), k); uerr != nil && err == nil {
			err = uerr
		}
	}()
	fmt.Printf("bench: servers deployed in %s\n", time.Since(start).Round(time.Millisecond))
	paths, err := buildPaths(ctx, k, cfg, msVersion)
	if err != nil {
		return err
	}
	report := Report{Time: time.Now().UTC(), Machine: machine(), Sizes: s, Repeat: repeat}
	runs := map[string][]PathResult{}
	for i := range repeat {
		for _, p := range paths {
			if !only.MatchString(p.Name) {
				continue
			}
			fmt.Printf("bench: %s (run %d of %d) ...\n", p.Name, i+1, repeat)
			// Profiles come from the first run only (a later one would overwrite them).
			runs[p.Name] = append(runs[p.Name], runPath(ctx, p, s, size, prof))
		}
		prof.dir = ""
	}
	for _, p := range paths {
		if r, ok := runs[p.Name]; ok {
			report.Paths = append(report.Paths, medianPath(r))
			report.Runs = append(report.Runs, r)
		}
	}
	if applyRuns > 0 {
		admin, err := clientcmd.BuildConfigFromFlags("", k.kubeconfig)
		if err != nil {
			return fmt.Errorf("reading %s: %w", k.kubeconfig, err)
		}
		client, err := dynamic.NewForConfig(admin)
		if err != nil {
			return fmt.Errorf("creating a client: %w", err)
		}
		fmt.Printf("bench: CustomApiServer apply -> APIService Available, %d runs ...\n", applyRuns)
		report.Apply = applyPhase(ctx, client, applyRuns)
	}
	return report.finish(jsonOut)
}

// runServer benchmarks one MetricSnapshot server reached at url as the all-powerful user (--local).
func runServer(ctx context.Context, url string, pid int, msVersion string, s Sizes, size int, prof profiler, jsonOut string) error {
	gvr, kind, err := metricSnapshots(msVersion)
	if err != nil {
		return err
	}
	p := Path{Name: "MetricSnapshot " + msVersion + " (" + url + ")", Requests: &atomic.Int64{}, Meters: map[string]Meter{},
		Config: &rest.Config{Host: url, TLSClientConfig: rest.TLSClientConfig{Insecure: true}},
		GVR:    gvr, Kind: kind, Profile: "server", Settled: collected}
	p.StatusWrites = serverStatusWrites(p.Config)
	if pid > 0 {
		p.Meters["server"] = procMeter(strconv.Itoa(pid))
	}
	report := Report{Time: time.Now().UTC(), Machine: machine(), Sizes: s, Repeat: 1}
	report.Paths = append(report.Paths, runPath(ctx, p, s, size, prof))
	return report.finish(jsonOut)
}

func buildPaths(ctx context.Context, k kube, cfg cluster.Config, msVersion string) ([]Path, error) {
	msGVR, ms, err := metricSnapshots(msVersion)
	if err != nil {
		return nil, err
	}
	admin, err := clientcmd.BuildConfigFromFlags("", k.kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", k.kubeconfig, err)
	}
	metricsPod, err := serverPod(ctx, k, metricsCAS)
	if err != nil {
		return nil, err
	}
	wardlePod, err := serverPod(ctx, k, wardleCAS)
	if err != nil {
		return nil, err
	}
	cert, key := filepath.Join(cfg.StateDir, "pki", "front-proxy-client.crt"), filepath.Join(cfg.StateDir, "pki", "front-proxy-client.key")
	kubeAPI := pidMeter(filepath.Join(cfg.StateDir, "run", "kube-apiserver.pid"))
	msCRD := objectKind{crdGroup + "/v1", "MetricSnapshot", "crd", metricSnapshotSpec}
	flunder := objectKind{wardleGroup + "/v1alpha1", "Flunder", "flunder", map[string]any{}}
	wardleGVR := schema.GroupVersionResource{Group: wardleGroup, Version: "v1alpha1", Resource: "flunders"}
	path := func(name string, c *rest.Config, gvr schema.GroupVersionResource, kind objectKind, meters map[string]Meter) Path {
		return Path{Name: name, Config: c, GVR: gvr, Kind: kind, Meters: meters, Requests: &atomic.Int64{}}
	}
	paths := []Path{
		path(pathCRD, admin, schema.GroupVersionResource{Group: crdGroup, Version: "v1", Resource: "metricsnapshots"}, msCRD,
			map[string]Meter{"kube-apiserver": kubeAPI}),
		path(pathMetricsAgg, admin, msGVR, ms, map[string]Meter{"server": podMeter(metricsPod.UID), "kube-apiserver": kubeAPI}),
		path(pathWardleAgg, admin, wardleGVR, flunder, map[string]Meter{"server": podMeter(wardlePod.UID), "kube-apiserver": kubeAPI}),
		path(pathMetricsPod, direct(metricsPod, cert, key), msGVR, ms, map[string]Meter{"server": podMeter(metricsPod.UID)}),
		path(pathWardlePod, direct(wardlePod, cert, key), wardleGVR, flunder, map[string]Meter{"server": podMeter(wardlePod.UID)}),
	}
	// The same two MetricSnapshot routes with the collector stopped show what collection costs.
	for _, off := range []Path{
		path(pathMetricsOff, direct(metricsPod, cert, key), msGVR, ms, map[string]Meter{"server": podMeter(metricsPod.UID)}),
		path(pathAggOff, admin, msGVR, ms, map[string]Meter{"server": podMeter(metricsPod.UID), "kube-apiserver": kubeAPI}),
	} {
		off.Before = func(ctx context.Context, res dynamic.ResourceInterface) error { return collectionOff(ctx, k, res, ms) }
		off.After = func(ctx context.Context) error { return collectionOn(ctx, k) }
		paths = append(paths, off)
	}
	// kube-apiserver's profile on the aggregator route shows what the hop costs.
	paths[1].Profile, paths[3].Profile, paths[4].Profile = "kube-apiserver", "server", "server"
	paths[1].Settled, paths[3].Settled = collected, collected
	metricsWrites := serverStatusWrites(direct(metricsPod, cert, key))
	for _, i := range []int{1, 3, 5, 6} {
		paths[i].StatusWrites = metricsWrites
	}
	return paths, nil
}

// runPath runs the workload on one path and reads its servers' usage around it.
func runPath(ctx context.Context, p Path, s Sizes, size int, prof profiler) PathResult {
	r := PathResult{Path: p.Name, CPUPer1000: map[string]float64{}, RSSMiB: map[string]float64{}}
	res, lister, err := p.client()
	if err != nil {
		r.Error = err.Error()
		return r
	}
	if p.Before != nil {
		if err := p.Before(ctx, res); err != nil {
			r.Error = err.Error()
			return r
		}
	}
	if p.After != nil {
		defer func() {
			if err := p.After(context.Background()); err != nil {
				fmt.Fprintln(os.Stderr, "bench:", err)
			}
		}()
	}
	pad, err := calibrate(ctx, res, p.Kind, size, p.Settled)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	p.Requests.Store(0)
	profile := func() error { return nil }
	if p.Profile != "" {
		profile = prof.start(ctx, p.Config, p.Name+" "+p.Profile)
	}
	before := map[string]Usage{}
	for name, m := range p.Meters {
		if u, err := m(); err == nil {
			before[name] = u
		}
	}
	r.Results, r.ObjectBytes, err = workload(ctx, res, lister, func(i int) *unstructured.Unstructured { return p.Kind.object(i, pad) }, s, p.StatusWrites)
	if err != nil {
		r.Error = err.Error()
	}
	r.Requests = p.Requests.Load()
	if err := profile(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
	}
	for name, m := range p.Meters {
		u, err := m()
		b, ok := before[name]
		if err != nil || !ok || r.Requests == 0 {
			continue
		}
		r.CPUPer1000[name] = (u.CPUSeconds - b.CPUSeconds) / float64(r.Requests) * 1000
		r.RSSMiB[name] = float64(u.RSSBytes) / (1 << 20)
	}
	return r
}

// machine describes where the figures come from.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		if m := regexp.MustCompile(`(?m)^model name\s*:\s*(.+)$`).FindSubmatch(b); m != nil {
			model = string(m[1])
		}
	}
	return fmt.Sprintf("%s, %d CPUs, %s/%s", model, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)
}
