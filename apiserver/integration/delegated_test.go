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

package integration

import (
	"net/http"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	restclient "k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"example.com/aggregation-operator/apiserver/generated/clientset/versioned"
	"example.com/aggregation-operator/apiserver/internal/testserver"
	"example.com/aggregation-operator/internal/testutil"
)

// TestDelegatedAuth runs the server as in a cluster (no --local) against a real kube-apiserver:
// clients are authenticated with the cluster's client CA or, as the aggregator's proxy does, with the
// front-proxy client certificate and X-Remote-* headers (both CAs read from the
// extension-apiserver-authentication ConfigMap), authorized by SubjectAccessReview; the collector
// runs under leader election, and probes need no credentials.
func TestDelegatedAuth(t *testing.T) {
	env := &envtest.Environment{BinaryAssetsDirectory: testutil.KubeBin(t)}
	frontProxy := withFrontProxyCA(t, env)
	if _, err := env.Start(); err != nil {
		t.Fatalf("starting kube-apiserver: %v", err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	path, admin := testutil.UserKubeconfig(t, env, envtest.User{Name: "admin", Groups: []string{"system:masters"}})
	nobody, err := env.AddUser(envtest.User{Name: "nobody"}, nil)
	if err != nil {
		t.Fatal(err)
	}

	server := testserver.StartDelegated(t, admin,
		"--kubeconfig="+path, "--authentication-kubeconfig="+path, "--authorization-kubeconfig="+path,
		"--data-dir="+t.TempDir(), "--leader-elect", "--leader-election-namespace=default", "--source="+unreachable)

	ctx := ctxFor(t, time.Minute)
	if _, err := server.Client.MetricsV1().MetricSnapshots(ns).Create(ctx, snapshot("delegated", "prometheus", "up"), metav1.CreateOptions{}); err != nil {
		t.Fatalf("admin (system:masters) create: %v", err)
	}
	// Only the leader collects; it writes the failure condition for the unreachable source.
	waitFor(t, server.Client, "delegated", 60*time.Second, "a collection attempt by the leader", collected(metav1.ConditionFalse))

	cfg := restclient.CopyConfig(server.Config)
	cfg.CertData, cfg.KeyData = nobody.Config().CertData, nobody.Config().KeyData
	_, err = versioned.NewForConfigOrDie(cfg).MetricsV1().MetricSnapshots(ns).List(ctx, metav1.ListOptions{})
	if !apierrors.IsForbidden(err) {
		t.Fatalf("a user without RBAC must be forbidden, got %v", err)
	}
	anonymous := restclient.CopyConfig(server.Config)
	anonymous.CertData, anonymous.KeyData = nil, nil
	_, err = versioned.NewForConfigOrDie(anonymous).MetricsV1().MetricSnapshots(ns).List(ctx, metav1.ListOptions{})
	if !apierrors.IsForbidden(err) && !apierrors.IsUnauthorized(err) {
		t.Fatalf("an anonymous client must be rejected, got %v", err)
	}

	// As the aggregator: the front-proxy client certificate carries the user in headers. The server is
	// ready only once it trusts that certificate (testserver waited for /readyz), so the very first
	// proxied request is already authenticated.
	list := server.URL + "/apis/metrics.example.com/v1/namespaces/" + ns + "/metricsnapshots"
	if code, body := frontProxy.get(t, list, "header-admin", "system:masters"); code != http.StatusOK {
		t.Errorf("front-proxy request as header-admin (system:masters): HTTP %d: %s", code, body)
	}
	if code, body := frontProxy.get(t, list, "header-nobody", ""); code != http.StatusForbidden || !strings.Contains(body, "header-nobody") {
		t.Errorf("front-proxy request as header-nobody: HTTP %d: %s; want 403 naming the user from the header", code, body)
	}
	// The same headers without the front-proxy certificate are not believed.
	forged := frontProxyClient{}
	if code, body := forged.get(t, list, "header-admin", "system:masters"); code == http.StatusOK || strings.Contains(body, "header-admin") {
		t.Errorf("forged X-Remote-User without the front-proxy certificate: HTTP %d: %s; want it refused", code, body)
	}
}
