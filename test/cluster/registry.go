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
	"net/http"
	"os"
	"time"

	"example.com/aggregation-operator/internal/poll"
)

// The node's OCI registry (CNCF distribution), for images the cluster must really pull (OLM's bundle and
// catalog images). containerd resolves MirroredRegistry through it over plain HTTP (see containerdHosts),
// so an image named local.test/x:v1 is pulled from http://<node IP>:5000/v2/x/manifests/v1.
const (
	RegistryPort     = 5000
	MirroredRegistry = "local.test"
)

// RegistryHost is where the node's registry listens (host:port), on the node IP only.
func (c Config) RegistryHost() string { return fmt.Sprintf("%s:%d", c.NodeIP, RegistryPort) }

// containerdHosts is containerd's hosts.toml for MirroredRegistry: pull and resolve from the node's
// registry over plain HTTP. Pulls fail while no registry runs (as they would for the unresolvable name).
func (c Config) containerdHosts() string {
	return fmt.Sprintf(`server = "http://%[1]s"

[host."http://%[1]s"]
  capabilities = ["pull", "resolve"]
`, c.RegistryHost())
}

// StartRegistry runs the registry binary (built by `make olm-binaries`) as a cluster component (Down stops
// it), storing under the state dir, and waits until it answers /v2/.
func (c Config) StartRegistry(ctx context.Context, binary string) error {
	if _, ok := c.running("registry"); ok {
		return nil
	}
	dir := c.path("registry")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	conf := fmt.Sprintf(`version: 0.1
log: {level: warn, accesslog: {disabled: true}}
storage:
  filesystem: {rootdirectory: %s/data}
  delete: {enabled: true}
http:
  addr: %s
`, dir, c.RegistryHost())
	if err := os.WriteFile(dir+"/config.yml", []byte(conf), 0o644); err != nil {
		return fmt.Errorf("writing registry config: %w", err)
	}
	if err := c.start("registry", binary, "serve", dir+"/config.yml"); err != nil {
		return err
	}
	client := &http.Client{Timeout: 2 * time.Second}
	return poll.Until(ctx, "the registry to answer /v2/", 30*time.Second, poll.HTTPOK(client, "http://"+c.RegistryHost()+"/v2/"))
}

// StopRegistry stops the registry; its data goes with the state dir on Down.
func (c Config) StopRegistry() error { return c.stop("registry", 10*time.Second) }
