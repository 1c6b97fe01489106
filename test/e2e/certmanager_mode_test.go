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
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// The operator's cert-manager mode on the real cert-manager: a CustomApiServer without an issuerRef (the
// operator's self-signed -> CA -> serving chain), embedded storage, its own API group.
const (
	cmModeName       = "e2e-cm"
	cmModeNS         = "e2e-cm"
	cmModeGroup      = "certmanager.example.com"
	cmModeAPIService = "v1." + cmModeGroup
	cmModeServing    = cmModeName + "-serving-cert"    // Certificate and Secret
	cmModeCA         = cmModeName + "-cert-manager-ca" // Certificate and Secret
	cmModeList       = "/apis/" + cmModeGroup + "/v1/namespaces/default/metricsnapshots"
)

func certManagerModeServed(t *testing.T) {
	start := time.Now()
	kubectlApply(t, `apiVersion: aggregation.example.com/v1alpha1
kind: CustomApiServer
metadata: {name: `+cmModeName+`}
spec:
  namespace: `+cmModeNS+`
  replicas: 1
  storage: {embedded: {}}
  # The source is never reached: MetricSnapshots only need it configured.
  args: ["--api-group=`+cmModeGroup+`", "--source=prometheus=http://127.0.0.1:9"]
  apiServices:
  - {group: `+cmModeGroup+`, version: v1}
  certificates:
    duration: 2h
    renewBefore: 1h
    certManager: {}
`)
	waitAllTrue(t, cmModeName, 4*time.Minute)
	record("cert-manager mode CustomApiServer -> Ready", time.Since(start))

	// The caBundle is the chain's CA, put there by cainjector, which alone manages the field.
	var svc struct {
		Metadata struct {
			Annotations   map[string]string `json:"annotations"`
			ManagedFields []struct {
				Manager  string          `json:"manager"`
				FieldsV1 json.RawMessage `json:"fieldsV1"`
			} `json:"managedFields"`
		} `json:"metadata"`
		Spec struct {
			CABundle string `json:"caBundle"`
		} `json:"spec"`
		Status struct {
			Conditions []condition `json:"conditions"`
		} `json:"status"`
	}
	kubectlJSON(t, &svc, "get", "apiservice", cmModeAPIService, "--show-managed-fields")
	if c := findCondition(svc.Status.Conditions, "Available"); c.Status != "True" {
		t.Errorf("APIService %s Available=%s (%s)", cmModeAPIService, c.Status, c.Message)
	}
	if got, want := svc.Metadata.Annotations["cert-manager.io/inject-ca-from"], cmModeNS+"/"+cmModeServing; got != want {
		t.Errorf("APIService annotation cert-manager.io/inject-ca-from=%q, want %q", got, want)
	}
	ca := secretCertIn(t, cmModeNS, cmModeCA, "tls.crt")
	if got := parseCert(t, svc.Spec.CABundle, "APIService caBundle"); !got.Equal(ca) {
		t.Errorf("APIService caBundle holds %s, want the chain's CA %s", got.Subject, ca.Subject)
	}
	var managers []string
	for _, m := range svc.Metadata.ManagedFields {
		if strings.Contains(string(m.FieldsV1), `"f:caBundle"`) {
			managers = append(managers, m.Manager)
		}
	}
	t.Logf("spec.caBundle managed by %v", managers)
	if len(managers) != 1 || managers[0] == "aggregation-operator" {
		t.Errorf("spec.caBundle managed by %v, want cainjector alone", managers)
	}

	// kubectl through the aggregator.
	kubectlApply(t, `apiVersion: `+cmModeGroup+`/v1
kind: MetricSnapshot
metadata: {name: cm-snapshot, namespace: default}
spec: {source: prometheus, metrics: [up], interval: 1m}
`)
	resource := "metricsnapshots." + cmModeGroup
	if r := findRow(t, kubectl(t, "-n", "default", "get", resource), "cm-snapshot"); len(r) < 2 || r[1] != "prometheus" {
		t.Errorf("kubectl get %s: row %v, want cm-snapshot with source prometheus", resource, r)
	}
}

// certManagerModeRenewal renews the serving certificate as `cmctl renew` does while requests go through
// the aggregator, until the pod serves the new certificate and 50 more requests went through.
func certManagerModeRenewal(t *testing.T) {
	old := secretCertIn(t, cmModeNS, cmModeServing, "tls.crt")
	loop := startRequestLoop(t, cmModeList, 20000)
	start := time.Now()
	requestRenewal(t, cmModeNS, cmModeServing)
	var leaf *x509.Certificate
	eventually(t, 2*time.Minute, "cert-manager to write a new serving certificate", func() (bool, string) {
		b64, err := cfg.KubectlOutput(t.Context(), "", "-n", cmModeNS, "get", "secret", cmModeServing, "-o", `jsonpath={.data.tls\.crt}`)
		if err != nil || b64 == "" {
			return false, fmt.Sprintf("serving Secret: %v", err)
		}
		leaf = parseCert(t, b64, "serving tls.crt")
		return !leaf.Equal(old), "still serial " + old.SerialNumber.String()
	})
	record("cert-manager mode: renewal requested -> new Secret", time.Since(start))
	ip := podIP(t, cmModeNS, cmModeName)
	// The kubelet refreshes the mounted Secret within about a minute; the apiserver then reloads it.
	eventually(t, 3*time.Minute, "the apiserver pod to serve the new certificate", func() (bool, string) {
		served, err := servedCert(ip + ":6443")
		if err != nil {
			return false, err.Error()
		}
		return served.Equal(leaf), "serves serial " + served.SerialNumber.String() + ", want " + leaf.SerialNumber.String()
	})
	record("cert-manager mode: renewal requested -> pod serves it", time.Since(start))
	target := loop.count() + 50
	eventually(t, time.Minute, "50 more requests", func() (bool, string) { return loop.count() >= target, "" })
	sent, failed, errs := loop.stop()
	note("cert-manager renewal: requests via the aggregator", fmt.Sprintf("sent %d, failed %d", sent, failed))
	t.Logf("requests through the aggregator during the renewal: sent %d, failed %d", sent, failed)
	if failed != 0 || sent < 50 {
		t.Errorf("requests during the renewal: sent %d, failed %d (want 0 failed of at least 50); first failures:\n%s", sent, failed, strings.Join(errs, "\n"))
	}
	// The status follows the Certificate.
	var cas struct {
		Status struct {
			Certificates struct {
				ServingNotAfter time.Time `json:"servingNotAfter"`
			} `json:"certificates"`
		} `json:"status"`
	}
	eventually(t, time.Minute, "status.certificates.servingNotAfter of the new certificate", func() (bool, string) {
		kubectlJSON(t, &cas, "get", "customapiserver", cmModeName)
		got := cas.Status.Certificates.ServingNotAfter
		return got.Equal(leaf.NotAfter.Truncate(time.Second)), fmt.Sprintf("%v, want %v", got, leaf.NotAfter)
	})
}

// servedCert is the leaf certificate the server at addr presents.
func servedCert(addr string) (*x509.Certificate, error) {
	d := &net.Dialer{Timeout: 5 * time.Second}
	conn, err := tls.DialWithDialer(d, "tcp", addr, &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // only reads the certificate
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	certs := conn.ConnectionState().PeerCertificates
	if len(certs) == 0 {
		return nil, errors.New("no certificate presented")
	}
	return certs[0], nil
}

func removeCertManagerMode(t *testing.T) {
	kubectl(t, "-n", "default", "delete", "metricsnapshots."+cmModeGroup, "cm-snapshot", "--ignore-not-found")
	kubectl(t, "delete", "customapiserver", cmModeName, "--timeout=3m")
	eventually(t, 2*time.Minute, "namespace "+cmModeNS+" (made by the operator) gone", func() (bool, string) {
		out, _ := cfg.KubectlOutput(t.Context(), "", "get", "namespace", cmModeNS, "--ignore-not-found", "-o", "name")
		return out == "", out
	})
	undeployOperator(t.Context(), t)
}

// cleanupCertManagerMode removes what the cert-manager mode steps made, whatever step they stopped at.
func cleanupCertManagerMode(t *testing.T) {
	ctx := context.Background()
	if out, _ := cfg.KubectlOutput(ctx, "", "get", "customapiserver", cmModeName, "--ignore-not-found", "-o", "name"); out != "" {
		if _, err := cfg.KubectlOutput(ctx, "", "delete", "customapiserver", cmModeName, "--timeout=3m"); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	}
	undeployOperator(ctx, t)
}

// undeployOperator runs make undeploy (the operator, its namespace and the CRD), if it is there.
func undeployOperator(ctx context.Context, t *testing.T) {
	if out, _ := cfg.KubectlOutput(ctx, "", "get", "namespace", operatorNamespace, "--ignore-not-found", "-o", "name"); out == "" {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "make", "-C", repo, "--no-print-directory", "undeploy")
	cmd.Env = append(os.Environ(), "KUBECONFIG="+cfg.Kubeconfig())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("make undeploy: %v\n%s", err, out)
	}
}
