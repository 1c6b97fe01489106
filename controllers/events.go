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
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/controllers/certs"
)

// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// EventSource is the reporting controller of the operator's events (events.k8s.io/v1).
const EventSource = "aggregation-operator"

// Event reasons are documented in api/v1alpha1 (condition_consts.go). Events are emitted on the
// CustomApiServer only when something changes (an event is a write, and an unchanged object's reconcile
// writes nothing); `kubectl describe customapiserver` and `kubectl get events` show them next to the
// conditions, which say what holds now.

// maxNote is the API server's limit on an event's note; longer aggregator messages are cut.
const maxNote = 1024

// event is one Event to emit on the CustomApiServer. related (optional) is the child it is about: the
// recorder folds repeated events with the same reason and related object into a series, so two
// APIServices of one CustomApiServer must not share a related object.
type event struct {
	Type, Reason, Action, Note string
	Related                    runtime.Object
}

// emit records evs on cas, and counts the certificate ones (metrics.go). The note is cut to what the API server accepts: aggregator messages can be long,
// and a rejected event would be lost entirely.
func (r *Reconciler) emit(cas *aggv1alpha1.CustomApiServer, evs ...event) {
	operatorMetrics.countEvents(cas.Name, evs)
	for _, e := range evs {
		note := e.Note
		if len(note) > maxNote {
			note = note[:maxNote-3] + "..."
		}
		r.Recorder.Eventf(cas, e.Related, e.Type, e.Reason, e.Action, "%s", note)
	}
}

// certificateEvents says what a certificate plan changed compared with what was stored before it.
func certificateEvents(cur certs.Current, p *certs.Plan, n names) []event {
	caSecret := secretRef(n.Namespace, n.CASecret)
	servingSecret := secretRef(n.Namespace, n.ServingSecret)
	if cur.CA == nil && len(cur.Bundles) == 0 && p.Issued && cur.Serving == nil {
		return []event{{corev1.EventTypeNormal, aggv1alpha1.EventCertificateIssued, "IssueCertificates", fmt.Sprintf(
			"issued a CA valid until %s and a serving certificate for %s valid until %s",
			stamp(p.CA.Cert.NotAfter), n.Service+"."+n.Namespace+".svc", stamp(p.Serving.Cert.NotAfter)), servingSecret}}
	}
	var out []event
	if p.CARenewed || p.Publishing {
		why := "renewed the CA"
		switch {
		case cur.UserCA:
			why = "switched to the user's CA (spec.certificates.caSecretRef)"
		case cur.CA == nil:
			why = "made a new CA (the CA Secret " + n.CASecret + " was missing or unusable)"
		case cur.Force.RotateCA:
			why = "rotated the CA (" + aggv1alpha1.AnnotationRotateCA + ")"
		}
		out = append(out, event{corev1.EventTypeNormal, aggv1alpha1.EventCARotated, "RotateCA", fmt.Sprintf(
			"%s: CA %s is published in the caBundle with %d older CA(s) pods may still serve with; the serving certificate it signs follows, and an older CA leaves the bundle once every ready endpoint serves the new chain",
			why, caName(p.CA.Cert), len(p.Bundle)-1), caSecret})
	}
	for _, d := range p.Dropped {
		why := "every ready endpoint serves a certificate of the current CA"
		if d.Reason == certs.DroppedExpired {
			why = "it expired"
		}
		out = append(out, event{corev1.EventTypeNormal, aggv1alpha1.EventCAPruned, "PruneCA", fmt.Sprintf(
			"removed CA %s from the caBundle: %s", caName(d.Cert), why), caSecret})
	}
	switch {
	case !p.Issued:
	case cur.Serving == nil:
		out = append(out, event{corev1.EventTypeNormal, aggv1alpha1.EventCertificateIssued, "IssueCertificates", fmt.Sprintf(
			"issued a serving certificate valid until %s", stamp(p.Serving.Cert.NotAfter)), servingSecret})
	default:
		out = append(out, event{corev1.EventTypeNormal, aggv1alpha1.EventServingCertificateRenewed, "RenewServingCertificate", fmt.Sprintf(
			"renewed the serving certificate (the previous one expires %s), now valid until %s, signed by CA %s",
			stamp(cur.Serving.Cert.NotAfter), stamp(p.Serving.Cert.NotAfter), caName(p.CA.Cert)), servingSecret})
	}
	return out
}

// apiServiceEvents compares the per-APIService status before a reconcile with what it observed: a new
// conflict, an APIService going unavailable (or failing for another reason) and one becoming available are
// events; anything that stays as it was is not.
func apiServiceEvents(before []aggv1alpha1.APIServiceStatus, after []apiServiceObservation) []event {
	prev := make(map[string]aggv1alpha1.APIServiceStatus, len(before))
	for _, e := range before {
		prev[e.Name] = e
	}
	var out []event
	for _, o := range after {
		was, seen := prev[o.Name]
		now := o.status()
		related := apiServiceRef(o.Name)
		if o.AdoptedNow {
			out = append(out, event{corev1.EventTypeNormal, aggv1alpha1.EventAPIServiceAdopted, "AdoptAPIService", fmt.Sprintf(
				"adopted APIService %s from %s (spec.apiServices[].adopt): it now routes to this CustomApiServer's Service and trusts only its CA",
				o.Name, o.AdoptedFrom), related})
		}
		switch {
		case o.AdoptWhen != "": // waiting for the Deployment; status says so, nothing has changed yet
		case o.Owner != "":
			if !seen || was.Reason != now.Reason || was.Message != now.Message {
				out = append(out, event{corev1.EventTypeWarning, aggv1alpha1.EventAPIServiceConflict, "ApplyAPIService", now.Message, related})
			}
		case o.Available == metav1.ConditionTrue:
			if !seen || was.Available != now.Available {
				out = append(out, event{corev1.EventTypeNormal, aggv1alpha1.EventAPIServiceAvailable, "ObserveAPIService",
					fmt.Sprintf("APIService %s is available", o.Name), related})
			}
		case o.Available == metav1.ConditionFalse:
			if !seen || was.Available != now.Available || was.Reason != now.Reason {
				out = append(out, event{corev1.EventTypeWarning, aggv1alpha1.EventAPIServiceUnavailable, "ObserveAPIService",
					fmt.Sprintf("APIService %s is unavailable: %s: %s", o.Name, o.Reason, o.Message), related})
			}
		}
	}
	return out
}

// apiServicesRemovedEvent reports APIServices the operator deleted, and why.
func apiServicesRemovedEvent(deleted []string, why string) []event {
	if len(deleted) == 0 {
		return nil
	}
	return []event{{corev1.EventTypeNormal, aggv1alpha1.EventAPIServicesRemoved, "DeleteAPIServices",
		fmt.Sprintf("deleted APIService %s %s", strings.Join(deleted, ", "), why), nil}}
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// secretRef and apiServiceRef name a child for an event's related object (kind and name are all it needs).
func secretRef(ns, name string) *corev1.ObjectReference {
	return &corev1.ObjectReference{APIVersion: "v1", Kind: "Secret", Namespace: ns, Name: name}
}

func apiServiceRef(name string) *corev1.ObjectReference {
	return &corev1.ObjectReference{APIVersion: "apiregistration.k8s.io/v1", Kind: "APIService", Name: name}
}
