package controllers

import (
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

// conflictRetry: foreign objects are not watched (the cache holds only ours), so look again now and then.
const conflictRetry = 2 * time.Minute

// finish records what the children report and when to come back (the next certificate renewal).
func (r *Reconciler) finish(ctx context.Context, cas *aggv1alpha1.CustomApiServer, n names, o outcome) (reconcile.Result, error) {
	r.observeDeployment(ctx, cas, n)
	r.observeAPIServices(ctx, cas, o.apiConflicts)

	reason, msg := "", ""
	switch {
	case len(o.errs) > 0:
		reason, msg = errorsReason(o.errs), errors.Join(o.errs...).Error()
	case o.notGrantable != "":
		reason, msg = ReasonRulesNotGrantable, o.notGrantable
	case len(o.conflicts) > 0:
		reason, msg = ReasonOwnershipConflict, strings.Join(o.conflicts, "; ")
	}
	setReady(cas, reason, msg)

	var res reconcile.Result
	if o.plan != nil {
		res.RequeueAfter = max(o.plan.NextRenewal.Sub(r.now()), time.Second)
	}
	if len(o.conflicts)+len(o.apiConflicts) > 0 && (res.RequeueAfter == 0 || res.RequeueAfter > conflictRetry) {
		res.RequeueAfter = conflictRetry
	}
	return res, errors.Join(o.errs...)
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
		setDeploymentAvailable(cas, false, ReasonDeploymentUnavailable, msg)
		return
	}
	if owner := foreignOwner(d, cas); owner != "" {
		setDeploymentAvailable(cas, false, ReasonOwnershipConflict, fmt.Sprintf("Deployment %s belongs to %s", key, owner))
		return
	}
	ok, msg := deploymentAvailable(d, desired)
	cas.Status.AvailableReplicas = d.Status.AvailableReplicas
	cas.Status.Replicas = fmt.Sprintf("%d/%d", d.Status.AvailableReplicas, desired)
	if ok {
		setDeploymentAvailable(cas, true, ReasonAvailable, msg)
		return
	}
	setDeploymentAvailable(cas, false, ReasonDeploymentUnavailable, msg+r.podsReport(ctx, cas, n, d))
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

// observeAPIServices mirrors each APIService's Available condition into status.
func (r *Reconciler) observeAPIServices(ctx context.Context, cas *aggv1alpha1.CustomApiServer, conflicts map[string]string) {
	var entries []aggv1alpha1.APIServiceStatus
	available := 0
	for _, s := range cas.Spec.APIServices {
		name := apiServiceName(s)
		e := aggv1alpha1.APIServiceStatus{Name: name}
		if owner, ok := conflicts[name]; ok {
			e.Available, e.Reason = "Conflict", ReasonAPIServiceConflict
			e.Message = fmt.Sprintf("APIService %s belongs to %s and was left untouched", name, owner)
		} else {
			svc := &apiregv1.APIService{}
			if err := r.Client.Get(ctx, types.NamespacedName{Name: name}, svc); err != nil {
				e.Available, e.Reason, e.Message = string(metav1.ConditionUnknown), ReasonAPIServicePending, fmt.Sprintf("APIService %s: %v", name, err)
			} else {
				e.Available, e.Reason, e.Message = apiServiceAvailability(svc)
			}
		}
		if e.Available == string(metav1.ConditionTrue) {
			available++
		}
		entries = append(entries, e)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name < entries[j].Name })
	cas.Status.APIServices = entries
	cas.Status.APIServicesSummary = fmt.Sprintf("%d/%d", available, len(entries))
	ok, reason, msg := summariseAPIServices(entries)
	setAPIServicesAvailable(cas, ok, reason, msg)
}

// apiServiceAvailability is the aggregator's own verdict on one APIService.
func apiServiceAvailability(svc *apiregv1.APIService) (status, reason, message string) {
	for _, c := range svc.Status.Conditions {
		if c.Type == apiregv1.Available {
			return string(c.Status), c.Reason, c.Message
		}
	}
	return string(metav1.ConditionUnknown), ReasonAPIServicePending, "the aggregator has not checked APIService " + svc.Name + " yet"
}

// summariseAPIServices: conflicts first, then the first unavailable APIService's own reason and message.
func summariseAPIServices(entries []aggv1alpha1.APIServiceStatus) (bool, string, string) {
	var conflicts, down []string
	reason := ""
	for _, e := range entries {
		switch {
		case e.Reason == ReasonAPIServiceConflict:
			conflicts = append(conflicts, e.Message)
		case e.Available != string(metav1.ConditionTrue):
			if reason == "" {
				reason = e.Reason
			}
			down = append(down, e.Name+": "+e.Message)
		}
	}
	switch {
	case len(conflicts) > 0:
		return false, ReasonAPIServiceConflict, strings.Join(conflicts, "; ") +
			"; remove the group/version from spec.apiServices or delete the other owner's APIService"
	case len(down) > 0:
		return false, reason, strings.Join(down, "; ")
	}
	return true, ReasonPassed, fmt.Sprintf("all %d APIServices are available", len(entries))
}
