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
	"net/url"
	"slices"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// etcdCallTimeout bounds each call to the managed etcd's cluster API: a reconcile never waits longer on it.
const etcdCallTimeout = 5 * time.Second

// etcdMembership changes the managed etcd's membership through its cluster API, as the apiserver's client
// (the same certificate: etcd runs without its own auth, so any certificate of its CA may).
type etcdMembership struct {
	cli   *clientv3.Client
	n     names
	certs etcdCertPlan
}

// dialEtcd connects to the members of these ordinals that resolve (the others are not worth a timeout: a
// pod without an IP yet, or the operator running outside the cluster). Only voting members answer the
// cluster API, so the caller leaves out the highest ordinal, the only one that may be a learner.
func dialEtcd(ctx context.Context, n names, plan etcdCertPlan, ordinals []int32) (*etcdMembership, error) {
	var endpoints []string
	var lookupErrs []error
	for _, o := range ordinals {
		host := etcdMemberHost(n, fmt.Sprintf("%s-%d", n.Etcd, o))
		lctx, cancel := context.WithTimeout(ctx, etcdCallTimeout)
		_, err := net.DefaultResolver.LookupHost(lctx, host)
		cancel()
		if err != nil {
			lookupErrs = append(lookupErrs, err)
			continue
		}
		endpoints = append(endpoints, fmt.Sprintf("https://%s:%d", host, etcdClientPort))
	}
	if len(endpoints) == 0 && len(lookupErrs) == 0 {
		return nil, errors.New("no voting etcd member is ready to ask")
	}
	if len(endpoints) == 0 {
		return nil, fmt.Errorf("no etcd member to ask: %w", errors.Join(lookupErrs...))
	}
	pair, err := tls.X509KeyPair(plan.Client.CertPEM, plan.Client.KeyPEM)
	if err != nil {
		return nil, fmt.Errorf("loading the etcd client certificate: %w", err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(plan.CA.Cert)
	cli, err := clientv3.New(clientv3.Config{
		Endpoints:   endpoints,
		DialTimeout: etcdCallTimeout,
		TLS:         &tls.Config{Certificates: []tls.Certificate{pair}, RootCAs: roots, MinVersion: tls.VersionTLS12},
		Logger:      zap.NewNop(),
		Context:     ctx,
	})
	if err != nil {
		return nil, fmt.Errorf("connecting to etcd at %v: %w", endpoints, err)
	}
	return &etcdMembership{cli: cli, n: n, certs: plan}, nil
}

func (e *etcdMembership) Close() error { return e.cli.Close() }

// list returns the members by ordinal, each known by its peer URL (an unstarted learner has no name yet);
// a member whose peer URL is none of the StatefulSet's has ordinal -1.
func (e *etcdMembership) list(ctx context.Context) ([]etcdMember, error) {
	ctx, cancel := context.WithTimeout(ctx, etcdCallTimeout)
	defer cancel()
	resp, err := e.cli.MemberList(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing the etcd members: %w", err)
	}
	out := make([]etcdMember, 0, len(resp.Members))
	for _, m := range resp.Members {
		out = append(out, etcdMember{ID: m.ID, Ordinal: e.ordinalOf(m.PeerURLs), Learner: m.IsLearner})
	}
	slices.SortFunc(out, func(a, b etcdMember) int { return int(a.Ordinal - b.Ordinal) })
	return out, nil
}

func (e *etcdMembership) ordinalOf(peerURLs []string) int32 {
	for o := range int32(etcdMaxMembers) {
		if slices.ContainsFunc(peerURLs, func(u string) bool { return sameURL(u, etcdPeerURL(e.n, o)) }) {
			return o
		}
	}
	return -1
}

func sameURL(a, b string) bool {
	ua, errA := url.Parse(a)
	ub, errB := url.Parse(b)
	return errA == nil && errB == nil && ua.Scheme == ub.Scheme && ua.Host == ub.Host
}

// addLearner adds the member of an ordinal as a learner: it votes in nothing until promoted, so the
// quorum is unchanged while it starts and catches up.
func (e *etcdMembership) addLearner(ctx context.Context, ordinal int32) (uint64, error) {
	ctx, cancel := context.WithTimeout(ctx, etcdCallTimeout)
	defer cancel()
	resp, err := e.cli.MemberAddAsLearner(ctx, []string{etcdPeerURL(e.n, ordinal)})
	if err != nil {
		return 0, fmt.Errorf("adding ordinal %d as an etcd learner: %w", ordinal, err)
	}
	return resp.Member.ID, nil
}

// promote makes a learner a voting member; etcd refuses while it has not caught up with the leader.
func (e *etcdMembership) promote(ctx context.Context, m etcdMember) error {
	ctx, cancel := context.WithTimeout(ctx, etcdCallTimeout)
	defer cancel()
	if _, err := e.cli.MemberPromote(ctx, m.ID); err != nil {
		return fmt.Errorf("promoting the etcd learner of ordinal %d (%x): %w", m.Ordinal, m.ID, err)
	}
	return nil
}

// remove takes a member out of the cluster; it stops itself once it learns so.
func (e *etcdMembership) remove(ctx context.Context, m etcdMember) error {
	ctx, cancel := context.WithTimeout(ctx, etcdCallTimeout)
	defer cancel()
	if _, err := e.cli.MemberRemove(ctx, m.ID); err != nil {
		return fmt.Errorf("removing the etcd member of ordinal %d (%x): %w", m.Ordinal, m.ID, err)
	}
	return nil
}

// handOverLeadership moves the leadership away from a member about to be removed, to the lowest ordinal, so
// its removal costs no election (a leader removed steps down, and writes wait for a new one). Only the
// leader may hand over, so it is asked directly.
func (e *etcdMembership) handOverLeadership(ctx context.Context, from etcdMember, to etcdMember) error {
	sctx, cancel := context.WithTimeout(ctx, etcdCallTimeout)
	defer cancel()
	st, err := e.cli.Status(sctx, e.cli.Endpoints()[0])
	if err != nil {
		return fmt.Errorf("asking etcd for its leader: %w", err)
	}
	if st.Leader != from.ID {
		return nil
	}
	leader, err := dialEtcd(ctx, e.n, e.certs, []int32{from.Ordinal})
	if err != nil {
		return err
	}
	defer func() { _ = leader.Close() }()
	mctx, cancel := context.WithTimeout(ctx, etcdCallTimeout)
	defer cancel()
	if _, err := leader.cli.MoveLeader(mctx, to.ID); err != nil {
		return fmt.Errorf("moving the etcd leadership from ordinal %d to %d: %w", from.Ordinal, to.Ordinal, err)
	}
	return nil
}
