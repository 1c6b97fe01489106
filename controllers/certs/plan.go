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

import (
	"crypto/x509"
	"fmt"
	"slices"
	"time"
)

// Lifetimes are the durations from spec.certificates.
type Lifetimes struct {
	Serving     time.Duration
	RenewBefore time.Duration
	CA          time.Duration
}

// Current is what the Secrets hold today; any field may be nil (absent or unreadable).
type Current struct {
	CA         *KeyPair
	PreviousCA *x509.Certificate // the CA before the last CA renewal, kept in the bundle until it expires
	Serving    *KeyPair
}

// Plan is the certificate material that should be stored, and why it changed.
type Plan struct {
	CA          *KeyPair
	PreviousCA  *x509.Certificate
	Serving     *KeyPair
	CARenewed   bool
	Issued      bool // the serving certificate is new
	NextRenewal time.Time
}

// Due reports whether a certificate must be renewed at now: renewBefore before it expires.
func Due(c *x509.Certificate, now time.Time, renewBefore time.Duration) bool {
	return !now.Before(RenewalTime(c, renewBefore))
}

// RenewalTime is when c becomes due.
func RenewalTime(c *x509.Certificate, renewBefore time.Duration) time.Time {
	return c.NotAfter.Add(-renewBefore)
}

// Decide returns the certificates to store at now. A CA is made when there is none or the current one is
// due; the old CA then stays in the bundle (PreviousCA) so clients keep trusting pods that still serve a
// certificate it signed. A serving certificate is issued when there is none, it is due, its names differ
// or it was not signed by the current CA.
func Decide(cur Current, dnsNames []string, now time.Time, lt Lifetimes, caName string) (*Plan, error) {
	p := &Plan{CA: cur.CA, PreviousCA: cur.PreviousCA, Serving: cur.Serving}
	if p.CA == nil || Due(p.CA.Cert, now, lt.RenewBefore) {
		if p.CA != nil {
			p.PreviousCA = p.CA.Cert
		}
		ca, err := NewCA(caName, now, lt.CA)
		if err != nil {
			return nil, err
		}
		p.CA, p.CARenewed = ca, true
	}
	if p.PreviousCA != nil && !now.Before(p.PreviousCA.NotAfter) {
		p.PreviousCA = nil // expired: nothing it signed is valid any more
	}
	if p.Serving == nil || Due(p.Serving.Cert, now, lt.RenewBefore) || !slices.Equal(p.Serving.Cert.DNSNames, dnsNames) ||
		p.Serving.Cert.CheckSignatureFrom(p.CA.Cert) != nil {
		s, err := NewServing(p.CA, dnsNames, now, lt.Serving)
		if err != nil {
			return nil, fmt.Errorf("issuing serving certificate: %w", err)
		}
		p.Serving, p.Issued = s, true
	}
	p.NextRenewal = RenewalTime(p.Serving.Cert, lt.RenewBefore)
	if t := RenewalTime(p.CA.Cert, lt.RenewBefore); t.Before(p.NextRenewal) {
		p.NextRenewal = t
	}
	if p.PreviousCA != nil && p.PreviousCA.NotAfter.Before(p.NextRenewal) {
		p.NextRenewal = p.PreviousCA.NotAfter // drop it from the bundle when it expires
	}
	return p, nil
}

// Bundle is the caBundle clients should trust: the current CA, then the previous one while it is valid.
func (p *Plan) Bundle() []byte {
	out := append([]byte(nil), p.CA.CertPEM...)
	if p.PreviousCA != nil {
		out = append(out, EncodeCert(p.PreviousCA)...)
	}
	return out
}
