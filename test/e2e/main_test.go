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

// Package e2e runs the tutorial's user story on a real single-node cluster it boots itself
// (test/cluster): the operator and the MetricSnapshot apiserver as pods, checked with the real kubectl.
// Run with `make test-e2e` (root). At the end the machine must be as the suite found it.
package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/aggregation-operator/internal/kubeversion"
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
	repo = kubeversion.Root()
	kubeBin, err := kubeversion.BinDir()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	cfg = cluster.Default(
		env("AGGOP_CLUSTER_DIR", "/tmp/aggop-cluster"),
		env("AGGOP_KUBE_BIN", kubeBin),
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
	// hack/kube-binaries.sh and hack/build-tool.sh record how long the (cached) binaries took to build.
	for _, dir := range []string{cfg.KubeBin, env("AGGOP_OLM_BIN", ""), filepath.Join(repo, "bin")} {
		if b, err := os.ReadFile(filepath.Join(dir, "build-times.txt")); dir != "" && err == nil {
			for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
				fmt.Printf("  binaries (cached in %s): %s\n", dir, strings.TrimPrefix(l, ">> "))
			}
		}
	}
	for _, k := range timings.order {
		fmt.Printf("  %-45s %s\n", k, timings.d[k].Round(time.Millisecond))
	}
	for _, n := range timings.notes {
		fmt.Println("  " + n)
	}
}
