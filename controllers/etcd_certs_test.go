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
	"crypto/x509"
	"slices"
	"testing"
	"time"

	"example.com/aggregation-operator/controllers/certs"
)

// The managed etcd's certificates: made when absent, kept while valid, renewed renewBefore ahead of expiry
// under the same CA (etcd reads the CA only at start), and re-issued when the member names change.
func TestDecideEtcdCerts(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	lt := certs.Lifetimes{Serving: 240 * time.Hour, RenewBefore: 24 * time.Hour, CA: 1000 * time.Hour}
	names := []string{"a-etcd.ns.svc", "a-etcd-0.a-etcd.ns.svc"}
	first, err := decideEtcdCerts(etcdCertSet{}, names, now, lt, "ca")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(first.Issued, []string{"CA", "member", "client"}) {
		t.Fatalf("from nothing issued %v", first.Issued)
	}
	roots := x509.NewCertPool()
	roots.AddCert(first.CA.Cert)
	for _, v := range []struct {
		kp    *certs.KeyPair
		name  string
		usage x509.ExtKeyUsage
	}{{first.Member, names[1], x509.ExtKeyUsageServerAuth}, {first.Member, "", x509.ExtKeyUsageClientAuth}, {first.Client, "", x509.ExtKeyUsageClientAuth}} {
		if _, err := v.kp.Cert.Verify(x509.VerifyOptions{Roots: roots, DNSName: v.name, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{v.usage}}); err != nil {
			t.Errorf("%s for %q usage %v: %v", v.kp.Cert.Subject, v.name, v.usage, err)
		}
	}
	if want := now.Add(lt.Serving - lt.RenewBefore); !first.NextRenewal.Equal(want) {
		t.Errorf("next renewal %v, want %v", first.NextRenewal, want)
	}

	kept, err := decideEtcdCerts(first.etcdCertSet, names, now.Add(lt.Serving-lt.RenewBefore-time.Minute), lt, "ca")
	if err != nil || len(kept.Issued) != 0 {
		t.Fatalf("before renewBefore issued %v (%v)", kept.Issued, err)
	}
	due, err := decideEtcdCerts(first.etcdCertSet, names, first.NextRenewal, lt, "ca")
	if err != nil || !slices.Equal(due.Issued, []string{"member", "client"}) || due.CA != first.CA {
		t.Fatalf("at renewBefore issued %v, same CA %v (%v)", due.Issued, due.CA == first.CA, err)
	}
	more := append(slices.Clone(names), "a-etcd-1.a-etcd.ns.svc")
	renamed, err := decideEtcdCerts(first.etcdCertSet, more, now, lt, "ca")
	if err != nil || !slices.Equal(renamed.Issued, []string{"member"}) {
		t.Fatalf("with another member issued %v (%v)", renamed.Issued, err)
	}
	lost := first.etcdCertSet
	lost.CA = nil
	again, err := decideEtcdCerts(lost, names, now, lt, "ca")
	if err != nil || !slices.Equal(again.Issued, []string{"CA", "member", "client"}) {
		t.Fatalf("with the CA lost issued %v (%v): certificates of a CA no one holds must go", again.Issued, err)
	}
}
