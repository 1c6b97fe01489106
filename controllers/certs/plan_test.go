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
	"bytes"
	"crypto/x509"
	"testing"
	"time"
)

var (
	t0    = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	lt    = Lifetimes{Serving: 365 * 24 * time.Hour, RenewBefore: 30 * 24 * time.Hour, CA: 5 * 365 * 24 * time.Hour}
	names = []string{"svc", "svc.ns", "svc.ns.svc", "svc.ns.svc.cluster.local"}
)

func verifies(t *testing.T, leaf *x509.Certificate, bundle []byte, at time.Time) error {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(bundle) {
		t.Fatal("empty bundle")
	}
	_, err := leaf.Verify(x509.VerifyOptions{DNSName: "svc.ns.svc", Roots: pool, CurrentTime: at})
	return err
}

func TestDecide(t *testing.T) {
	fresh, err := Decide(Current{}, names, t0, lt, "test CA")
	if err != nil {
		t.Fatal(err)
	}
	if !fresh.CARenewed || !fresh.Issued {
		t.Fatalf("first decision must make a CA and a certificate: %+v", fresh)
	}
	if err := verifies(t, fresh.Serving.Cert, fresh.BundlePEM(), t0); err != nil {
		t.Fatalf("fresh certificate: %v", err)
	}
	servingDue := fresh.Serving.Cert.NotAfter.Add(-lt.RenewBefore)
	caDue := fresh.CA.Cert.NotAfter.Add(-lt.RenewBefore)
	cur := Current{CA: fresh.CA, Serving: fresh.Serving}

	tests := []struct {
		name              string
		cur               Current
		names             []string
		at                time.Time
		wantCA, wantIssue bool
		wantBundleCerts   int
	}{
		{"nothing due", cur, names, t0.Add(24 * time.Hour), false, false, 1},
		{"a minute before renewBefore", cur, names, servingDue.Add(-time.Minute), false, false, 1},
		{"renewBefore reached: serving only", cur, names, servingDue, false, true, 1},
		{"service renamed: re-issued", cur, []string{"other", "other.ns", "other.ns.svc", "other.ns.svc.cluster.local"}, t0.Add(time.Hour), false, true, 1},
		{"serving certificate missing", Current{CA: fresh.CA}, names, t0.Add(time.Hour), false, true, 1},
		{"CA due: new CA, old kept in bundle", cur, names, caDue, true, true, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Decide(tc.cur, tc.names, tc.at, lt, "test CA")
			if err != nil {
				t.Fatal(err)
			}
			if p.CARenewed != tc.wantCA || p.Issued != tc.wantIssue {
				t.Errorf("CA renewed %v issued %v, want %v %v", p.CARenewed, p.Issued, tc.wantCA, tc.wantIssue)
			}
			bundle, err := ParseCerts(p.BundlePEM())
			if err != nil || len(bundle) != tc.wantBundleCerts {
				t.Errorf("bundle has %d CAs (%v), want %d", len(bundle), err, tc.wantBundleCerts)
			}
			if !tc.wantCA && !bytes.Equal(p.BundlePEM(), fresh.BundlePEM()) {
				t.Errorf("bundle changed without a CA renewal")
			}
			if !p.NextRenewal.After(tc.at) {
				t.Errorf("next renewal %s is not after %s", p.NextRenewal, tc.at)
			}
			if p.Serving.Cert.NotAfter.After(p.CA.Cert.NotAfter) {
				t.Errorf("serving certificate outlives its CA")
			}
			if err := verifies(t, p.Serving.Cert, p.BundlePEM(), tc.at); err != nil && tc.names[0] == "svc" {
				t.Errorf("serving certificate does not verify: %v", err)
			}
		})
	}
}

// During a scheduled CA change the bundle trusts certificates of both CAs, and the old CA is dropped once
// expired even without proof.
func TestCAOverlap(t *testing.T) {
	first, err := Decide(Current{}, names, t0, lt, "CA")
	if err != nil {
		t.Fatal(err)
	}
	caDue := first.CA.Cert.NotAfter.Add(-lt.RenewBefore)
	// The serving certificate issued just before the CA is due, signed by the old CA.
	before, err := Decide(Current{CA: first.CA}, names, caDue.Add(-time.Hour), lt, "CA")
	if err != nil {
		t.Fatal(err)
	}
	published := [][]*x509.Certificate{{first.CA.Cert}}
	after, err := Decide(Current{CA: before.CA, Serving: before.Serving, Bundles: published}, names, caDue, lt, "CA")
	if err != nil {
		t.Fatal(err)
	}
	if !after.CARenewed || !after.Publishing || !after.AwaitingTrust || after.Issued || len(after.Bundle) != 2 {
		t.Fatalf("CA change: renewed %v publishing %v awaiting %v issued %v bundle %d; want a new CA published next to the old, serving kept",
			after.CARenewed, after.Publishing, after.AwaitingTrust, after.Issued, len(after.Bundle))
	}
	if err := verifies(t, before.Serving.Cert, after.BundlePEM(), caDue); err != nil {
		t.Errorf("a pod still serving the old CA's certificate is rejected: %v", err)
	}
	// Once every APIService trusts the new CA, the serving certificate follows.
	trusted := [][]*x509.Certificate{{after.CA.Cert, first.CA.Cert}}
	issued, err := Decide(Current{CA: after.CA, Previous: after.Older(), Serving: after.Serving, Bundles: trusted}, names, caDue, lt, "CA")
	if err != nil {
		t.Fatal(err)
	}
	if !issued.Issued || issued.CARenewed || issued.Publishing || len(issued.Bundle) != 2 {
		t.Fatalf("after publishing: issued %v renewed %v publishing %v bundle %d", issued.Issued, issued.CARenewed, issued.Publishing, len(issued.Bundle))
	}
	if err := verifies(t, issued.Serving.Cert, issued.BundlePEM(), caDue); err != nil {
		t.Errorf("new certificate: %v", err)
	}
	if !issued.NextRenewal.Equal(first.CA.Cert.NotAfter) {
		t.Errorf("next renewal %s, want the old CA's expiry %s (to drop it from the bundle)", issued.NextRenewal, first.CA.Cert.NotAfter)
	}
	later, err := Decide(Current{CA: issued.CA, Previous: issued.Older(), Serving: issued.Serving, Bundles: trusted}, names, first.CA.Cert.NotAfter, lt, "CA")
	if err != nil {
		t.Fatal(err)
	}
	if len(later.Bundle) != 1 || later.Issued || later.CARenewed || len(later.Dropped) != 1 || later.Dropped[0].Reason != DroppedExpired {
		t.Errorf("after the old CA expired: bundle %d issued %v renewed %v dropped %+v", len(later.Bundle), later.Issued, later.CARenewed, later.Dropped)
	}
}

func TestParseRejectsMismatchedPair(t *testing.T) {
	a, err := NewCA("a", t0, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewCA("b", t0, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(a.CertPEM, b.KeyPEM); err == nil {
		t.Error("certificate with another key accepted")
	}
	if _, err := Parse([]byte("junk"), a.KeyPEM); err == nil {
		t.Error("junk certificate accepted")
	}
	if _, err := Parse(a.CertPEM, a.KeyPEM); err != nil {
		t.Errorf("valid pair rejected: %v", err)
	}
}
