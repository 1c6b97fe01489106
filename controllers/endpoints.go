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
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	discoveryv1 "k8s.io/api/discovery/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"example.com/aggregation-operator/controllers/certs"
)

// +kubebuilder:rbac:groups=discovery.k8s.io,resources=endpointslices,verbs=get;list;watch

// dialTimeout bounds one TLS handshake with one endpoint.
const dialTimeout = 3 * time.Second

// EndpointDialer reads the certificate chain a TLS endpoint serves. Tests replace it to reach the endpoints
// of an envtest Service, which has no pods, at TLS servers on loopback ports.
type EndpointDialer interface {
	// ServedChain does a TLS handshake with address (host:port), sending serverName, and returns the
	// certificates the server presented, leaf first.
	ServedChain(ctx context.Context, address, serverName string) ([]*x509.Certificate, error)
}

// TLSDialer dials the endpoint itself.
type TLSDialer struct{}

// ServedChain reads the peer certificates without verifying them: the caller checks them against the CA it
// wants proof of, which the handshake could not know.
func (TLSDialer) ServedChain(ctx context.Context, address, serverName string) ([]*x509.Certificate, error) {
	ctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	d := &tls.Dialer{Config: &tls.Config{
		ServerName: serverName,
		// Only the certificate is read, and checked by certs.Endpoint.ServesCA; nothing is sent.
		InsecureSkipVerify: true, //nolint:gosec // see above
		MinVersion:         tls.VersionTLS12,
	}}
	conn, err := d.DialContext(ctx, "tcp", address)
	if err != nil {
		return nil, fmt.Errorf("TLS handshake with %s: %w", address, err)
	}
	defer func() { _ = conn.Close() }()
	return conn.(*tls.Conn).ConnectionState().PeerCertificates, nil
}

func (r *Reconciler) dialer() EndpointDialer {
	if r.Dialer != nil {
		return r.Dialer
	}
	return TLSDialer{}
}

// observeEndpoints dials every ready endpoint of the Service (its EndpointSlices, read uncached: they are not
// ours and not cached) and records the chain each serves; it also counts the endpoints not ready. A failure
// to list proves nothing (an endpoint that could not be dialled).
func (r *Reconciler) observeEndpoints(ctx context.Context, n names) ([]certs.Endpoint, int) {
	list := &discoveryv1.EndpointSliceList{}
	if err := r.reader().List(ctx, list, client.InNamespace(n.Namespace), client.MatchingLabels{discoveryv1.LabelServiceName: n.Service}); err != nil {
		return []certs.Endpoint{{Address: "EndpointSlices of " + n.Namespace + "/" + n.Service, Err: err}}, 0
	}
	serverName := n.Service + "." + n.Namespace + ".svc"
	addrs, notReady := readyAddresses(list.Items)
	out := make([]certs.Endpoint, len(addrs))
	// At once: an unreachable pod costs one dialTimeout, not one per endpoint, of the reconcile.
	var wg sync.WaitGroup
	for i, addr := range addrs {
		wg.Go(func() {
			chain, err := r.dialer().ServedChain(ctx, addr, serverName)
			out[i] = certs.Endpoint{Address: addr, Chain: chain, Err: err}
		})
	}
	wg.Wait()
	return out, notReady
}

// readyAddresses are the host:port of every ready endpoint (a nil ready condition means ready, as the
// EndpointSlice API says) on the port named https, without duplicates, and how many are not ready.
func readyAddresses(slices []discoveryv1.EndpointSlice) ([]string, int) {
	seen := map[string]bool{}
	var out []string
	notReady := 0
	for _, s := range slices {
		port := int32(0)
		for _, p := range s.Ports {
			if p.Port != nil && (p.Name == nil || *p.Name == portName) {
				port = *p.Port
			}
		}
		if port == 0 {
			continue
		}
		for _, e := range s.Endpoints {
			if len(e.Addresses) == 0 {
				continue
			}
			if e.Conditions.Ready != nil && !*e.Conditions.Ready {
				notReady++
				continue
			}
			addr := net.JoinHostPort(e.Addresses[0], strconv.Itoa(int(port)))
			if !seen[addr] {
				seen[addr] = true
				out = append(out, addr)
			}
		}
	}
	return out, notReady
}
