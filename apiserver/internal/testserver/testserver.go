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

// Package testserver runs the MetricSnapshot apiserver in the test process.
package testserver

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"testing"
	"time"

	restclient "k8s.io/client-go/rest"

	"example.com/aggregation-operator/apiserver/generated/clientset/versioned"
	"example.com/aggregation-operator/apiserver/server"
	"example.com/aggregation-operator/internal/poll"
	"example.com/aggregation-operator/internal/testutil"
)

// APIServer is the MetricSnapshot apiserver running in this process in --local mode.
type APIServer struct {
	URL    string
	Config *restclient.Config
	Client versioned.Interface

	cancel context.CancelFunc
	done   chan error
}

// Start starts the apiserver with --local on a free loopback port plus args, waits
// for /readyz and stops it at cleanup.
func Start(t testing.TB, args ...string) *APIServer {
	t.Helper()
	a := start(t, append([]string{"--local"}, args...))
	// --local serves everyone as the local admin; a token keeps kubectl from prompting.
	a.connect(t, &restclient.Config{BearerToken: "local"})
	return a
}

// StartDelegated starts the apiserver as in a cluster: args must point it at a kube-apiserver
// (--kubeconfig, --authentication-kubeconfig, --authorization-kubeconfig). Clients connect with
// user's credentials, which the server checks through that kube-apiserver.
func StartDelegated(t testing.TB, user *restclient.Config, args ...string) *APIServer {
	t.Helper()
	a := start(t, args)
	a.connect(t, &restclient.Config{TLSClientConfig: restclient.TLSClientConfig{CertData: user.CertData, KeyData: user.KeyData}, BearerToken: user.BearerToken})
	return a
}

func (a *APIServer) connect(t testing.TB, cfg *restclient.Config) {
	t.Helper()
	cfg.Host = a.URL
	cfg.Insecure = true
	a.Config = cfg
	var err error
	if a.Client, err = versioned.NewForConfig(cfg); err != nil {
		t.Fatal(err)
	}
}

// start runs the apiserver command with args, as its main does.
func start(t testing.TB, args []string) *APIServer {
	t.Helper()
	port := testutil.FreePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := server.NewCommand(ctx)
	cmd.SetArgs(append([]string{"--bind-address=127.0.0.1", fmt.Sprintf("--secure-port=%d", port)}, args...))
	a := &APIServer{URL: fmt.Sprintf("https://127.0.0.1:%d", port), cancel: cancel, done: make(chan error, 1)}
	go func() { a.done <- cmd.Execute() }()
	t.Cleanup(a.Stop)

	if err := a.waitReady(60 * time.Second); err != nil {
		t.Fatal(err)
	}
	return a
}

// waitReady waits until /readyz answers 200, giving up early if the server exits.
func (a *APIServer) waitReady(timeout time.Duration) error {
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // self-signed test server
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	return poll.Until(ctx, "apiserver /readyz", timeout, func(ctx context.Context) error {
		select {
		case err := <-a.done:
			a.done <- err
			cancel()
			return fmt.Errorf("exited before ready: %v", err)
		default:
		}
		return poll.HTTPOK(client, a.URL+"/readyz")(ctx)
	})
}

// Stop stops the server and its storage and waits (bounded) for it to exit.
func (a *APIServer) Stop() {
	if a.cancel == nil {
		return
	}
	a.cancel()
	a.cancel = nil
	select {
	case err := <-a.done:
		a.done <- err // kept, as waitReady does, for anyone else waiting
	case <-time.After(60 * time.Second):
	}
}

// Kubeconfig writes a kubeconfig for kubectl that reaches this server.
func (a *APIServer) Kubeconfig(t testing.TB) string {
	t.Helper()
	return testutil.Kubeconfig(t, a.Config)
}
