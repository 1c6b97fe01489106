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

// Run builds and runs the server until ctx ends.
func (o *Options) Run(ctx context.Context) error {
	if o.tempDataDir {
		defer func() { _ = os.RemoveAll(o.DataDir) }()
	}
	cfg, err := o.Config()
	if err != nil {
		return err
	}
	s, err := cfg.Complete().New()
	if err != nil {
		_ = cfg.Extra.Storage.Close()
		return fmt.Errorf("creating server: %w", err)
	}
	return s.Run(ctx)
}
