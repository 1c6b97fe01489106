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
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// hostSysctls are host settings the cluster changes: the bridge plugin turns on ip_forward and
// the kubelet tunes a few kernel settings at start. Down puts back what Up found.
var hostSysctls = []string{
	"net/ipv4/ip_forward",
	"vm/overcommit_memory",
	"vm/panic_on_oom",
	"kernel/panic",
	"kernel/panic_on_oops",
	"kernel/keys/root_maxkeys",
	"kernel/keys/root_maxbytes",
	"net/ipv4/conf/all/route_localnet",
}

// hostDirs are directories some component creates at a fixed path; Down removes those Up did not find.
var hostDirs = []string{"/var/log/containers", "/var/log/pods", "/run/netns", "/run/containerd", "/var/lib/cni", "/etc/cni", "/var/lib/kubelet", "/opt/containerd"}

// hostState is what Up found, recorded once (a crashed cluster's record survives a second Up).
type hostState struct {
	Sysctls map[string]string `json:"sysctls"`
	Absent  []string          `json:"absentDirs"`
}

func (c Config) hostStateFile() string { return c.path("host-state.json") }

// recordHost saves the host's settings unless an earlier Up already did.
func (c Config) recordHost() error {
	if _, err := os.Stat(c.hostStateFile()); err == nil {
		return nil
	}
	s := hostState{Sysctls: map[string]string{}}
	for _, k := range hostSysctls {
		if v, err := os.ReadFile("/proc/sys/" + k); err == nil {
			s.Sysctls[k] = strings.TrimSpace(string(v))
		}
	}
	for _, d := range hostDirs {
		if _, err := os.Stat(d); os.IsNotExist(err) {
			s.Absent = append(s.Absent, d)
		}
	}
	data, _ := json.MarshalIndent(s, "", "  ")
	if err := os.MkdirAll(c.StateDir, 0o755); err != nil {
		return fmt.Errorf("creating state dir: %w", err)
	}
	if err := os.WriteFile(c.hostStateFile(), data, 0o644); err != nil {
		return fmt.Errorf("recording host state: %w", err)
	}
	return nil
}

// restoreHost puts back the recorded settings and removes the fixed-path dirs we caused.
func (c Config) restoreHost() error {
	data, err := os.ReadFile(c.hostStateFile())
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading host state: %w", err)
	}
	var s hostState
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("parsing %s: %w", c.hostStateFile(), err)
	}
	var errs []string
	for k, v := range s.Sysctls {
		if cur, _ := os.ReadFile("/proc/sys/" + k); strings.TrimSpace(string(cur)) == v {
			continue
		}
		if err := os.WriteFile("/proc/sys/"+k, []byte(v), 0o644); err != nil {
			errs = append(errs, fmt.Sprintf("restoring %s=%s: %v", k, v, err))
		}
	}
	for _, d := range s.Absent {
		if err := os.RemoveAll(d); err != nil {
			errs = append(errs, fmt.Sprintf("removing %s: %v", d, err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("restoring host: %s", strings.Join(errs, "; "))
	}
	return os.Remove(c.hostStateFile())
}
