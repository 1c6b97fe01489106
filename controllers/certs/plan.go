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

// Current is what the cluster holds today and what the user asked for; any pointer may be nil (absent or
// unreadable).
type Current struct {
	// CA signs serving certificates: the one in the CA Secret, or the user's (UserCA).
	CA *KeyPair
	// UserCA: CA comes from spec.certificates.caSecretRef; it is never made or rotated here.
	UserCA bool
	// Previous are the CAs the CA Secret remembers as still trusted (previous-ca.crt).
	Previous []*x509.Certificate
	// Bundles is the parsed caBundle of each existing APIService: what the aggregator trusts now. The CAs
	// in them are recovered even when the CA Secret is gone, since a running pod may still serve with them.
	Bundles [][]*x509.Certificate
	Serving *KeyPair
	// Force holds the user's one-off requests (annotations on the CustomApiServer).
	Force Force
}

// Force is a forced renewal of the serving certificate or rotation of the CA.
type Force struct {
	RenewServing, RotateCA bool
}

// Why a CA is in the caBundle (status.certificates.caBundle[].reason).
const (
	// KeptCurrent: the CA that signs the serving certificate.
	KeptCurrent = "Current"
	// KeptPendingProof: an older CA a running pod may still serve with; kept until every ready endpoint is
	// seen serving a certificate of the current CA, or until it expires.
	KeptPendingProof = "PendingProof"
)

// Why a CA left the caBundle.
const (
	DroppedExpired = "Expired"
	DroppedProven  = "Proven"
)

// BundleEntry is one CA of the caBundle and why it is there.
type BundleEntry struct {
	Cert   *x509.Certificate
	Reason string
}

// Dropped is a CA removed from the caBundle, and why.
type Dropped struct {
	Cert   *x509.Certificate
	Reason string
}

// Plan is the certificate material that should be stored, and why it changed.
type Plan struct {
	CA *KeyPair
	// Bundle is the caBundle: the current CA first, then every older CA still pending proof.
	Bundle  []BundleEntry
	Serving *KeyPair
	// CARenewed: a new self-signed CA was made (none, due, forced, or caDuration changed).
	CARenewed bool
	// Publishing: CA is not yet in every APIService's caBundle, so this plan puts it there first.
	Publishing bool
	// AwaitingTrust: a serving certificate of CA is due but is issued only once every APIService trusts CA;
	// until then the pods keep the one they serve.
	AwaitingTrust bool
	Issued        bool // the serving certificate is new
	Dropped       []Dropped
	// Proven counts the ready endpoints seen serving a certificate of CA, of Endpoints checked (Prune).
	Proven, Endpoints int
	NextRenewal       time.Time
}

// Due reports whether a certificate must be renewed at now: renewBefore before it expires.
func Due(c *x509.Certificate, now time.Time, renewBefore time.Duration) bool {
	return !now.Before(RenewalTime(c, renewBefore))
}

// RenewalTime is when c becomes due.
func RenewalTime(c *x509.Certificate, renewBefore time.Duration) time.Time {
	return c.NotAfter.Add(-renewBefore)
}

// Decide returns the certificates to store at now. Trust comes before use: a CA that is not yet in every
// APIService's caBundle is published there, next to every still-valid CA a pod may serve with, before a
// serving certificate it signed is stored. Older CAs stay in the bundle as PendingProof; Prune removes
// them once the endpoints prove they serve the current CA.
func Decide(cur Current, dnsNames []string, now time.Time, lt Lifetimes, caName string) (*Plan, error) {
	p := &Plan{CA: cur.CA, Serving: cur.Serving}
	if cur.UserCA && p.CA == nil {
		return nil, fmt.Errorf("no user CA to sign with")
	}
	if !cur.UserCA && (p.CA == nil || Due(p.CA.Cert, now, lt.RenewBefore) || cur.Force.RotateCA || lifetimeChanged(p.CA.Cert, lt.CA)) {
		ca, err := NewCA(caName, now, lt.CA)
		if err != nil {
			return nil, err
		}
		p.CA, p.CARenewed = ca, true
	}
	older := cur.Previous
	for _, b := range cur.Bundles {
		older = append(older, b...)
	}
	if cur.CA != nil {
		older = append(older, cur.CA.Cert)
	}
	p.Bundle = []BundleEntry{{Cert: p.CA.Cert, Reason: KeptCurrent}}
	for _, c := range dedupe(older) {
		switch {
		case c.Equal(p.CA.Cert) || inBundle(p.Bundle, c):
		case !now.Before(c.NotAfter):
			p.Dropped = append(p.Dropped, Dropped{Cert: c, Reason: DroppedExpired})
		default:
			p.Bundle = append(p.Bundle, BundleEntry{Cert: c, Reason: KeptPendingProof})
		}
	}
	trusted := trustedEverywhere(cur.Bundles, p.CA.Cert)
	p.Publishing = !trusted
	if p.Serving == nil || Due(p.Serving.Cert, now, lt.RenewBefore) || !slices.Equal(p.Serving.Cert.DNSNames, dnsNames) ||
		p.Serving.Cert.CheckSignatureFrom(p.CA.Cert) != nil || cur.Force.RenewServing {
		if !trusted && p.servedTrusted(now) {
			p.AwaitingTrust = true
		} else {
			s, err := NewServing(p.CA, dnsNames, now, lt.Serving)
			if err != nil {
				return nil, fmt.Errorf("issuing serving certificate: %w", err)
			}
			p.Serving, p.Issued = s, true
		}
	}
	p.NextRenewal = RenewalTime(p.Serving.Cert, lt.RenewBefore)
	if t := RenewalTime(p.CA.Cert, lt.RenewBefore); !cur.UserCA && t.Before(p.NextRenewal) {
		p.NextRenewal = t
	}
	for _, e := range p.Bundle[1:] {
		if e.Cert.NotAfter.Before(p.NextRenewal) {
			p.NextRenewal = e.Cert.NotAfter // drop it from the bundle when it expires
		}
	}
	return p, nil
}

// servedTrusted: the stored serving certificate is still valid and signed by a CA of the bundle, so pods
// may keep serving it while the new CA is published.
func (p *Plan) servedTrusted(now time.Time) bool {
	if p.Serving == nil || !now.Before(p.Serving.Cert.NotAfter) {
		return false
	}
	for _, e := range p.Bundle {
		if p.Serving.Cert.CheckSignatureFrom(e.Cert) == nil {
			return true
		}
	}
	return false
}

// lifetimeChanged: the self-signed CA was made for another caDuration (NewCA backdates NotBefore).
func lifetimeChanged(ca *x509.Certificate, d time.Duration) bool {
	return ca.NotAfter.Sub(ca.NotBefore) != d+backdate
}

// trustedEverywhere: every existing APIService's caBundle holds ca (true when there is none yet: the
// APIServices are then created with this plan's bundle).
func trustedEverywhere(bundles [][]*x509.Certificate, ca *x509.Certificate) bool {
	for _, b := range bundles {
		if !slices.ContainsFunc(b, ca.Equal) {
			return false
		}
	}
	return true
}

func inBundle(b []BundleEntry, c *x509.Certificate) bool {
	return slices.ContainsFunc(b, func(e BundleEntry) bool { return e.Cert.Equal(c) })
}

func dedupe(cs []*x509.Certificate) []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range cs {
		if !slices.ContainsFunc(out, c.Equal) {
			out = append(out, c)
		}
	}
	return out
}

// BundlePEM is the caBundle clients should trust, the current CA first.
func (p *Plan) BundlePEM() []byte {
	var out []byte
	for _, e := range p.Bundle {
		out = append(out, EncodeCert(e.Cert)...)
	}
	return out
}

// PendingProof reports whether older CAs wait in the bundle for the endpoints' proof.
func (p *Plan) PendingProof() bool { return len(p.Bundle) > 1 }

// Older are the CAs of the bundle other than the current one.
func (p *Plan) Older() []*x509.Certificate {
	var out []*x509.Certificate
	for _, e := range p.Bundle[1:] {
		out = append(out, e.Cert)
	}
	return out
}
