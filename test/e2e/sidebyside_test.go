//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

const (
	embeddedName = "e2e-embedded"
	embeddedNS   = "e2e-embedded"
)

// sideBySide runs a second CustomApiServer on embedded storage with one replica next to the sample.
// It claims the sample's group/version, so it must report the conflict and leave the sample's
// APIService alone; its server must still work on its own (as the aggregator would call it).
func sideBySide(t *testing.T) {
	kubectlApply(t, `apiVersion: aggregation.example.com/v1alpha1
kind: CustomApiServer
metadata: {name: `+embeddedName+`}
spec:
  namespace: `+embeddedNS+`
  replicas: 1
  storage: {embedded: {}}
  args: ["--source=prometheus=http://prometheus.`+sampleNS+`.svc:9090"]
  apiServices:
  - {group: metrics.example.com, version: v1}
`)
	t.Cleanup(func() {
		// A failed check must not leave a second claimant of the APIService for the deletion step.
		_, _ = cfg.KubectlOutput(context.Background(), "", "delete", "customapiserver", embeddedName, "--ignore-not-found", "--timeout=3m")
	})
	var cas casStatus
	eventually(t, 3*time.Minute, embeddedName+" running and reporting the APIService conflict", func() (bool, string) {
		kubectlJSON(t, &cas, "get", "customapiserver", embeddedName)
		dep := findCondition(cas.Status.Conditions, "DeploymentAvailable")
		api := findCondition(cas.Status.Conditions, "APIServicesAvailable")
		return dep.Status == "True" && api.Status == "False" && api.Reason == "APIServiceConflict", fmtConditions(cas.Status.Conditions)
	})
	if ns := kubectl(t, "get", "apiservice", apiService, "-o", "jsonpath={.spec.service.namespace}"); ns != sampleNS {
		t.Errorf("APIService %s now points at namespace %q, want the sample's %q", apiService, ns, sampleNS)
	}
	kubectl(t, "-n", "default", "get", "metricsnapshots")

	// The embedded server, called the way the aggregator calls it.
	fp, err := cfg.FrontProxyClientCert()
	if err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("https://%s:6443/apis/metrics.example.com/v1/namespaces/default/metricsnapshots", podIP(t, embeddedNS, embeddedName))
	body := `{"apiVersion":"metrics.example.com/v1","kind":"MetricSnapshot","metadata":{"name":"embedded-check"},` +
		`"spec":{"source":"prometheus","metrics":["up"],"interval":"1m"}}`
	if code, out := asAggregator(t, &fp, http.MethodPost, base, body); code != http.StatusCreated {
		t.Fatalf("creating a MetricSnapshot on the embedded server: HTTP %d: %s", code, out)
	}
	if code, out := asAggregator(t, &fp, http.MethodGet, base+"/embedded-check", ""); code != http.StatusOK || !strings.Contains(out, `"embedded-check"`) {
		t.Fatalf("reading it back from the embedded server: HTTP %d: %s", code, out)
	}

	// Deleting the conflicting one removes its own children only: the sample's API keeps working.
	kubectl(t, "delete", "customapiserver", embeddedName, "--timeout=3m")
	eventually(t, 2*time.Minute, "namespace "+embeddedNS+" (created by the operator) gone", func() (bool, string) {
		out, _ := cfg.KubectlOutput(t.Context(), "", "get", "namespace", embeddedNS, "--ignore-not-found", "-o", "name")
		return out == "", out
	})
	if st := kubectl(t, "get", "apiservice", apiService, "-o", `jsonpath={.status.conditions[?(@.type=="Available")].status}`); st != "True" {
		t.Errorf("APIService %s Available=%q after deleting the conflicting CustomApiServer, want True", apiService, st)
	}
}

// asAggregator sends a request straight to a server pod with the front-proxy client certificate and
// the identity headers of a cluster admin, as kube-apiserver's proxy does.
func asAggregator(t *testing.T, cert *tls.Certificate, method, url, body string) (int, string) {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{
		InsecureSkipVerify: true, // the pod is addressed by IP; its serving identity is checked by the aggregator tests
		Certificates:       []tls.Certificate{*cert},
	}}}
	req, _ := http.NewRequestWithContext(t.Context(), method, url, bytes.NewBufferString(body))
	req.Header.Set("X-Remote-User", "e2e-admin")
	req.Header.Set("X-Remote-Group", "system:masters")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}
