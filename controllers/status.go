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
	"cmp"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	apiregv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
)

const (
	// conflictRetry: foreign objects are not watched (the cache holds only ours), so look again now and then.
	conflictRetry = 2 * time.Minute
	// proofRetry: while an older CA waits in the caBundle, the endpoints are dialled again this often (a
	// kubelet refreshing a mounted Secret, or the apiserver reloading it, is no event the operator sees).
	proofRetry = 3 * time.Second
	// userSecretRecheck: the user's Secrets (CA, etcd client TLS) are not watched (the cache holds only ours),
	// so they are read this often.
	userSecretRecheck = time.Minute
	// userSecretRetry: while the etcd client TLS Secret is missing or incomplete (the Deployment waits for it),
	// it is read this often, so one created just after the CustomApiServer is picked up at once.
	userSecretRetry = 5 * time.Second
)

// finish records what the children report and when to come back (the next certificate renewal). It
// returns what it saw of the APIServices, for the events to emit once the status is stored.
func (r *Reconciler) finish(ctx context.Context, cas *aggv1alpha1.CustomApiServer, n names, o outcome) (reconcile.Result, []apiServiceObservation, error) {
	r.observeDeployment(ctx, cas, n)
	apiServices := r.observeAPIServices(ctx, cas, n, o.apiClaims)
	setAPIServicesStatus(cas, apiServices)

	reason, msg := "", ""
	switch {
	case len(o.errs) > 0:
		reason, msg = errorsReason(o.errs), errors.Join(o.errs...).Error()
	case o.etcdTLS != "":
		reason, msg = aggv1alpha1.ReasonEtcdTLSSecretInvalid, o.etcdTLS
	case o.notGrantable != "":
		reason, msg = aggv1alpha1.ReasonRulesNotGrantable, o.notGrantable
	case len(o.conflicts) > 0:
		reason, msg = aggv1alpha1.ReasonOwnershipConflict, strings.Join(o.conflicts, "; ")
	}
	setReady(cas, reason, msg)

	var res reconcile.Result
	soonest := func(d time.Duration) {
		if res.RequeueAfter == 0 || res.RequeueAfter > d {
			res.RequeueAfter = d
		}
	}
	if o.plan != nil {
		res.RequeueAfter = max(o.plan.NextRenewal.Sub(r.now()), time.Second)
		if o.plan.PendingProof() || o.plan.AwaitingTrust {
			soonest(proofRetry)
		}
	}
	if !o.etcdRenewal.IsZero() {
		soonest(max(o.etcdRenewal.Sub(r.now()), time.Second))
	}
	if o.retryAfter > 0 {
		soonest(o.retryAfter)
	}
	if cas.Spec.Certificates.CASecretRef != nil || etcdTLSSecretName(cas) != "" {
		soonest(userSecretRecheck)
	}
	if o.etcdTLS != "" {
		soonest(userSecretRetry)
	}
	if len(o.conflicts)+len(o.apiClaims.conflicts) > 0 {
		soonest(conflictRetry)
	}
	return res, apiServices, errors.Join(o.errs...)
}

// observeDeployment mirrors the Deployment's availability.
func (r *Reconciler) observeDeployment(ctx context.Context, cas *aggv1alpha1.CustomApiServer, n names) {
	d := &appsv1.Deployment{}
	key := types.NamespacedName{Namespace: n.Namespace, Name: n.Deployment}
	err := r.Client.Get(ctx, key, d)
	desired := cas.Spec.Replicas
	if err != nil {
		cas.Status.AvailableReplicas = 0
		cas.Status.Replicas = fmt.Sprintf("0/%d", desired)
		msg := fmt.Sprintf("Deployment %s: %v", key, err)
		if apierrors.IsNotFound(err) {
			msg = fmt.Sprintf("Deployment %s does not exist yet", key)
		}
		setDeploymentAvailable(cas, false, aggv1alpha1.ReasonDeploymentUnavailable, msg)
		return
	}
	if owner := foreignOwner(d, cas); owner != "" {
		setDeploymentAvailable(cas, false, aggv1alpha1.ReasonOwnershipConflict, fmt.Sprintf("Deployment %s belongs to %s", key, owner))
		return
	}
	ok, msg := deploymentAvailable(d, desired)
	cas.Status.AvailableReplicas = d.Status.AvailableReplicas
	cas.Status.Replicas = fmt.Sprintf("%d/%d", d.Status.AvailableReplicas, desired)
	if ok {
		setDeploymentAvailable(cas, true, aggv1alpha1.ReasonAvailable, msg)
		return
	}
	reason, detail := r.podsReport(ctx, cas, n, d)
	setDeploymentAvailable(cas, false, reason, msg+detail)
}

// deploymentAvailable is true when the Deployment controller says Available and the rollout is current.
func deploymentAvailable(d *appsv1.Deployment, desired int32) (bool, string) {
	msg := fmt.Sprintf("%d/%d replicas available", d.Status.AvailableReplicas, desired)
	for _, c := range d.Status.Conditions {
		if c.Type == appsv1.DeploymentAvailable {
			if c.Status == "True" && d.Status.AvailableReplicas > 0 {
				return true, msg
			}
			return false, msg + ": " + c.Message + " (see the pods' events and logs)"
		}
	}
	return false, msg + " (the Deployment has not reported availability yet; see its pods)"
}

// apiServiceObservation is what one reconcile saw of one wanted APIService: whether someone else owns it,
// and otherwise the aggregator's Available condition. Status, the APIServicesAvailable condition and the
// APIService events are all derived from it.
type apiServiceObservation struct {
	Name string
	// Owner is set when the APIService belongs to someone else; it was left untouched.
	Owner string
	// AdoptWhen is set with Owner when the APIService is to be adopted (spec.apiServices[].adopt): the
	// Deployment whose availability it waits for.
	AdoptWhen string
	// AdoptedFrom is who the APIService belonged to when it was adopted; AdoptedNow says this reconcile did.
	AdoptedFrom string
	AdoptedNow  bool
	// Available, Reason and Message are the APIService's Available condition (Unknown when it has none yet
	// or could not be read).
	Available       metav1.ConditionStatus
	Reason, Message string
}

// status is the observation as status.apiServices reports it; a conflict is False/APIServiceConflict, an
// adoption waiting for the Deployment False/AdoptionPending.
func (o apiServiceObservation) status() aggv1alpha1.APIServiceStatus {
	switch {
	case o.Owner != "" && o.AdoptWhen != "":
		return aggv1alpha1.APIServiceStatus{Name: o.Name, Available: metav1.ConditionFalse, Reason: aggv1alpha1.ReasonAdoptionPending,
			Message: (&adoptionPending{Name: o.Name, Owner: o.Owner, Deployment: o.AdoptWhen}).Error()}
	case o.Owner != "":
		return aggv1alpha1.APIServiceStatus{Name: o.Name, Available: metav1.ConditionFalse, Reason: aggv1alpha1.ReasonAPIServiceConflict,
			Message: fmt.Sprintf("APIService %s belongs to %s and was left untouched", o.Name, o.Owner)}
	}
	return aggv1alpha1.APIServiceStatus{Name: o.Name, Available: o.Available, Reason: o.Reason, Message: o.Message, AdoptedFrom: o.AdoptedFrom}
}

// observeAPIServices looks at every wanted APIService once (claims: those someone else has), sorted by name.
// An earlier adoption is read from the APIService's annotation aggregation.example.com/adopted-from.
func (r *Reconciler) observeAPIServices(ctx context.Context, cas *aggv1alpha1.CustomApiServer, n names, claims apiServiceClaims) []apiServiceObservation {
	var out []apiServiceObservation
	for _, s := range cas.Spec.APIServices {
		name := apiServiceName(s)
		_, adoptedNow := claims.adopted[name]
		o := apiServiceObservation{Name: name, Owner: claims.conflicts[name], AdoptedFrom: claims.adopted[name], AdoptedNow: adoptedNow}
		if owner, ok := claims.pending[name]; ok {
			o.Owner, o.AdoptWhen = owner, n.Namespace+"/"+n.Deployment
		}
		if o.Owner == "" {
			svc := &apiregv1.APIService{}
			if err := r.Client.Get(ctx, types.NamespacedName{Name: o.Name}, svc); err != nil {
				o.Available, o.Reason, o.Message = metav1.ConditionUnknown, aggv1alpha1.ReasonAvailabilityUnknown, fmt.Sprintf("APIService %s: %v", o.Name, err)
			} else {
				o.Available, o.Reason, o.Message = apiServiceAvailability(svc)
				o.AdoptedFrom = cmp.Or(o.AdoptedFrom, svc.Annotations[aggv1alpha1.AnnotationAdoptedFrom])
			}
		}
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// setAPIServicesStatus records the observations in status and in the APIServicesAvailable condition.
func setAPIServicesStatus(cas *aggv1alpha1.CustomApiServer, obs []apiServiceObservation) {
	var entries []aggv1alpha1.APIServiceStatus
	available := 0
	for _, o := range obs {
		e := o.status()
		if e.Available == metav1.ConditionTrue {
			available++
		}
		entries = append(entries, e)
	}
	cas.Status.APIServices = entries
	cas.Status.APIServicesSummary = fmt.Sprintf("%d/%d", available, len(entries))
	ok, reason, msg := summariseAPIServices(obs)
	setAPIServicesAvailable(cas, ok, reason, msg)
}

// apiServiceAvailability is the aggregator's own verdict on one APIService.
func apiServiceAvailability(svc *apiregv1.APIService) (metav1.ConditionStatus, string, string) {
	for _, c := range svc.Status.Conditions {
		if c.Type == apiregv1.Available {
			return metav1.ConditionStatus(c.Status), c.Reason, c.Message
		}
	}
	return metav1.ConditionUnknown, aggv1alpha1.ReasonAvailabilityUnknown, "the aggregator has not checked APIService " + svc.Name + " yet"
}

// summariseAPIServices: conflicts first, then the first unavailable APIService's own reason and message.
func summariseAPIServices(obs []apiServiceObservation) (bool, string, string) {
	var conflicts, down []string
	reason := ""
	for _, o := range obs {
		switch {
		case o.Owner != "" && o.AdoptWhen != "":
			if reason == "" {
				reason = aggv1alpha1.ReasonAdoptionPending
			}
			down = append(down, o.status().Message)
		case o.Owner != "":
			conflicts = append(conflicts, o.status().Message)
		case o.Available != metav1.ConditionTrue:
			if reason == "" {
				reason = o.Reason
			}
			down = append(down, o.Name+": "+o.Message)
		}
	}
	switch {
	case len(conflicts) > 0:
		return false, aggv1alpha1.ReasonAPIServiceConflict, strings.Join(conflicts, "; ") +
			"; remove the group/version from spec.apiServices or delete the other owner's APIService"
	case len(down) > 0:
		return false, reason, strings.Join(down, "; ")
	}
	return true, aggv1alpha1.ReasonPassed, fmt.Sprintf("all %d APIServices are available", len(obs))
}
