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
	"context"
	"fmt"

	"github.com/cert-manager/cert-manager/internal/apis/config/webhook/validation"
	cmwebhook "github.com/cert-manager/cert-manager/internal/webhook"
	logf "github.com/cert-manager/cert-manager/pkg/logs"
	"github.com/cert-manager/cert-manager/pkg/webhook/options"
	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// runWebhook serves cert-manager's admission webhook (validation of every cert-manager resource,
// CertificateRequest identity and approval checks). Its flags are upstream's own (pkg/webhook/options),
// e.g. --dynamic-serving-ca-secret-name: the webhook then keeps its own CA in that Secret and signs
// its serving certificate with it, and cainjector copies that CA into the webhook configurations.
func runWebhook(ctx context.Context, args []string) error {
	cfg, err := options.NewWebhookConfiguration()
	if err != nil {
		return fmt.Errorf("building the default webhook configuration: %w", err)
	}
	fs := pflag.NewFlagSet("webhook", pflag.ContinueOnError)
	options.AddConfigFlags(fs, cfg)
	if err := parseFlags(fs, args, &cfg.Logging, cfg.FeatureGates, func() field.ErrorList {
		return validation.ValidateWebhookConfiguration(cfg, nil)
	}); err != nil {
		return err
	}
	srv, err := cmwebhook.NewCertManagerWebhookServer(logf.FromContext(ctx), *cfg)
	if err != nil {
		return fmt.Errorf("building the webhook server: %w", err)
	}
	return srv.Run(ctx)
}
