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
	"context"
	"fmt"
	"io"
	"os/exec"
)

// hostCommands maps each program the node needs to the Debian package providing it.
var hostCommands = map[string]string{
	"containerd":          "containerd",
	"runc":                "runc",
	"iptables":            "iptables",
	"ip":                  "iproute2",
	"/usr/lib/cni/bridge": "containernetworking-plugins",
}

// ensureCommand installs the Debian package pkg when cmd is missing.
func ensureCommand(ctx context.Context, log io.Writer, cmd, pkg string) error {
	if _, err := exec.LookPath(cmd); err == nil {
		return nil
	}
	return aptInstall(ctx, log, []string{pkg})
}

// ensurePackages installs from Debian whatever the node needs and the machine lacks.
func ensurePackages(ctx context.Context, log io.Writer) error {
	var missing []string
	for cmd, pkg := range hostCommands {
		if _, err := exec.LookPath(cmd); err != nil {
			missing = append(missing, pkg)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return aptInstall(ctx, log, missing)
}

func aptInstall(ctx context.Context, log io.Writer, missing []string) error {
	fmt.Fprintf(log, "cluster: installing %v from Debian\n", missing)
	if _, err := run(ctx, "apt-get", "update", "-qq"); err != nil {
		return fmt.Errorf("apt-get update: %w", err)
	}
	args := append([]string{"install", "-y", "-qq", "--no-install-recommends"}, missing...)
	cmd := exec.CommandContext(ctx, "apt-get", args...)
	cmd.Env = append(cmd.Environ(), "DEBIAN_FRONTEND=noninteractive")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("installing %v: %w: %s", missing, err, out)
	}
	return nil
}
