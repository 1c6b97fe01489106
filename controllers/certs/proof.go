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
// current CA: proof, not a timer. notReady counts the Service's endpoints that are not ready. Nothing is
// proven while the serving certificate of the current CA waits for trust, or while no endpoint is ready but
// some exist (a pod that becomes ready may still hold the older files). A Service with no endpoint at all
// has no pod that could serve an older chain: a pod started from now on mounts the current Secret.
func (p *Plan) Prune(ready []Endpoint, notReady int) {
	p.Endpoints, p.Proven = len(ready), 0
	for _, e := range ready {
		if e.ServesCA(p.CA.Cert) {
			p.Proven++
		}
	}
	if p.AwaitingTrust || (p.Endpoints == 0 && notReady > 0) || p.Proven < p.Endpoints || !p.PendingProof() {
		return
	}
	for _, c := range p.Older() {
		p.Dropped = append(p.Dropped, Dropped{Cert: c, Reason: DroppedProven})
	}
	p.Bundle = p.Bundle[:1]
}
