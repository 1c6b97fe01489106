//go:build e2e

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

package e2e

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"example.com/aggregation-operator/test/cluster"
)

// cmNS holds the test's Issuers and Certificates; cmHook is a ValidatingWebhookConfiguration and
// cmAPIService an APIService that only exist to receive a CA from cainjector.
const (
	cmNS         = "e2e-cert-manager"
	cmHook       = "e2e-cert-manager-inject"
	cmAPIService = "v1.inject.e2e.example.com"
)

// TestCertManager installs the cert-manager test bed (controller, cainjector and webhook as pods,
// built from cert-manager's packages), uses it the way the operator's cert-manager mode will, and
// uninstalls it, leaving the cluster holding exactly the objects it held before.
func TestCertManager(t *testing.T) {
	crdDir := cluster.CertManagerCRDDir()
	if _, err := os.Stat(filepath.Join(cfg.ImagesDir, cluster.TarballName(cluster.CertManagerImage))); err != nil {
		t.Fatalf("the cert-manager image is missing (make cert-manager-binaries images): %v", err)
	}
	// The snapshot is taken on a settled cluster: right after boot the kubelet may not have made its
	// node Lease yet, and an earlier test's namespace may still be terminating.
	eventually(t, 3*time.Minute, "the node Lease and no terminating namespace", func() (bool, string) {
		if _, err := cfg.KubectlOutput(t.Context(), "", "-n", "kube-node-lease", "get", "lease", cfg.NodeName); err != nil {
			return false, err.Error()
		}
		terminating, err := cfg.KubectlOutput(t.Context(), "", "get", "namespaces", "-o",
			`jsonpath={.items[?(@.status.phase=="Terminating")].metadata.name}`)
		return err == nil && terminating == "", fmt.Sprintf("terminating: %q %v", terminating, err)
	})
	before, err := cfg.ObjectNames(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	uninstalled := false
	t.Cleanup(func() {
		if !uninstalled {
			// t.Context() is already canceled when cleanups run.
			uninstallCertManager(context.Background(), t, crdDir)
		}
	})
	// Runs before the uninstall above (cleanups run last first): the operator's objects need it.
	t.Cleanup(func() { cleanupCertManagerMode(t) })
	d, err := cfg.InstallCertManager(t.Context(), crdDir)
	if err != nil {
		t.Fatal(err)
	}
	record("cert-manager install -> webhook answering", d)

	steps := []struct {
		name string
		fn   func(*testing.T)
	}{
		{"controller, cainjector and webhook pods are Ready", certManagerPodsReady},
		{"a self-signed -> CA chain issues a serving certificate that verifies", issueServingCertificate},
		{"cainjector injects the CA into an annotated webhook configuration and APIService", injectCA},
		{"a renewal requested as cmctl renew does it issues a new certificate", renewByIssuingCondition},
		{"deleting the serving Secret issues a new certificate", renewBySecretDeletion},
		// The operator's cert-manager mode on the same cert-manager (certmanager_mode_test.go).
		{"the operator deploys with make deploy and becomes Ready", deployOperator},
		{"a CustomApiServer in cert-manager mode is served through cainjector's caBundle", certManagerModeServed},
		{"a cert-manager renewal fails no request through the aggregator", certManagerModeRenewal},
		{"the CustomApiServer and the operator go", removeCertManagerMode},
		{"uninstall leaves the cluster as it was", func(t *testing.T) {
			uninstalled = true
			uninstallCertManager(t.Context(), t, crdDir)
			eventually(t, 2*time.Minute, "the cluster to hold the objects it held before", func() (bool, string) {
				after, err := cfg.ObjectNames(t.Context())
				if err != nil {
					return false, err.Error()
				}
				added, removed := cluster.DiffObjectNames(before, after)
				return len(added)+len(removed) == 0, fmt.Sprintf("left behind: %v; gone: %v", added, removed)
			})
			// ObjectNames leaves Events out; none that cert-manager recorded may stay either.
			events := kubectl(t, "get", "events", "-A", "-o",
				`jsonpath={range .items[*]}{.source.component}{.reportingComponent} {.involvedObject.kind} {.metadata.namespace}/{.involvedObject.name}{"\n"}{end}`)
			for _, e := range strings.Split(events, "\n") {
				if strings.Contains(e, "cert-manager") {
					t.Errorf("an Event of cert-manager is left: %s", e)
				}
			}
		}},
	}
	for i, s := range steps {
		// The chain the later steps renew is issued in step 2.
		if !t.Run(s.name, s.fn) && i < 2 {
			t.Fatalf("step %q failed; later steps depend on it", s.name)
		}
	}
}

func uninstallCertManager(ctx context.Context, t *testing.T, crdDir string) {
	start := time.Now()
	// The APIService goes first: while it is unavailable, namespace deletion cannot complete.
	kubectl(t, "delete", "validatingwebhookconfiguration/"+cmHook, "apiservice/"+cmAPIService, "--ignore-not-found")
	kubectl(t, "delete", "namespace", cmNS, "--ignore-not-found", "--timeout=2m")
	if err := cfg.UninstallCertManager(ctx, crdDir); err != nil {
		t.Fatal(err)
	}
	record("cert-manager uninstall", time.Since(start))
}

func certManagerPodsReady(t *testing.T) {
	var pods struct {
		Items []struct {
			Metadata struct{ Name string }
			Spec     struct{ Containers []struct{ Image string } }
			Status   struct {
				Conditions []condition
			}
		}
	}
	kubectlJSON(t, &pods, "-n", cluster.CertManagerNamespace, "get", "pods")
	if len(pods.Items) != 3 {
		t.Fatalf("%d pods in %s, want controller, cainjector and webhook", len(pods.Items), cluster.CertManagerNamespace)
	}
	for _, p := range pods.Items {
		if c := findCondition(p.Status.Conditions, "Ready"); c.Status != "True" {
			t.Errorf("pod %s: Ready=%s (%s)", p.Metadata.Name, c.Status, c.Message)
		}
		if img := p.Spec.Containers[0].Image; img != cluster.CertManagerImage {
			t.Errorf("pod %s runs %s, want %s", p.Metadata.Name, img, cluster.CertManagerImage)
		}
	}
}

// issueServingCertificate builds the chain the operator makes when no issuerRef is given:
// self-signed Issuer -> CA Certificate -> CA Issuer -> serving Certificate with the Service's names.
func issueServingCertificate(t *testing.T) {
	kubectl(t, "create", "namespace", cmNS)
	start := time.Now()
	kubectlApply(t, `apiVersion: cert-manager.io/v1
kind: Issuer
metadata: {name: selfsigned, namespace: `+cmNS+`}
spec: {selfSigned: {}}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: ca, namespace: `+cmNS+`}
spec:
  isCA: true
  commonName: e2e-ca
  secretName: ca
  privateKey: {algorithm: ECDSA, size: 256}
  issuerRef: {name: selfsigned, kind: Issuer, group: cert-manager.io}
---
apiVersion: cert-manager.io/v1
kind: Issuer
metadata: {name: ca, namespace: `+cmNS+`}
spec: {ca: {secretName: ca}}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: serving, namespace: `+cmNS+`}
spec:
  secretName: serving
  dnsNames: [api, api.`+cmNS+`, api.`+cmNS+`.svc, api.`+cmNS+`.svc.cluster.local]
  duration: 2h
  renewBefore: 1h
  usages: [server auth, digital signature]
  privateKey: {algorithm: ECDSA, size: 256, rotationPolicy: Always}
  issuerRef: {name: ca, kind: Issuer, group: cert-manager.io}
`)
	kubectl(t, "-n", cmNS, "wait", "--for=condition=Ready", "certificate/ca", "certificate/serving", "--timeout=2m")
	record("cert-manager CA chain + serving certificate issued", time.Since(start))
	verifyServing(t)
}

// verifyServing checks that the serving Secret holds a server certificate for the Service's name
// that verifies against the CA Certificate's, and that its ca.crt is that CA; it returns the leaf.
func verifyServing(t *testing.T) *x509.Certificate {
	t.Helper()
	ca := secretCert(t, "ca", "tls.crt")
	leaf := secretCert(t, "serving", "tls.crt")
	if caCrt := secretCert(t, "serving", "ca.crt"); !caCrt.Equal(ca) {
		t.Errorf("the serving Secret's ca.crt (%s) is not the CA (%s)", caCrt.Subject, ca.Subject)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: "api." + cmNS + ".svc", KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
		t.Errorf("the serving certificate does not verify against the CA: %v", err)
	}
	return leaf
}

// secretCert decodes the PEM certificate under key of a Secret in cmNS.
func secretCert(t *testing.T, secret, key string) *x509.Certificate {
	t.Helper()
	return secretCertIn(t, cmNS, secret, key)
}

// secretCertIn decodes the PEM certificate under key of Secret ns/secret.
func secretCertIn(t *testing.T, ns, secret, key string) *x509.Certificate {
	t.Helper()
	b64 := kubectl(t, "-n", ns, "get", "secret", secret, "-o", "jsonpath={.data."+strings.ReplaceAll(key, ".", `\.`)+"}")
	return parseCert(t, b64, "Secret "+ns+"/"+secret+" "+key)
}

func parseCert(t *testing.T, b64, what string) *x509.Certificate {
	t.Helper()
	der, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	block, _ := pem.Decode(der)
	if block == nil {
		t.Fatalf("%s holds no PEM certificate", what)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return cert
}

// injectCA annotates objects of the two kinds the operator cares about with
// cert-manager.io/inject-ca-from and waits for the CA of the serving Certificate to appear in them.
func injectCA(t *testing.T) {
	from := cmNS + "/serving"
	start := time.Now()
	kubectlApply(t, `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: `+cmHook+`
  annotations: {cert-manager.io/inject-ca-from: `+from+`}
webhooks:
- name: inject.e2e.example.com
  rules:
  - {apiGroups: [inject.e2e.example.com], apiVersions: [v1], operations: [CREATE], resources: [nothings]}
  clientConfig:
    service: {name: api, namespace: `+cmNS+`, path: /validate}
  admissionReviewVersions: [v1]
  sideEffects: None
  failurePolicy: Ignore
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata:
  name: `+cmAPIService+`
  annotations: {cert-manager.io/inject-ca-from: `+from+`}
spec:
  group: inject.e2e.example.com
  version: v1
  groupPriorityMinimum: 100
  versionPriority: 100
  service: {name: api, namespace: `+cmNS+`, port: 443}
`)
	want := secretCert(t, "ca", "tls.crt")
	for _, obj := range []struct{ ref, path string }{
		{"validatingwebhookconfiguration/" + cmHook, "{.webhooks[0].clientConfig.caBundle}"},
		{"apiservice/" + cmAPIService, "{.spec.caBundle}"},
	} {
		eventually(t, time.Minute, "cainjector to inject the CA into "+obj.ref, func() (bool, string) {
			b64, err := cfg.KubectlOutput(t.Context(), "", "get", obj.ref, "-o", "jsonpath="+obj.path)
			if err != nil || b64 == "" {
				return false, fmt.Sprintf("caBundle %q %v", b64, err)
			}
			if got := parseCert(t, b64, obj.ref+" caBundle"); !got.Equal(want) {
				return false, "caBundle holds " + got.Subject.String()
			}
			return true, ""
		})
	}
	record("cert-manager cainjector injection (webhook + APIService)", time.Since(start))
	// The APIService has no server behind it; an unavailable API group must not outlive the check.
	kubectl(t, "delete", "apiservice", cmAPIService)
}

// renewByIssuingCondition does what `cmctl renew` does: it sets the Certificate's Issuing
// condition, and cert-manager issues a new certificate (a new key: rotationPolicy Always).
func renewByIssuingCondition(t *testing.T) {
	old := verifyServing(t)
	start := time.Now()
	requestRenewal(t, cmNS, "serving")
	waitRenewed(t, old)
	record("cert-manager renewal (Issuing condition) -> new certificate", time.Since(start))
}

// requestRenewal sets the Issuing condition of Certificate ns/name, as `cmctl renew` does.
func requestRenewal(t *testing.T, ns, name string) {
	t.Helper()
	kubectl(t, "-n", ns, "patch", "certificate", name, "--subresource=status", "--type=json", "-p",
		`[{"op":"add","path":"/status/conditions/-","value":{"type":"Issuing","status":"True","reason":"ManuallyTriggered","message":"e2e: renewal requested","lastTransitionTime":"`+
			time.Now().UTC().Format(time.RFC3339)+`"}}]`)
}

// renewBySecretDeletion: a deleted serving Secret (a GitOps prune) is issued again.
func renewBySecretDeletion(t *testing.T) {
	old := verifyServing(t)
	start := time.Now()
	kubectl(t, "-n", cmNS, "delete", "secret", "serving")
	waitRenewed(t, old)
	record("cert-manager serving Secret deleted -> new certificate", time.Since(start))
}

// waitRenewed waits until the serving Secret holds a certificate other than old, the Certificate
// is Ready again, and the new certificate verifies against the CA.
func waitRenewed(t *testing.T, old *x509.Certificate) {
	t.Helper()
	eventually(t, 2*time.Minute, "a new serving certificate", func() (bool, string) {
		b64, err := cfg.KubectlOutput(t.Context(), "", "-n", cmNS, "get", "secret", "serving", "-o", `jsonpath={.data.tls\.crt}`)
		if err != nil || b64 == "" {
			return false, fmt.Sprintf("serving Secret: %v", err)
		}
		if parseCert(t, b64, "serving tls.crt").Equal(old) {
			return false, "still the old certificate, serial " + old.SerialNumber.String()
		}
		return true, ""
	})
	kubectl(t, "-n", cmNS, "wait", "--for=condition=Ready", "certificate/serving", "--timeout=1m")
	if leaf := verifyServing(t); leaf.SerialNumber.Cmp(old.SerialNumber) == 0 {
		t.Errorf("the new certificate has the old serial %s", old.SerialNumber)
	}
}
