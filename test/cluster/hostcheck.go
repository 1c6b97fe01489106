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
	"fmt"
	"os"
	"sort"
	"strings"
)

// HostSnapshot is what the cluster may change on the machine. Taken before Up and after Down,
// two snapshots must be equal: the machine is left as it was found.
type HostSnapshot struct {
	Items map[string][]string // kind -> sorted entries
}

// Snapshot records network links, iptables rules, mounts, host settings, pod cgroups, fixed-path
// dirs and the processes started from the state dir.
func (c Config) Snapshot(ctx context.Context) HostSnapshot {
	s := HostSnapshot{Items: map[string][]string{}}
	add := func(kind string, entries ...string) { s.Items[kind] = append(s.Items[kind], entries...) }
	if out, err := run(ctx, "ip", "-o", "link", "show"); err == nil {
		for _, l := range strings.Split(out, "\n") {
			if f := strings.Fields(l); len(f) > 1 {
				add("links", strings.SplitN(strings.TrimSuffix(f[1], ":"), "@", 2)[0])
			}
		}
	}
	for _, ipt := range []string{"iptables", "ip6tables"} {
		for _, table := range []string{"filter", "nat", "mangle", "raw"} {
			if out, err := run(ctx, ipt, "-t", table, "-S"); err == nil {
				add("rules", ruleEntries(ipt, table, out)...)
			}
		}
	}
	if f, err := os.Open("/proc/self/mountinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if fields := strings.Fields(sc.Text()); len(fields) > 4 {
				add("mounts", unescapeMount(fields[4]))
			}
		}
		f.Close()
	}
	for _, k := range hostSysctls {
		v, _ := os.ReadFile("/proc/sys/" + k)
		add("sysctls", k+"="+strings.TrimSpace(string(v)))
	}
	add("cgroups", kubepodsDirs()...)
	for _, d := range hostDirs {
		if _, err := os.Stat(d); err == nil {
			add("dirs", d)
		}
	}
	for _, pid := range c.clusterProcesses() {
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		add("processes", strings.ReplaceAll(string(cmdline), "\x00", " "))
	}
	for k := range s.Items {
		sort.Strings(s.Items[k])
	}
	return s
}

// ruleEntries turns `iptables -S` output into snapshot entries. A built-in chain's ACCEPT policy is left
// out: it filters nothing, and iptables-nft creates such empty tables the first time anything lists
// or uses them (on a machine that just got iptables, the first run would otherwise "add" them).
func ruleEntries(ipt, table, out string) []string {
	var entries []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" || (strings.HasPrefix(l, "-P ") && strings.HasSuffix(l, " ACCEPT")) {
			continue
		}
		entries = append(entries, ipt+" "+table+" "+l)
	}
	return entries
}

// Diff lists what differs between two snapshots, e.g. "links: added aggopbr0".
func (s HostSnapshot) Diff(after HostSnapshot) []string {
	var diffs []string
	kinds := map[string]bool{}
	for k := range s.Items {
		kinds[k] = true
	}
	for k := range after.Items {
		kinds[k] = true
	}
	for k := range kinds {
		before, now := set(s.Items[k]), set(after.Items[k])
		for e := range now {
			if !before[e] {
				diffs = append(diffs, fmt.Sprintf("%s: added %s", k, e))
			}
		}
		for e := range before {
			if !now[e] {
				diffs = append(diffs, fmt.Sprintf("%s: removed %s", k, e))
			}
		}
	}
	sort.Strings(diffs)
	return diffs
}

func set(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}
