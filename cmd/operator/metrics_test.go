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
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	"example.com/aggregation-operator/internal/testutil"
)

// scrape GETs url over TLS (the endpoint's certificate is self-signed) with an optional bearer token.
func scrape(url, token string) (int, string, error) {
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, // the server's identity is not under test
	}}
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, "", err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// serviceAccountToken creates ServiceAccount default/name and returns a token for it (TokenRequest).
func serviceAccountToken(t *testing.T, cs kubernetes.Interface, name string) string {
	t.Helper()
	ctx := context.Background()
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name}}
	if _, err := cs.CoreV1().ServiceAccounts("default").Create(ctx, sa, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	tr, err := cs.CoreV1().ServiceAccounts("default").CreateToken(ctx, name, &authenticationv1.TokenRequest{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("requesting a token for %s: %v", name, err)
	}
	return tr.Status.Token
}

// checkMetricsAuth: the metrics endpoint answers only HTTPS, refuses a caller without a token (401) and one
// whose ServiceAccount may not GET /metrics (403), and serves one bound to config/rbac's metrics-reader.
func checkMetricsAuth(t *testing.T, cfg *rest.Config, addr string) {
	t.Helper()
	ctx := context.Background()
	cs := kubernetes.NewForConfigOrDie(cfg)
	b, err := os.ReadFile("../../config/rbac/metrics_reader_role.yaml")
	if err != nil {
		t.Fatal(err)
	}
	reader := &rbacv1.ClusterRole{}
	if err := yaml.Unmarshal(b, reader); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.RbacV1().ClusterRoles().Create(ctx, reader, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "scraper-reads-metrics"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: reader.Name},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: "default", Name: "scraper"}},
	}
	if _, err := cs.RbacV1().ClusterRoleBindings().Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	scraper, stranger := serviceAccountToken(t, cs, "scraper"), serviceAccountToken(t, cs, "stranger")
	url := "https://" + addr + "/metrics"

	testutil.Eventually(t, 30*time.Second, "metrics for the metrics-reader token", func(context.Context) error {
		code, body, err := scrape(url, scraper)
		if err != nil {
			return err
		}
		if code != http.StatusOK || !strings.Contains(body, `controller_runtime_reconcile_total{controller="customapiserver"`) {
			return fmt.Errorf("metrics-reader's token: HTTP %d, want 200 with reconcile metrics: %.200s", code, body)
		}
		return nil
	})
	// controller-runtime's filter answers a token the cluster rejects with 500 "Authentication failed".
	for _, c := range []struct {
		who, token string
		want       int
	}{{"no token", "", http.StatusUnauthorized}, {"a token without metrics-reader", stranger, http.StatusForbidden},
		{"a forged token", "not-a-token", http.StatusInternalServerError}} {
		code, body, err := scrape(url, c.token)
		if err != nil || code != c.want || strings.Contains(body, "controller_runtime") {
			t.Errorf("%s: HTTP %d (%v), want %d and no metrics: %.200s", c.who, code, err, c.want, body)
		}
	}
	// Plain HTTP on the TLS port gets Go's 400 ("client sent an HTTP request to an HTTPS server"), never metrics.
	if resp, err := http.Get("http://" + addr + "/metrics"); err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK || strings.Contains(string(b), "controller_runtime") {
			t.Errorf("plain HTTP served metrics: HTTP %d", resp.StatusCode)
		}
	}
}
