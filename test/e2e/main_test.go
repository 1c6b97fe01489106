//go:build e2e

// Package e2e runs the tutorial's user story on a real single-node cluster it boots itself
// (test/cluster): the operator and the MetricSnapshot apiserver as pods, checked with the real kubectl.
// Run with `make test-e2e` (root). At the end the machine must be as the suite found it.
package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/aggregation-operator/test/cluster"
)

var (
	cfg     cluster.Config
	repo    string
	timings = struct {
		sync.Mutex
		order []string
		d     map[string]time.Duration
		notes []string // other figures, e.g. failed requests
	}{d: map[string]time.Duration{}}
)

func TestMain(m *testing.M) { os.Exit(runSuite(m)) }

func runSuite(m *testing.M) int {
	_, file, _, _ := runtime.Caller(0)
	repo = filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
	cfg = cluster.Default(
		env("AGGOP_CLUSTER_DIR", "/tmp/aggop-cluster"),
		env("AGGOP_KUBE_BIN", filepath.Join(repo, "bin", "k8s", "v1.37.2")),
		env("AGGOP_IMAGES", filepath.Join(repo, "bin", "images")),
	)
	ctx := context.Background()
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "e2e: needs root to boot the local cluster")
		return 1
	}
	// A cluster left by `make cluster-up` or a crashed run goes first, so the snapshot sees the bare machine.
	if _, err := cfg.Down(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: cleaning up a previous cluster:", err)
		return 1
	}
	before := cfg.Snapshot(ctx)
	boot, err := cfg.Up(ctx)
	code := 1
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: booting the cluster:", err)
	} else {
		record("cluster boot", boot)
		code = m.Run()
	}
	stopHostProcesses()
	teardown, err := cfg.Down(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: tearing down:", err)
		code = 1
	}
	record("teardown", teardown)
	if diffs := before.Diff(cfg.Snapshot(ctx)); len(diffs) > 0 {
		fmt.Fprintln(os.Stderr, "e2e: the machine is not as the suite found it:")
		for _, d := range diffs {
			fmt.Fprintln(os.Stderr, "  ", d)
		}
		code = 1
	} else {
		fmt.Println("e2e: machine left as found (links, iptables rules, mounts, sysctls, cgroups, processes)")
	}
	printTimings()
	return code
}

func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func record(what string, d time.Duration) {
	timings.Lock()
	defer timings.Unlock()
	if _, ok := timings.d[what]; !ok {
		timings.order = append(timings.order, what)
	}
	timings.d[what] = d
}

// note records a figure other than a duration, printed with the timings.
func note(what, value string) {
	timings.Lock()
	defer timings.Unlock()
	timings.notes = append(timings.notes, fmt.Sprintf("%-45s %s", what, value))
}

func printTimings() {
	timings.Lock()
	defer timings.Unlock()
	fmt.Println("e2e timings:")
	// hack/kube-binaries.sh records how long the (cached) binaries took to build.
	if b, err := os.ReadFile(filepath.Join(cfg.KubeBin, "build-times.txt")); err == nil {
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			fmt.Printf("  binaries (cached in %s): %s\n", cfg.KubeBin, strings.TrimPrefix(l, ">> "))
		}
	}
	for _, k := range timings.order {
		fmt.Printf("  %-45s %s\n", k, timings.d[k].Round(time.Millisecond))
	}
	for _, n := range timings.notes {
		fmt.Println("  " + n)
	}
}
