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
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"example.com/aggregation-operator/internal/poll"
)

// Down stops the cluster and removes everything it made: processes, containers, mounts, links,
// iptables rules and chains, cgroups, host settings. It is idempotent and works on a crashed cluster.
// Logs stay in StateDir/logs for a post-mortem.
func (c Config) Down(ctx context.Context) (time.Duration, error) {
	start := time.Now()
	var errs []error
	keep := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	if _, ok := c.running("kubelet"); ok {
		c.drainPods(ctx)
	}
	keep(c.stop("kube-proxy", 10*time.Second))
	if _, err := os.Stat(c.bin("kube-proxy")); err == nil {
		// Removes kube-proxy's chains in iptables and ip6tables (and nftables when used).
		_, _ = run(ctx, c.bin("kube-proxy"), "--cleanup")
	}
	keep(c.stop("kubelet", 10*time.Second))
	killCgroupProcs()
	for _, name := range []string{"prometheus", "registry", "containerd", "kube-scheduler", "kube-controller-manager", "kube-apiserver", "etcd"} {
		keep(c.stop(name, 15*time.Second))
	}
	keep(c.killStrays())
	keep(c.unmountAll())
	errs = append(errs, c.teardownNetwork(ctx)...)
	keep(removeCgroups())
	keep(c.restoreHost())
	keep(c.removeState())
	d := time.Since(start)
	if len(errs) > 0 {
		return d, fmt.Errorf("tearing down the cluster: %w", errors.Join(errs...))
	}
	return d, nil
}

// drainPods deletes every pod while the kubelet still runs, so sandboxes get a proper CNI teardown.
// Controllers are stopped first so nothing recreates them. Bounded; what is left is killed after.
func (c Config) drainPods(ctx context.Context) {
	_ = c.stop("kube-controller-manager", 10*time.Second)
	_ = c.stop("kube-scheduler", 10*time.Second)
	if _, err := c.KubectlOutput(ctx, "", "delete", "pods", "--all", "--all-namespaces", "--force", "--grace-period=0", "--wait=false"); err != nil {
		c.logf("deleting pods: %v", err)
		return
	}
	err := poll.Until(ctx, "pod sandboxes to stop", 30*time.Second, func(ctx context.Context) error {
		out, err := run(ctx, "ctr", "--address", c.containerdSock(), "-n", "k8s.io", "tasks", "ls", "-q")
		if err == nil && strings.TrimSpace(out) != "" {
			err = fmt.Errorf("tasks still running: %s", strings.Fields(out))
		}
		return err
	})
	if err != nil {
		c.logf("%v; killing what is left", err)
	}
}

// killCgroupProcs kills every process in the kubelet's pod cgroups (containers left by a crash).
func killCgroupProcs() {
	for _, root := range kubepodsDirs() {
		_ = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || d.Name() != "cgroup.procs" {
				return nil
			}
			data, _ := os.ReadFile(path)
			for _, f := range strings.Fields(string(data)) {
				if pid, err := strconv.Atoi(f); err == nil {
					_ = syscall.Kill(pid, syscall.SIGKILL)
				}
			}
			return nil
		})
	}
}

// killStrays kills the cluster's leftover processes (containerd shims outlive containerd; a crashed
// run leaves components without pid files) and waits for them, bounded.
func (c Config) killStrays() error {
	pids := c.clusterProcesses()
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	for _, pid := range pids {
		if !waitGone(pid, 10*time.Second) {
			return fmt.Errorf("process %d (started by the cluster) survived SIGKILL", pid)
		}
	}
	return nil
}

// unmountAll detaches, deepest first, every mount under the state dir, the CNI network namespaces
// and containerd's fixed runtime dir.
func (c Config) unmountAll() error {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return fmt.Errorf("reading mounts: %w", err)
	}
	defer f.Close()
	var targets []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		mp := unescapeMount(fields[4])
		if strings.HasPrefix(mp, c.StateDir+"/") || strings.HasPrefix(mp, "/run/netns/cni-") || strings.HasPrefix(mp, "/run/containerd/") {
			targets = append(targets, mp)
		}
	}
	sort.Slice(targets, func(i, j int) bool { return len(targets[i]) > len(targets[j]) })
	var errs []error
	for _, mp := range targets {
		if err := unix.Unmount(mp, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
			errs = append(errs, fmt.Errorf("unmounting %s: %w", mp, err))
		}
	}
	netns, _ := filepath.Glob("/run/netns/cni-*")
	for _, n := range netns {
		_ = os.Remove(n)
	}
	return errors.Join(errs...)
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// kubepodsDirs lists the kubelet's pod cgroup trees in every hierarchy.
func kubepodsDirs() []string {
	dirs, _ := filepath.Glob("/sys/fs/cgroup/*/kubepods")
	if d := "/sys/fs/cgroup/kubepods"; isDir(d) {
		dirs = append(dirs, d)
	}
	return dirs
}

// removeCgroups removes the kubepods cgroup trees, children before parents (rmdir is the only way).
func removeCgroups() error {
	var errs []error
	for _, root := range kubepodsDirs() {
		var dirs []string
		_ = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				dirs = append(dirs, path)
			}
			return nil
		})
		sort.Slice(dirs, func(i, j int) bool { return len(dirs[i]) > len(dirs[j]) })
		for _, d := range dirs {
			var err error
			for i := 0; i < 50; i++ { // a just-killed process may take a moment to leave its cgroup
				if err = syscall.Rmdir(d); err == nil || errors.Is(err, syscall.ENOENT) {
					err = nil
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("removing cgroup %s: %w", d, err))
			}
		}
	}
	return errors.Join(errs...)
}

// removeState deletes everything under the state dir but the logs.
func (c Config) removeState() error {
	entries, err := os.ReadDir(c.StateDir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading state dir: %w", err)
	}
	var errs []error
	for _, e := range entries {
		if e.Name() == "logs" || e.Name() == filepath.Base(c.hostStateFile()) {
			continue
		}
		if err := os.RemoveAll(c.path(e.Name())); err != nil {
			errs = append(errs, fmt.Errorf("removing %s: %w", c.path(e.Name()), err))
		}
	}
	return errors.Join(errs...)
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// clusterProcesses are live processes the cluster started: components run from the state dir and
// containerd shims serving its socket. Nothing else (not a `tail -f` of its logs) matches.
func (c Config) clusterProcesses() []int {
	var pids []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cmdline, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if c.ownsPID(pid) || strings.Contains(string(cmdline), c.containerdSock()) {
			pids = append(pids, pid)
		}
	}
	return pids
}
