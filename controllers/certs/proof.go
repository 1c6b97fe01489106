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

package certs

import "crypto/x509"

// Endpoint is what dialling one ready endpoint of the Service showed: the certificate chain it serves
// (leaf first), or why it could not be read.
type Endpoint struct {
	Address string
	Chain   []*x509.Certificate
	Err     error
}

// ServesCA reports whether the endpoint's leaf certificate was signed by ca.
func (e Endpoint) ServesCA(ca *x509.Certificate) bool {
	return e.Err == nil && len(e.Chain) > 0 && e.Chain[0].CheckSignatureFrom(ca) == nil
}

// Prune removes the older CAs from the bundle once every ready endpoint is seen serving a certificate of the
// current CA: proof, not a timer. Nothing is proven while the serving certificate of the current CA waits for
// trust, or when no endpoint is ready (a pod that becomes ready later may still hold the older files).
func (p *Plan) Prune(endpoints []Endpoint) {
	p.Endpoints, p.Proven = len(endpoints), 0
	for _, e := range endpoints {
		if e.ServesCA(p.CA.Cert) {
			p.Proven++
		}
	}
	if p.AwaitingTrust || p.Endpoints == 0 || p.Proven < p.Endpoints || !p.PendingProof() {
		return
	}
	for _, c := range p.Older() {
		p.Dropped = append(p.Dropped, Dropped{Cert: c, Reason: DroppedProven})
	}
	p.Bundle = p.Bundle[:1]
}
