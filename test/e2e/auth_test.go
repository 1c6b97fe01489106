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
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"example.com/aggregation-operator/internal/testutil"
)

func authThroughAggregator(t *testing.T) {
	alice, err := cfg.UserKubeconfig("e2e-alice")
	if err != nil {
		t.Fatal(err)
	}
	out, err := kubectlAs(alice, "-n", "default", "get", "metricsnapshots")
	if err == nil || !strings.Contains(strings.ToLower(out), "forbidden") {
		t.Fatalf("a user without RBAC listed metricsnapshots: err=%v out=%s", err, out)
	}
	kubectl(t, "-n", "default", "create", "role", "metricsnapshot-reader", "--verb=get,list,watch",
		"--resource=metricsnapshots.metrics.example.com")
	kubectl(t, "-n", "default", "create", "rolebinding", "alice-reads-metricsnapshots",
		"--role=metricsnapshot-reader", "--user=e2e-alice")
	// The aggregated server caches authorization decisions for a few seconds.
	testutil.Eventually(t, time.Minute, "e2e-alice lists metricsnapshots with a Role", func(context.Context) error {
		if out, err := kubectlAs(alice, "-n", "default", "get", "metricsnapshots"); err != nil {
			return fmt.Errorf("%w: %s", err, out)
		}
		return nil
	})

	// Straight to a server pod: identity headers count only with the front-proxy client certificate.
	url := fmt.Sprintf("https://%s:6443/apis/metrics.example.com/v1/namespaces/default/metricsnapshots", apiserverPodIP(t))
	if code := forgedRequest(t, url, nil); code != http.StatusUnauthorized && code != http.StatusForbidden {
		t.Errorf("forged X-Remote-User without the front-proxy certificate: HTTP %d, want 401 or 403", code)
	}
	fp, err := cfg.FrontProxyClientCert()
	if err != nil {
		t.Fatal(err)
	}
	if code := forgedRequest(t, url, &fp); code != http.StatusOK {
		t.Errorf("the same headers with the front-proxy certificate (what the aggregator sends): HTTP %d, want 200", code)
	}
}

// forgedRequest claims to be a cluster admin through the request headers and returns the status code.
func forgedRequest(t *testing.T, url string, cert *tls.Certificate) int {
	t.Helper()
	tlsCfg := &tls.Config{InsecureSkipVerify: true} // the server's identity is not what is under test
	if cert != nil {
		tlsCfg.Certificates = []tls.Certificate{*cert}
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsCfg}}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	req.Header.Set("X-Remote-User", "system:admin")
	req.Header.Set("X-Remote-Group", "system:masters")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// apiserverPodIP is the IP of a ready MetricSnapshot apiserver pod of the sample.
func apiserverPodIP(t *testing.T) string {
	t.Helper()
	return podIP(t, sampleNS, sampleName)
}

// podIP is the IP of a ready apiserver pod of CustomApiServer cas in ns.
func podIP(t *testing.T, ns, cas string) string {
	t.Helper()
	var pods struct {
		Items []struct {
			Status struct {
				PodIP      string      `json:"podIP"`
				Conditions []condition `json:"conditions"`
			} `json:"status"`
		} `json:"items"`
	}
	kubectlJSON(t, &pods, "-n", ns, "get", "pods", "-l", "aggregation.example.com/customapiserver="+cas)
	for _, p := range pods.Items {
		if findCondition(p.Status.Conditions, "Ready").Status == "True" && p.Status.PodIP != "" {
			return p.Status.PodIP
		}
	}
	t.Fatalf("no ready apiserver pod of %s in %s", cas, ns)
	return ""
}

func fmtData(d map[string]float64) string {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b, _ := json.Marshal(d)
	return fmt.Sprintf("data(%d keys)=%s", len(keys), b)
}
