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
	"errors"
	"strings"
	"testing"
)

// The membership plan, step by step: 3 -> 5 -> 3 and 1 -> 3 -> 1 walk one member at a time, every change
// waits for a healthy cluster, and the apiserver is pointed only at voting members, 1 or 3 of them.
func TestPlanEtcdScale(t *testing.T) {
	voters := func(n int32) []etcdMember {
		out := make([]etcdMember, n)
		for i := range out {
			out[i] = etcdMember{ID: uint64(100 + i), Ordinal: int32(i)}
		}
		return out
	}
	withLearner := func(n int32) []etcdMember {
		out := voters(n)
		out[n-1].Learner = true
		return out
	}
	ready := func(ordinals ...int32) map[int32]bool {
		out := map[int32]bool{}
		for _, o := range ordinals {
			out[o] = true
		}
		return out
	}
	all := func(n int32) map[int32]bool {
		out := map[int32]bool{}
		for i := range n {
			out[i] = true
		}
		return out
	}
	for _, tc := range []struct {
		name string
		in   etcdScaleInput
		want etcdScaleStep
		msg  string // in Progress
	}{
		{"new cluster", etcdScaleInput{Desired: 3}, etcdScaleStep{Replicas: 3, Servers: 3}, ""},
		{"steady", etcdScaleInput{Desired: 3, StatefulSet: 3, Members: voters(3), Ready: ready(0)}, etcdScaleStep{Replicas: 3, Servers: 3}, ""},
		{"steady, members unknown", etcdScaleInput{Desired: 3, StatefulSet: 3, MembersErr: errors.New("x")}, etcdScaleStep{Replicas: 3, Servers: 3}, ""},
		{"grow, members unknown: hold", etcdScaleInput{Desired: 5, StatefulSet: 3, MembersErr: errors.New("dial: no route")},
			etcdScaleStep{Replicas: 3, Servers: 3, Scaling: true}, "cannot list the etcd members, nothing is changed until then: dial: no route"},
		// 3 -> 5
		{"3->5: add ordinal 3", etcdScaleInput{Desired: 5, StatefulSet: 3, Members: voters(3), Ready: all(3)},
			etcdScaleStep{Replicas: 3, Servers: 3, Action: etcdAddLearner, Member: etcdMember{Ordinal: 3}, Scaling: true}, "adding ordinal 3 as a learner"},
		{"3->5: unhealthy, hold", etcdScaleInput{Desired: 5, StatefulSet: 3, Members: voters(3), Ready: ready(0, 2)},
			etcdScaleStep{Replicas: 3, Servers: 3, Scaling: true}, "not ready: ordinal 1"},
		{"3->5: a removed member's claim left", etcdScaleInput{Desired: 5, StatefulSet: 3, Members: voters(3), Ready: all(3), ClaimLeft: true},
			etcdScaleStep{Replicas: 3, Servers: 3, Scaling: true}, "PersistentVolumeClaim of ordinal 3"},
		{"3->5: learner added, start its pod", etcdScaleInput{Desired: 5, StatefulSet: 3, Members: withLearner(4), Ready: all(3)},
			etcdScaleStep{Replicas: 4, Servers: 3, Scaling: true}, "starting its pod"},
		{"3->5: promote ordinal 3 (etcd refuses until it caught up)", etcdScaleInput{Desired: 5, StatefulSet: 4, Members: withLearner(4), Ready: all(3)},
			etcdScaleStep{Replicas: 4, Servers: 3, Action: etcdPromote, Member: etcdMember{ID: 103, Ordinal: 3, Learner: true}, Scaling: true}, "once it has caught up"},
		{"3->5: 4 voting, apiserver stays on 3, add ordinal 4", etcdScaleInput{Desired: 5, StatefulSet: 4, Members: voters(4), Ready: all(4)},
			etcdScaleStep{Replicas: 4, Servers: 3, Action: etcdAddLearner, Member: etcdMember{Ordinal: 4}, Scaling: true}, ""},
		{"3->5: promote ordinal 4", etcdScaleInput{Desired: 5, StatefulSet: 5, Members: withLearner(5), Ready: all(5)},
			etcdScaleStep{Replicas: 5, Servers: 3, Action: etcdPromote, Member: etcdMember{ID: 104, Ordinal: 4, Learner: true}, Scaling: true}, ""},
		{"3->5 done: apiserver stays on 3 (any quorum of 5 has one of them)", etcdScaleInput{Desired: 5, StatefulSet: 5, Members: voters(5), Ready: all(5)}, etcdScaleStep{Replicas: 5, Servers: 3}, ""},
		{"new cluster of 5", etcdScaleInput{Desired: 5}, etcdScaleStep{Replicas: 5, Servers: 3}, ""},
		// 5 -> 3
		{"5->3: apiserver pods not all on the 3 yet (one terminating)", etcdScaleInput{Desired: 3, StatefulSet: 5, Members: voters(5), Ready: all(5), Serving: 0},
			etcdScaleStep{Replicas: 5, Servers: 3, Scaling: true}, "roll onto the 3 members"},
		{"5->3: remove ordinal 4", etcdScaleInput{Desired: 3, StatefulSet: 5, Members: voters(5), Ready: all(5), Serving: 3},
			etcdScaleStep{Replicas: 5, Servers: 3, Action: etcdRemove, Member: etcdMember{ID: 104, Ordinal: 4}, Scaling: true}, "removing ordinal 4"},
		{"5->3: unhealthy, hold", etcdScaleInput{Desired: 3, StatefulSet: 5, Members: voters(5), Ready: ready(0, 1, 2, 4), Serving: 3},
			etcdScaleStep{Replicas: 5, Servers: 3, Scaling: true}, "not ready: ordinal 3"},
		{"5->3: stop the removed pod", etcdScaleInput{Desired: 3, StatefulSet: 5, Members: voters(4), Ready: all(5), Serving: 3},
			etcdScaleStep{Replicas: 4, Servers: 3, Scaling: true}, "stopping the pod of ordinal 4"},
		{"5->3: remove ordinal 3", etcdScaleInput{Desired: 3, StatefulSet: 4, Members: voters(4), Ready: all(4), Serving: 3},
			etcdScaleStep{Replicas: 4, Servers: 3, Action: etcdRemove, Member: etcdMember{ID: 103, Ordinal: 3}, Scaling: true}, ""},
		{"5->3 done", etcdScaleInput{Desired: 3, StatefulSet: 3, Members: voters(3), Ready: all(3), Serving: 3}, etcdScaleStep{Replicas: 3, Servers: 3}, ""},
		// 1 <-> 3
		{"1->3: two voting, apiserver stays on 1", etcdScaleInput{Desired: 3, StatefulSet: 2, Members: voters(2), Ready: all(2)},
			etcdScaleStep{Replicas: 2, Servers: 1, Action: etcdAddLearner, Member: etcdMember{Ordinal: 2}, Scaling: true}, ""},
		{"3->1: apiserver onto ordinal 0 first", etcdScaleInput{Desired: 1, StatefulSet: 3, Members: voters(3), Ready: all(3), Serving: 3},
			etcdScaleStep{Replicas: 3, Servers: 1, Scaling: true}, "roll onto the 1 members"},
		{"3->1: remove ordinal 1", etcdScaleInput{Desired: 1, StatefulSet: 2, Members: voters(2), Ready: all(2), Serving: 1},
			etcdScaleStep{Replicas: 2, Servers: 1, Action: etcdRemove, Member: etcdMember{ID: 101, Ordinal: 1}, Scaling: true}, ""},
		// Changed mind, surprises.
		{"grow then shrink: the learner goes first", etcdScaleInput{Desired: 3, StatefulSet: 4, Members: withLearner(4), Ready: ready(0, 1, 2)},
			etcdScaleStep{Replicas: 4, Servers: 3, Action: etcdRemove, Member: etcdMember{ID: 103, Ordinal: 3, Learner: true}, Scaling: true}, "removing the learner"},
		{"someone else's member: hold", etcdScaleInput{Desired: 5, StatefulSet: 3, Members: []etcdMember{{ID: 1, Ordinal: 0}, {ID: 2, Ordinal: -1}, {ID: 3, Ordinal: 2}}, Ready: all(3)},
			etcdScaleStep{Replicas: 3, Servers: 3, Scaling: true}, "changes no membership it did not make"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := planEtcdScale(tc.in)
			msg := got.Progress
			got.Progress = ""
			if got != tc.want {
				t.Errorf("step %+v, want %+v (%s)", got, tc.want, msg)
			}
			if !strings.Contains(msg, tc.msg) || (tc.want.Scaling && msg == "") {
				t.Errorf("progress %q, want it to say %q", msg, tc.msg)
			}
		})
	}
}
