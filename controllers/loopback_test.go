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

package controllers

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// loopback is the suite operator's EndpointDialer: envtest runs no pods, so a test routes an endpoint
// address of its EndpointSlice to a real TLS server on a loopback port. Unrouted addresses fail to dial.
var loopback = &loopbackDialer{routes: map[string]string{}}

type loopbackDialer struct {
	mu     sync.Mutex
	routes map[string]string // endpoint host:port -> loopback host:port
}

func (d *loopbackDialer) ServedChain(ctx context.Context, address, serverName string) ([]*x509.Certificate, error) {
	d.mu.Lock()
	to, ok := d.routes[address]
	d.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("endpoint %s: no loopback server routed", address)
	}
	return TLSDialer{}.ServedChain(ctx, to, serverName)
}

func (d *loopbackDialer) route(t *testing.T, address, to string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.routes[address] = to
	t.Cleanup(func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		delete(d.routes, address)
	})
}

// tlsEndpoint is a real TLS server on a loopback port standing in for one apiserver pod: it serves the key
// pair of a serving Secret, and serve switches it to another, as a pod does when its mounted Secret changes.
type tlsEndpoint struct {
	ln   net.Listener
	cert atomic.Pointer[tls.Certificate]
}

func startTLSEndpoint(t *testing.T, secret *corev1.Secret) *tlsEndpoint {
	t.Helper()
	e := &tlsEndpoint{}
	e.serve(t, secret)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		MinVersion:     tls.VersionTLS12,
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return e.cert.Load(), nil },
	})
	if err != nil {
		t.Fatalf("listening on loopback: %v", err)
	}
	e.ln = ln
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if errors.Is(err, net.ErrClosed) {
				return
			}
			if err != nil {
				continue
			}
			_ = c.SetDeadline(time.Now().Add(5 * time.Second)) // a stuck client must not block the others
			_ = c.(*tls.Conn).Handshake()
			_ = c.Close()
		}
	})
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	return e
}

// serve switches the endpoint to the key pair in secret.
func (e *tlsEndpoint) serve(t *testing.T, secret *corev1.Secret) {
	t.Helper()
	c, err := tls.X509KeyPair(secret.Data[corev1.TLSCertKey], secret.Data[corev1.TLSPrivateKeyKey])
	if err != nil {
		t.Fatalf("loading the key pair of Secret %s: %v", secret.Name, err)
	}
	e.cert.Store(&c)
}

func (e *tlsEndpoint) addr() string { return e.ln.Addr().String() }
