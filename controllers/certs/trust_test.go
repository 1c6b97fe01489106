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
	"errors"
	"testing"
	"time"
)

func mustCA(t *testing.T, name string, at time.Time, d time.Duration) *KeyPair {
	t.Helper()
	ca, err := NewCA(name, at, d)
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

func mustServing(t *testing.T, ca *KeyPair, at time.Time) *KeyPair {
	t.Helper()
	s, err := NewServing(ca, names, at, lt.Serving)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Which CAs go in the bundle and whether the serving certificate may be issued yet, for every change of CA.
func TestTrustBeforeUse(t *testing.T) {
	now := t0.Add(24 * time.Hour)
	old := mustCA(t, "old", t0, lt.CA)
	older := mustCA(t, "older", t0.Add(-4*365*24*time.Hour), lt.CA)     // still valid, from an earlier rotation
	expired := mustCA(t, "expired", t0.Add(-6*365*24*time.Hour), lt.CA) // expired before now
	user := mustCA(t, "user", t0, 2*365*24*time.Hour)
	short := mustCA(t, "made for another caDuration", t0, 2*365*24*time.Hour)
	oldServing := mustServing(t, old, t0)
	bundle := func(cs ...*KeyPair) []*x509.Certificate {
		var out []*x509.Certificate
		for _, c := range cs {
			out = append(out, c.Cert)
		}
		return out
	}

	tests := []struct {
		name string
		cur  Current
		// want: a new CA made, the CA used (nil: a new one), the older CAs kept, serving awaiting trust,
		// serving issued, CAs dropped.
		wantRenewed, wantAwaiting, wantIssued bool
		wantCA                                *KeyPair
		wantOlder                             []*KeyPair
		wantDropped                           int
	}{
		{name: "steady state", cur: Current{CA: old, Serving: oldServing, Bundles: [][]*x509.Certificate{bundle(old)}},
			wantCA: old},
		{name: "CA Secret deleted: old CA recovered from the caBundle, serving kept until the new CA is trusted",
			cur:         Current{Serving: oldServing, Bundles: [][]*x509.Certificate{bundle(old)}},
			wantRenewed: true, wantAwaiting: true, wantOlder: []*KeyPair{old}},
		{name: "forced rotation", cur: Current{CA: old, Serving: oldServing, Bundles: [][]*x509.Certificate{bundle(old)}, Force: Force{RotateCA: true}},
			wantRenewed: true, wantAwaiting: true, wantOlder: []*KeyPair{old}},
		{name: "caDuration changed", cur: Current{CA: short, Serving: mustServing(t, short, t0), Bundles: [][]*x509.Certificate{bundle(short)}},
			wantRenewed: true, wantAwaiting: true, wantOlder: []*KeyPair{short}},
		{name: "user's CA swapped in", cur: Current{CA: user, UserCA: true, Serving: oldServing, Bundles: [][]*x509.Certificate{bundle(old)}},
			wantCA: user, wantAwaiting: true, wantOlder: []*KeyPair{old}},
		{name: "user's CA published on one APIService of two: still waiting",
			cur:    Current{CA: user, UserCA: true, Serving: oldServing, Bundles: [][]*x509.Certificate{bundle(user, old), bundle(old)}},
			wantCA: user, wantAwaiting: true, wantOlder: []*KeyPair{old}},
		{name: "user's CA published everywhere: serving issued, old kept for proof",
			cur:    Current{CA: user, UserCA: true, Serving: oldServing, Bundles: [][]*x509.Certificate{bundle(user, old), bundle(user, old)}},
			wantCA: user, wantIssued: true, wantOlder: []*KeyPair{old}},
		{name: "previous CAs remembered by the CA Secret although the APIService was emptied",
			cur:    Current{CA: old, Previous: bundle(older), Serving: oldServing, Bundles: [][]*x509.Certificate{nil}},
			wantCA: old, wantOlder: []*KeyPair{older}},
		{name: "an expired CA is dropped, not recovered", cur: Current{CA: old, Serving: oldServing, Bundles: [][]*x509.Certificate{bundle(old, expired)}},
			wantCA: old, wantDropped: 1},
		{name: "no serving certificate to keep: issued at once", cur: Current{CA: user, UserCA: true, Bundles: [][]*x509.Certificate{bundle(old)}},
			wantCA: user, wantIssued: true, wantOlder: []*KeyPair{old}},
		{name: "no APIService yet: nothing to wait for", cur: Current{CA: user, UserCA: true, Serving: oldServing},
			wantCA: user, wantIssued: true, wantOlder: []*KeyPair{}},
		{name: "forced serving renewal: same CA, same bundle", cur: Current{CA: old, Serving: oldServing, Bundles: [][]*x509.Certificate{bundle(old)}, Force: Force{RenewServing: true}},
			wantCA: old, wantIssued: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Decide(tc.cur, names, now, lt, "CA")
			if err != nil {
				t.Fatal(err)
			}
			if p.CARenewed != tc.wantRenewed || p.AwaitingTrust != tc.wantAwaiting || p.Issued != tc.wantIssued {
				t.Errorf("renewed %v awaiting trust %v issued %v, want %v %v %v", p.CARenewed, p.AwaitingTrust, p.Issued, tc.wantRenewed, tc.wantAwaiting, tc.wantIssued)
			}
			if tc.wantCA != nil && !p.CA.Cert.Equal(tc.wantCA.Cert) {
				t.Errorf("signing CA %s, want %s", p.CA.Cert.Subject, tc.wantCA.Cert.Subject)
			}
			if p.Bundle[0].Reason != KeptCurrent || !p.Bundle[0].Cert.Equal(p.CA.Cert) {
				t.Errorf("the bundle does not start with the current CA")
			}
			got := p.Older()
			if len(got) != len(tc.wantOlder) {
				t.Fatalf("older CAs in the bundle: %d, want %d", len(got), len(tc.wantOlder))
			}
			for i, w := range tc.wantOlder {
				if !got[i].Equal(w.Cert) || p.Bundle[i+1].Reason != KeptPendingProof {
					t.Errorf("older CA %d: %s (%s), want %s PendingProof", i, got[i].Subject, p.Bundle[i+1].Reason, w.Cert.Subject)
				}
			}
			if len(p.Dropped) != tc.wantDropped {
				t.Errorf("dropped %d, want %d", len(p.Dropped), tc.wantDropped)
			}
			// Whatever the plan stores, a client trusting its bundle accepts the stored serving certificate.
			if err := verifies(t, p.Serving.Cert, p.BundlePEM(), now); err != nil {
				t.Errorf("stored serving certificate not trusted by the stored bundle: %v", err)
			}
		})
	}
}

// Prune: proof, not a timer.
func TestPrune(t *testing.T) {
	now := t0.Add(24 * time.Hour)
	old := mustCA(t, "old", t0, lt.CA)
	cur := mustCA(t, "new", now, lt.CA)
	oldLeaf, newLeaf := mustServing(t, old, t0).Cert, mustServing(t, cur, now).Cert
	onOld := Endpoint{Address: "a", Chain: []*x509.Certificate{oldLeaf}}
	onNew := Endpoint{Address: "b", Chain: []*x509.Certificate{newLeaf}}
	failed := Endpoint{Address: "c", Err: errors.New("connection refused")}

	tests := []struct {
		name      string
		awaiting  bool
		endpoints []Endpoint
		notReady  int
		wantKept  int
		proven    int
	}{
		{"no ready endpoint, one starting: nothing proven", false, nil, 1, 2, 0},
		{"no endpoint at all: no pod can serve the old chain", false, nil, 0, 1, 0},
		{"one endpoint still on the old chain", false, []Endpoint{onNew, onOld}, 0, 2, 1},
		{"an endpoint that cannot be dialled proves nothing", false, []Endpoint{onNew, failed}, 0, 2, 1},
		{"serving certificate still awaiting trust", true, []Endpoint{onNew}, 0, 2, 1},
		{"every ready endpoint on the new chain: old CA pruned", false, []Endpoint{onNew, {Address: "d", Chain: []*x509.Certificate{newLeaf}}}, 1, 1, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &Plan{CA: cur, AwaitingTrust: tc.awaiting, Bundle: []BundleEntry{{cur.Cert, KeptCurrent}, {old.Cert, KeptPendingProof}}}
			p.Prune(tc.endpoints, tc.notReady)
			if len(p.Bundle) != tc.wantKept || p.Proven != tc.proven || p.Endpoints != len(tc.endpoints) {
				t.Errorf("bundle %d proven %d/%d, want %d proven %d/%d", len(p.Bundle), p.Proven, p.Endpoints, tc.wantKept, tc.proven, len(tc.endpoints))
			}
			if tc.wantKept == 1 && (len(p.Dropped) != 1 || p.Dropped[0].Reason != DroppedProven || !p.Dropped[0].Cert.Equal(old.Cert)) {
				t.Errorf("dropped %+v, want the old CA, proven", p.Dropped)
			}
		})
	}
}
