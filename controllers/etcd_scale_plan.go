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
	"fmt"
	"strings"
)

// etcdMember is one member of the managed etcd: etcd's ID, the StatefulSet ordinal its peer URL names,
// and whether it is a learner (a non-voting member catching up).
type etcdMember struct {
	ID      uint64
	Ordinal int32
	Learner bool
}

// etcdScaleInput is what one reconcile knows of the managed etcd.
type etcdScaleInput struct {
	Desired     int32 // spec.storage.managed.replicas
	StatefulSet int32 // the StatefulSet's spec.replicas; 0 when it does not exist yet
	// Members by ordinal; nil when they could not be listed (MembersErr says why).
	Members    []etcdMember
	MembersErr error
	Ready      map[int32]bool // members whose pod is ready (etcd's /health)
	// Serving is how many members every apiserver pod is pointed at (--etcd-servers of ordinals
	// 0..Serving-1, rolled out); 0 while the Deployment rolls or is unknown.
	Serving int32
	// ClaimLeft: the PersistentVolumeClaim of ordinal len(Members) still exists (a removed member's data,
	// which a new member must not start on).
	ClaimLeft bool
}

type etcdAction int

const (
	etcdNoAction etcdAction = iota
	etcdAddLearner
	etcdPromote
	etcdRemove
)

// etcdScaleStep is what to do now: the StatefulSet's replicas, the members the apiserver is pointed at, at
// most one membership change, and what is under way (for status).
//
// The apiserver is pointed at the lowest ordinals, at most etcdMaxServers of them: any quorum of five members
// includes one of the first three, so listing the other two would add no availability, and 3 <-> 5 then
// never rolls the apiserver (a roll can fail a write in flight through the aggregator, which cannot resend
// a request body to the next pod).
type etcdScaleStep struct {
	Replicas int32
	Servers  int32 // --etcd-servers lists ordinals 0..Servers-1
	Action   etcdAction
	Member   etcdMember // the member Action is about (only Ordinal for an add)
	Scaling  bool       // the membership is not yet what spec asks
	Progress string     // what is under way or awaited
}

// planEtcdScale decides the next step towards Desired members, one member at a time and only while every
// member is healthy: to grow, the next ordinal is added as a learner before its pod exists, its pod started,
// then promoted (etcd refuses until it has caught up); to shrink, the apiserver first rolls onto the members that
// stay, then the highest ordinal is removed and its pod stopped (its claim goes with it). The apiserver is
// pointed only at voting members, 1 or 3 (etcdServers), so 1 <-> 3 rolls it once (after growing, before
// shrinking) and 3 <-> 5 not at all. Without the member list nothing changes.
func planEtcdScale(in etcdScaleInput) etcdScaleStep {
	d, s := in.Desired, in.StatefulSet
	if s == 0 {
		return etcdScaleStep{Replicas: d, Servers: etcdServers(d)} // a new cluster: every member bootstraps together
	}
	if in.Members == nil {
		step := etcdScaleStep{Replicas: s, Servers: etcdServers(min(d, s))}
		if s != d {
			step.Scaling, step.Progress = true, fmt.Sprintf("cannot list the etcd members, nothing is changed until then: %v", in.MembersErr)
		}
		return step
	}
	m := int32(len(in.Members))
	var voting int32
	for i, mem := range in.Members {
		if mem.Ordinal != int32(i) || (mem.Learner && int32(i) != m-1) {
			return etcdScaleStep{Replicas: s, Servers: etcdServers(min(d, s)), Scaling: true, Progress: fmt.Sprintf(
				"the etcd members are not the StatefulSet's ordinals 0..%d with at most the last one a learner (%s); the operator changes no membership it did not make", m-1, describeMembers(in.Members))}
		}
		if !mem.Learner {
			voting++
		}
	}
	step := etcdScaleStep{Replicas: s, Servers: etcdServers(min(d, voting))}
	learner := in.Members[m-1].Learner
	if m == d && s == d && !learner {
		return step
	}
	step.Scaling = true
	last := in.Members[m-1]
	notReady := func() string {
		var out []string
		for i := range m {
			if !in.Ready[i] {
				out = append(out, fmt.Sprint(i))
			}
		}
		if len(out) == 0 {
			return ""
		}
		return "waiting for every member to be healthy before changing the membership; not ready: ordinal " + strings.Join(out, ", ")
	}
	switch {
	case s > m:
		step.Replicas = m
		step.Progress = fmt.Sprintf("stopping the pod of ordinal %d, no longer a member", m)
	case learner && d < m:
		step.Action, step.Member = etcdRemove, last
		step.Progress = fmt.Sprintf("removing the learner of ordinal %d (fewer members wanted)", last.Ordinal)
	case learner && s < m:
		step.Replicas = m
		step.Progress = fmt.Sprintf("ordinal %d added as a learner; starting its pod", last.Ordinal)
	case learner:
		// etcd itself refuses until the learner has caught up with the leader (the caller retries).
		step.Action, step.Member = etcdPromote, last
		step.Progress = fmt.Sprintf("promoting the learner of ordinal %d to a voting member once it has caught up", last.Ordinal)
	case s < m:
		step.Replicas = m
		step.Progress = fmt.Sprintf("starting the pods of ordinals %d..%d", s, m-1)
	case m < d && in.ClaimLeft:
		step.Progress = fmt.Sprintf("waiting for the PersistentVolumeClaim of ordinal %d, a removed member's, to be deleted", m)
	case m < d:
		if msg := notReady(); msg != "" {
			step.Progress = msg
			break
		}
		step.Action, step.Member = etcdAddLearner, etcdMember{Ordinal: m}
		step.Progress = fmt.Sprintf("adding ordinal %d as a learner", m)
	case in.Serving != step.Servers:
		step.Progress = fmt.Sprintf("waiting for the apiserver to roll onto the %d members that stay", step.Servers)
	default: // m > d
		if msg := notReady(); msg != "" {
			step.Progress = msg
			break
		}
		step.Action, step.Member = etcdRemove, last
		step.Progress = fmt.Sprintf("removing ordinal %d", last.Ordinal)
	}
	return step
}

// etcdMaxServers is the most members the apiserver is pointed at (see etcdScaleStep).
const etcdMaxServers = 3

// etcdServers is how many of n voting members the apiserver is pointed at: 1 below 3, else 3.
func etcdServers(n int32) int32 {
	if n < etcdMaxServers {
		return 1
	}
	return etcdMaxServers
}

func describeMembers(ms []etcdMember) string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = fmt.Sprintf("%x: ordinal %d", m.ID, m.Ordinal)
		if m.Learner {
			out[i] += " (learner)"
		}
	}
	return strings.Join(out, ", ")
}
