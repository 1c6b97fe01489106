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
	"os"
	"path/filepath"
	"time"

	"example.com/aggregation-operator/internal/kubeversion"
	"example.com/aggregation-operator/internal/poll"
)

// cert-manager test bed: cert-manager's controller, cainjector and webhook built from its Go packages
// (hack/tools/cert-manager, `make cert-manager-binaries`), one image (`make images` with
// -cert-manager-bin), installed the way its Helm chart installs it.
const (
	// CertManagerVersion is the cert-manager hack/tools/cert-manager/go.mod requires (a unit test checks it).
	CertManagerVersion = "v1.20.3"
	// CertManagerImage holds the multi-call binary; the first argument picks controller, cainjector or webhook.
	CertManagerImage = "local.test/cert-manager:" + CertManagerVersion
	// CertManagerNamespace is where the components run (the chart's default namespace).
	CertManagerNamespace = "cert-manager"
	// CertManagerLeaseNamespace holds the leader election Leases, as the chart has it.
	CertManagerLeaseNamespace = "kube-system"
)

// certManagerLeases are the Leases the controller and cainjector elect their leaders with.
var certManagerLeases = []string{"cert-manager-controller", "cert-manager-cainjector-leader-election"}

// CertManagerBinDir is where `make cert-manager-binaries` puts the binary and crds/:
// $AGGOP_CERT_MANAGER_BIN, else bin/cert-manager/<version> in this repository.
func CertManagerBinDir() string {
	if dir := os.Getenv("AGGOP_CERT_MANAGER_BIN"); dir != "" {
		return abs(dir)
	}
	return filepath.Join(kubeversion.Root(), "bin", "cert-manager", CertManagerVersion)
}

// CertManagerCRDDir holds cert-manager's CRDs (deploy/crds of its module), for envtest's
// CRDDirectoryPaths and InstallCertManager. `make cert-manager-crds` fills it without building.
func CertManagerCRDDir() string { return filepath.Join(CertManagerBinDir(), "crds") }

// InstallCertManager installs cert-manager's CRDs from crdDir, its RBAC and its components (image
// CertManagerImage, imported by Up), and waits until cert-manager is usable: every Deployment
// rolled out, cainjector has put the webhook's CA into both webhook configurations, and the
// webhook admits a server-side dry-run Issuer. It returns the time from the first apply to usable.
func (c Config) InstallCertManager(ctx context.Context, crdDir string) (time.Duration, error) {
	start := time.Now()
	if _, err := c.KubectlOutput(ctx, "", "apply", "--server-side", "-f", crdDir); err != nil {
		return 0, fmt.Errorf("applying cert-manager CRDs from %s: %w", crdDir, err)
	}
	if _, err := c.KubectlOutput(ctx, "", "wait", "--for=condition=Established", "--timeout=60s", "-f", crdDir); err != nil {
		return 0, fmt.Errorf("waiting for cert-manager CRDs: %w", err)
	}
	if _, err := c.KubectlOutput(ctx, c.certManagerManifest(), "apply", "--server-side", "-f", "-"); err != nil {
		return 0, fmt.Errorf("applying cert-manager: %w", err)
	}
	for _, d := range []string{"cert-manager", "cert-manager-cainjector", "cert-manager-webhook"} {
		if _, err := c.KubectlOutput(ctx, "", "-n", CertManagerNamespace, "rollout", "status", "deployment/"+d, "--timeout=180s"); err != nil {
			return 0, fmt.Errorf("waiting for cert-manager: %w", err)
		}
	}
	if err := c.waitCertManagerWebhook(ctx); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

func (c Config) certManagerManifest() string {
	// The namespace first: kubectl applies in order, and the RBAC has Roles in it.
	ns := fmt.Sprintf("apiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n", CertManagerNamespace)
	return ns + "---\n" + certManagerRBAC() + "---\n" + certManagerWorkloads(CertManagerImage)
}

// waitCertManagerWebhook waits until cainjector has injected the webhook's CA and the
// kube-apiserver gets an answer from the webhook (cmctl check api does the same dry run).
func (c Config) waitCertManagerWebhook(ctx context.Context) error {
	err := poll.Until(ctx, "cainjector to inject the webhook CA", 2*time.Minute, func(ctx context.Context) error {
		ca, err := c.KubectlOutput(ctx, "", "-n", CertManagerNamespace, "get", "secret", "cert-manager-webhook-ca", "-o", `jsonpath={.data.ca\.crt}`)
		if err != nil || ca == "" {
			return fmt.Errorf("webhook CA Secret: %q %v", ca, err)
		}
		for _, kind := range []string{"validatingwebhookconfiguration", "mutatingwebhookconfiguration"} {
			bundle, err := c.KubectlOutput(ctx, "", "get", kind, "cert-manager-webhook", "-o", "jsonpath={.webhooks[0].clientConfig.caBundle}")
			if err != nil || bundle != ca {
				return fmt.Errorf("%s caBundle is not the webhook CA yet (%v)", kind, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	issuer := fmt.Sprintf("apiVersion: cert-manager.io/v1\nkind: Issuer\nmetadata: {name: webhook-check, namespace: %s}\nspec: {selfSigned: {}}\n", CertManagerNamespace)
	return poll.Until(ctx, "the cert-manager webhook to admit a dry-run Issuer", 2*time.Minute, func(ctx context.Context) error {
		_, err := c.KubectlOutput(ctx, issuer, "create", "--dry-run=server", "-f", "-")
		return err
	})
}

// UninstallCertManager removes everything InstallCertManager made and what cert-manager made
// itself outside its namespace (its Leases and their Events): the webhook configurations first,
// so that nothing calls a webhook being deleted, then the CRDs (with every cert-manager object),
// then the components, RBAC and namespace. Every delete waits until the objects are gone.
func (c Config) UninstallCertManager(ctx context.Context, crdDir string) error {
	if _, err := c.KubectlOutput(ctx, "", "delete", "--ignore-not-found",
		"validatingwebhookconfiguration/cert-manager-webhook", "mutatingwebhookconfiguration/cert-manager-webhook"); err != nil {
		return fmt.Errorf("deleting cert-manager's webhook configurations: %w", err)
	}
	if _, err := c.KubectlOutput(ctx, "", "delete", "--ignore-not-found", "-f", crdDir); err != nil {
		return fmt.Errorf("deleting cert-manager CRDs: %w", err)
	}
	if _, err := c.KubectlOutput(ctx, c.certManagerManifest(), "delete", "--ignore-not-found", "-f", "-"); err != nil {
		return fmt.Errorf("deleting cert-manager: %w", err)
	}
	// The pods are gone now, so nothing renews the Leases or records Events about them any more.
	leases := append([]string{"-n", CertManagerLeaseNamespace, "delete", "lease", "--ignore-not-found"}, certManagerLeases...)
	if _, err := c.KubectlOutput(ctx, "", leases...); err != nil {
		return fmt.Errorf("deleting cert-manager's leader election Leases: %w", err)
	}
	for _, l := range certManagerLeases {
		if _, err := c.KubectlOutput(ctx, "", "-n", CertManagerLeaseNamespace, "delete", "events",
			"--field-selector=involvedObject.kind=Lease,involvedObject.name="+l); err != nil {
			return fmt.Errorf("deleting the Events of Lease %s: %w", l, err)
		}
	}
	return nil
}
