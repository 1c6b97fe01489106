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
	"fmt"
	"slices"
	"time"

	"example.com/aggregation-operator/controllers/certs"
)

// etcdCertSet is what the managed etcd's three Secrets hold: its CA, the members' certificate (server and
// peer, valid for every member's name) and the apiserver's client certificate.
type etcdCertSet struct {
	CA, Member, Client *certs.KeyPair
}

// etcdCertPlan is the set to store, what of it is new, and when to look again.
type etcdCertPlan struct {
	etcdCertSet
	Issued      []string // "CA", "member", "client", for the event
	NextRenewal time.Time
}

// decideEtcdCerts keeps what is valid and issues what is missing, unusable or within renewBefore of expiry.
// etcd and the apiserver's etcd client read their certificate files on every handshake, so a renewed member
// or client certificate (same CA) is taken up without a restart. The CA is made once and not rotated: etcd
// reads its trusted CA file only at start, so a new CA would need every member restarted at once (README,
// "Managed etcd"); it lives spec.certificates.caDuration.
func decideEtcdCerts(cur etcdCertSet, dnsNames []string, now time.Time, lt certs.Lifetimes, caName string) (etcdCertPlan, error) {
	p := etcdCertPlan{etcdCertSet: cur}
	var err error
	if cur.CA == nil || certs.CheckCA(cur.CA.Cert, now) != nil {
		if p.CA, err = certs.NewCA(caName, now, lt.CA); err != nil {
			return p, fmt.Errorf("making the etcd CA: %w", err)
		}
		p.Issued = append(p.Issued, "CA")
	}
	due := func(kp *certs.KeyPair) bool {
		return kp == nil || !now.Before(kp.Cert.NotAfter.Add(-lt.RenewBefore)) || kp.Cert.CheckSignatureFrom(p.CA.Cert) != nil
	}
	if due(cur.Member) || !slices.Equal(cur.Member.Cert.DNSNames, dnsNames) {
		usages := []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth} // peers are both
		if p.Member, err = certs.NewLeaf(p.CA, dnsNames[0], dnsNames, usages, now, lt.Serving); err != nil {
			return p, fmt.Errorf("making the etcd members' certificate: %w", err)
		}
		p.Issued = append(p.Issued, "member")
	}
	if due(cur.Client) {
		if p.Client, err = certs.NewLeaf(p.CA, "aggregation-operator etcd client", nil, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, now, lt.Serving); err != nil {
			return p, fmt.Errorf("making the apiserver's etcd client certificate: %w", err)
		}
		p.Issued = append(p.Issued, "client")
	}
	p.NextRenewal = p.Member.Cert.NotAfter.Add(-lt.RenewBefore)
	if c := p.Client.Cert.NotAfter.Add(-lt.RenewBefore); c.Before(p.NextRenewal) {
		p.NextRenewal = c
	}
	return p, nil
}
