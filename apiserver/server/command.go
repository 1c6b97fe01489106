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

package server

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"example.com/aggregation-operator/apiserver/backend"
)

// NewCommand returns the apiserver command: flags -> Options -> Config -> Server -> Run.
func NewCommand(ctx context.Context) *cobra.Command {
	o := NewOptions()
	cmd := &cobra.Command{
		Use:          "apiserver",
		Short:        "MetricSnapshot aggregated API server (metrics.example.com/v1, or <api-group>/v1 with --api-group)",
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Complete(cmd.Flags().Changed("bind-address")); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	cmd.SetContext(ctx)
	o.AddFlags(cmd.Flags())
	return cmd
}

// Run starts the embedded etcd when there is no --etcd-servers, then builds the server and serves
// until ctx ends. What Run starts is stopped, and a temporary data dir removed, on every return.
func (o *Options) Run(ctx context.Context) error {
	etcdServers := o.Etcd.StorageConfig.Transport.ServerList
	if o.embedded() {
		dataDir := o.DataDir
		if dataDir == "" {
			dir, err := os.MkdirTemp("", "metricsnapshot-apiserver-")
			if err != nil {
				return fmt.Errorf("creating a temporary data dir: %w", err)
			}
			defer func() { _ = os.RemoveAll(dir) }()
			dataDir = dir
		}
		etcd, err := backend.StartEmbeddedEtcd(dataDir)
		if err != nil {
			return err
		}
		defer etcd.Close()
		etcdServers = []string{etcd.URL}
	}
	cfg, err := o.Config(etcdServers)
	if err != nil {
		return err
	}
	s, err := cfg.Complete().New()
	if err != nil {
		return fmt.Errorf("creating server: %w", err)
	}
	return s.Generic.PrepareRun().RunWithContext(ctx)
}
