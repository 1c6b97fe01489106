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
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/spf13/cobra"
	"k8s.io/klog/v2"

	"example.com/aggregation-operator/apiserver/backend"
)

// NewCommand returns the apiserver command: flags -> Options -> Config -> Server -> Run. It serves
// until ctx ends; tests run it in their process.
func NewCommand(ctx context.Context) *cobra.Command { return newCommand(ctx, nil) }

// NewProcessCommand is NewCommand for the apiserver process: SIGTERM or SIGINT stops it gracefully,
// and a second signal or a shutdown past --shutdown-timeout ends the process (see forcedExit).
func NewProcessCommand() *cobra.Command {
	ctx, forced := signalContext()
	return newCommand(ctx, forced)
}

func newCommand(ctx context.Context, forced *forcedExit) *cobra.Command {
	o := NewOptions()
	o.forced = forced
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

// Run starts the embedded etcd when there is no --etcd-servers (kine with postgres), then builds the server and serves
// until ctx ends. What Run starts is stopped, and a temporary data dir removed, on every return,
// and on a forced exit too.
func (o *Options) Run(ctx context.Context) error {
	done := make(chan struct{})
	defer close(done) // first deferred, so the forced exit stays armed while the others run
	dataDir, removeTemp, err := o.dataDir()
	if err != nil {
		return err
	}
	defer removeTemp()
	if o.forced != nil {
		go o.forced.watch(ctx, done, o.ShutdownDelay+o.ShutdownTimeout, removeTemp)
	}
	if o.Local && !o.Recommended.SecureServing.BindAddress.IsLoopback() {
		klog.FromContext(ctx).Info("WARNING: --local-allow-non-loopback: every host that reaches this address is served as the all-powerful "+LocalUser,
			"bindAddress", o.Recommended.SecureServing.BindAddress.String())
	}

	etcdServers := o.Etcd.StorageConfig.Transport.ServerList
	if o.embedded() {
		etcd, err := backend.StartEmbeddedEtcd(ctx, dataDir)
		if errors.Is(err, backend.ErrDataDirInUse) {
			return fmt.Errorf("%w: stop that server or pass another --data-dir", err)
		}
		if err != nil {
			return err
		}
		defer etcd.Close()
		etcdServers = []string{etcd.URL}
	}
	if o.Storage.postgres() {
		kine, err := backend.StartPostgres(ctx, o.Storage.postgresDSN, dataDir)
		if err != nil {
			return err
		}
		defer kine.Close()
		etcdServers = []string{kine.URL}
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

// dataDir is the embedded etcd's directory (kine's socket's with postgres): --data-dir, or else a
// temporary one, which remove deletes (once, however many times it is called).
func (o *Options) dataDir() (dir string, remove func(), err error) {
	if !o.inProcessStore() || o.DataDir != "" {
		return o.DataDir, func() {}, nil
	}
	dir, err = os.MkdirTemp("", "metricsnapshot-apiserver-")
	if err != nil {
		return "", nil, fmt.Errorf("creating a temporary data dir: %w", err)
	}
	return dir, sync.OnceFunc(func() { _ = os.RemoveAll(dir) }), nil
}
