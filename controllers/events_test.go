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
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/controllers/certs"
	"example.com/aggregation-operator/internal/testutil"
)

// waitEvent waits for an event on the CustomApiServer with uid, as `kubectl describe` finds them (core/v1
// events by involvedObject, in every namespace), with the given type and reason and a note containing
// every string of notes.
func waitEvent(t *testing.T, uid types.UID, typ, reason string, notes ...string) {
	t.Helper()
	testutil.Eventually(t, 30*time.Second, "event "+typ+"/"+reason, func(ctx context.Context) error {
		list := &corev1.EventList{}
		if err := k8s.List(ctx, list, client.MatchingFields{"involvedObject.uid": string(uid)}); err != nil {
			return err
		}
		var seen []string
	next:
		for _, e := range list.Items {
			seen = append(seen, e.Type+"/"+e.Reason+": "+e.Message)
			if e.Type != typ || e.Reason != reason {
				continue
			}
			for _, n := range notes {
				if !strings.Contains(e.Message, n) {
					continue next
				}
			}
			return nil
		}
		return fmt.Errorf("no %s event %s with %q; events: %q", typ, reason, notes, seen)
	})
}

// eventSpy records the reasons of the events a reconciler emits, for a test that counts them.
type eventSpy struct {
	mu      sync.Mutex
	reasons []string
}

func (s *eventSpy) Eventf(_, _ runtime.Object, _, reason, _, _ string, _ ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reasons = append(s.reasons, reason)
}

func (s *eventSpy) reset() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.reasons
	s.reasons = nil
	return r
}

func TestAPIServiceEvents(t *testing.T) {
	obs := func(avail metav1.ConditionStatus, reason, msg string) apiServiceObservation {
		return apiServiceObservation{Name: "v1.a.example.com", Available: avail, Reason: reason, Message: msg}
	}
	up := obs(metav1.ConditionTrue, "Passed", "all checks passed")
	down := obs(metav1.ConditionFalse, "MissingEndpoints", "endpoints for service/a in \"a\" have no addresses")
	failing := obs(metav1.ConditionFalse, "FailedDiscoveryCheck", "failing or missing response")
	pending := obs(metav1.ConditionUnknown, aggv1alpha1.ReasonAvailabilityUnknown, "not checked yet")
	conflict := apiServiceObservation{Name: "v1.a.example.com", Owner: "CustomApiServer other"}
	// was is the status a previous reconcile stored for an observation.
	was := func(o apiServiceObservation) []aggv1alpha1.APIServiceStatus {
		return []aggv1alpha1.APIServiceStatus{o.status()}
	}
	for _, tc := range []struct {
		name   string
		before []aggv1alpha1.APIServiceStatus
		after  apiServiceObservation
		want   []string // type/reason
		note   string   // in the first event's note
	}{
		{"unchanged available", was(up), up, nil, ""},
		{"unchanged unavailable", was(down), down, nil, ""},
		{"unchanged conflict", was(conflict), conflict, nil, ""},
		{"still pending", nil, pending, nil, ""},
		{"became unavailable", was(up), down, []string{"Warning/APIServiceUnavailable"}, "MissingEndpoints: endpoints"},
		{"unavailable for another reason", was(down), failing, []string{"Warning/APIServiceUnavailable"}, "FailedDiscoveryCheck"},
		{"available again", was(down), up, []string{"Normal/APIServiceAvailable"}, "v1.a.example.com is available"},
		{"first verdict available", was(pending), up, []string{"Normal/APIServiceAvailable"}, ""},
		{"conflict detected", nil, conflict, []string{"Warning/APIServiceConflict"}, "CustomApiServer other"},
		{"conflict resolved, then served", was(conflict), up, []string{"Normal/APIServiceAvailable"}, ""},
		{"unavailable, then a conflict", was(down), conflict, []string{"Warning/APIServiceConflict"}, "belongs to CustomApiServer other"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := apiServiceEvents(tc.before, []apiServiceObservation{tc.after})
			var reasons []string
			for _, e := range got {
				reasons = append(reasons, e.Type+"/"+e.Reason)
			}
			if fmt.Sprint(reasons) != fmt.Sprint(tc.want) {
				t.Fatalf("events %v, want %v", reasons, tc.want)
			}
			if tc.note != "" && !strings.Contains(got[0].Note, tc.note) {
				t.Errorf("note %q lacks %q", got[0].Note, tc.note)
			}
		})
	}
}

func TestCertificateEvents(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	lt := certs.Lifetimes{Serving: 365 * 24 * time.Hour, RenewBefore: 30 * 24 * time.Hour, CA: 5 * 365 * 24 * time.Hour}
	n := namesFor(newCAS("ev", "ev.example.com"))
	dns := servingDNSNames(n)
	decide := func(cur certs.Current, at time.Time) *certs.Plan {
		p, err := certs.Decide(cur, dns, at, lt, "test CA")
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	reasons := func(evs []event) string {
		var out []string
		for _, e := range evs {
			out = append(out, e.Reason)
		}
		return strings.Join(out, ",")
	}
	first := decide(certs.Current{}, now)
	if got := reasons(certificateEvents(certs.Current{}, first, n)); got != aggv1alpha1.EventCertificateIssued {
		t.Errorf("first issuance: %s", got)
	}
	stored := certs.Current{CA: first.CA, Serving: first.Serving}
	if got := reasons(certificateEvents(stored, decide(stored, now.Add(time.Hour)), n)); got != "" {
		t.Errorf("nothing due, yet events %s", got)
	}
	servingDue := first.Serving.Cert.NotAfter.Add(-lt.RenewBefore + time.Minute)
	if got := reasons(certificateEvents(stored, decide(stored, servingDue), n)); got != aggv1alpha1.EventServingCertificateRenewed {
		t.Errorf("serving certificate due: %s", got)
	}
	caDue := first.CA.Cert.NotAfter.Add(-lt.RenewBefore + time.Minute)
	if got := reasons(certificateEvents(stored, decide(stored, caDue), n)); got != aggv1alpha1.EventCARotated+","+aggv1alpha1.EventServingCertificateRenewed {
		t.Errorf("CA due: %s", got)
	}
	if got := reasons(certificateEvents(certs.Current{CA: first.CA}, decide(certs.Current{CA: first.CA}, now), n)); got != aggv1alpha1.EventCertificateIssued {
		t.Errorf("serving Secret lost: %s", got)
	}
}
