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
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Usage is what a server has used so far: CPU seconds and resident memory.
type Usage struct {
	CPUSeconds float64
	RSSBytes   int64
}

// Meter reads a server's usage.
type Meter func() (Usage, error)

// podMeter sums the processes of the pod with uid, found through its cgroup (the kubelet's kubepods
// tree, cgroup v1 or v2): CPU and RSS of each from /proc. Its processes run for the whole benchmark, so
// their CPU times cover every request.
func podMeter(uid string) Meter {
	return func() (Usage, error) {
		pids, err := podPIDs(uid)
		if err != nil {
			return Usage{}, err
		}
		var u Usage
		for _, pid := range pids {
			p, err := procUsage(pid)
			if err != nil {
				return Usage{}, err
			}
			u.CPUSeconds += p.CPUSeconds
			u.RSSBytes += p.RSSBytes
		}
		return u, nil
	}
}

// pidMeter reads the host process whose pid is in pidFile (kube-apiserver).
func pidMeter(pidFile string) Meter {
	return func() (Usage, error) {
		b, err := os.ReadFile(pidFile)
		if err != nil {
			return Usage{}, fmt.Errorf("reading pid file: %w", err)
		}
		return procUsage(strings.TrimSpace(string(b)))
	}
}

// procMeter reads one process.
func procMeter(pid string) Meter {
	return func() (Usage, error) { return procUsage(pid) }
}

// podPIDs lists the processes in the cgroups of the pod with uid (the first hierarchy that has it).
func podPIDs(uid string) ([]string, error) {
	roots, _ := filepath.Glob("/sys/fs/cgroup/*/kubepods")
	roots = append([]string{"/sys/fs/cgroup/kubepods"}, roots...)
	names := map[string]bool{"pod" + uid: true, "pod" + strings.ReplaceAll(uid, "-", "_"): true}
	for _, root := range roots {
		var pids []string
		_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || !d.IsDir() || !names[d.Name()] {
				return nil
			}
			pids = append(pids, procsUnder(path)...)
			return filepath.SkipAll
		})
		if len(pids) > 0 {
			return pids, nil
		}
	}
	return nil, fmt.Errorf("no processes of pod %s under the kubepods cgroups", uid)
}

func procsUnder(dir string) []string {
	var pids []string
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Name() == "cgroup.procs" {
			if b, err := os.ReadFile(path); err == nil {
				pids = append(pids, strings.Fields(string(b))...)
			}
		}
		return nil
	})
	return pids
}

// procUsage is the CPU time (user+system, all threads) and VmRSS of pid.
func procUsage(pid string) (Usage, error) {
	stat, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return Usage{}, fmt.Errorf("reading CPU time of process %s: %w", pid, err)
	}
	// The fields after the command (which may hold spaces): utime and stime are the 12th and 13th.
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	if len(f) < 13 {
		return Usage{}, fmt.Errorf("short /proc/%s/stat", pid)
	}
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	const clockTicks = 100 // USER_HZ on Linux
	return Usage{CPUSeconds: (utime + stime) / clockTicks, RSSBytes: rss(pid)}, nil
}

// rss is VmRSS of pid in bytes (0 when it has none or is gone).
func rss(pid string) int64 {
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}
