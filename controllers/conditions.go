package controllers

import (
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
)

// Condition types of a CustomApiServer; all have positive polarity (True is good).
const (
	// ConditionReady: every child is in place and the API is served (all conditions below are True).
	ConditionReady = "Ready"
	// ConditionCertificatesReady: the CA and serving certificate exist, are valid and stored.
	ConditionCertificatesReady = "CertificatesReady"
	// ConditionDeploymentAvailable: the apiserver Deployment has its minimum replicas available.
	ConditionDeploymentAvailable = "DeploymentAvailable"
	// ConditionAPIServicesAvailable: every APIService is Available in the aggregator.
	ConditionAPIServicesAvailable = "APIServicesAvailable"
)

// Condition reasons. Ready takes the reason of the first problem found, so `kubectl get cas -o wide`
// shows what to fix. APIServicesAvailable also mirrors the aggregator's own reasons (MissingEndpoints,
// FailedDiscoveryCheck, ServiceNotFound, EndpointsNotFound, ServicePortError).
const (
	// ReasonAvailable: all is well (Ready, DeploymentAvailable).
	ReasonAvailable = "Available"
	// ReasonIssued: certificates are valid (CertificatesReady).
	ReasonIssued = "Issued"
	// ReasonPassed: the aggregator's discovery check passed for every APIService (APIServicesAvailable).
	ReasonPassed = "Passed"
	// ReasonAPIServiceConflict: an APIService of this name exists and belongs to someone else; it was left
	// untouched. Remove that group/version from spec.apiServices or the other owner's APIService.
	ReasonAPIServiceConflict = "APIServiceConflict"
	// ReasonOwnershipConflict: another child (e.g. a ClusterRole or Secret of the same name) belongs to
	// someone else and was left untouched.
	ReasonOwnershipConflict = "OwnershipConflict"
	// ReasonCertificateError: certificates could not be made or stored.
	ReasonCertificateError = "CertificateError"
	// ReasonDeploymentUnavailable: fewer replicas are available than required; look at the pods.
	ReasonDeploymentUnavailable = "DeploymentUnavailable"
	// ReasonAPIServicePending: the aggregator has not reported on an APIService yet.
	ReasonAPIServicePending = "AvailabilityUnknown"
	// ReasonReconcileError: a request to the API server failed; the operator retries.
	ReasonReconcileError = "ReconcileError"
)

func setCondition(cas *aggv1alpha1.CustomApiServer, t string, ok bool, reason, msg string) {
	s := metav1.ConditionFalse
	if ok {
		s = metav1.ConditionTrue
	}
	meta.SetStatusCondition(&cas.Status.Conditions, metav1.Condition{
		Type: t, Status: s, Reason: reason, Message: msg, ObservedGeneration: cas.Generation,
	})
}

func setCertificatesReady(cas *aggv1alpha1.CustomApiServer, err error) {
	if err != nil {
		setCondition(cas, ConditionCertificatesReady, false, ReasonCertificateError, err.Error())
		return
	}
	setCondition(cas, ConditionCertificatesReady, true, ReasonIssued, "CA and serving certificate are valid")
}

func setDeploymentAvailable(cas *aggv1alpha1.CustomApiServer, ok bool, reason, msg string) {
	setCondition(cas, ConditionDeploymentAvailable, ok, reason, msg)
}

func setAPIServicesAvailable(cas *aggv1alpha1.CustomApiServer, ok bool, reason, msg string) {
	setCondition(cas, ConditionAPIServicesAvailable, ok, reason, msg)
}

// setReady summarises: the reconcile problem first, then the first condition that is not True.
func setReady(cas *aggv1alpha1.CustomApiServer, problemReason, problemMsg string) {
	if problemReason != "" {
		setCondition(cas, ConditionReady, false, problemReason, problemMsg)
		return
	}
	for _, t := range []string{ConditionCertificatesReady, ConditionDeploymentAvailable, ConditionAPIServicesAvailable} {
		c := meta.FindStatusCondition(cas.Status.Conditions, t)
		if c == nil || c.Status != metav1.ConditionTrue {
			reason, msg := "Pending", t+" not reported yet"
			if c != nil {
				reason, msg = c.Reason, c.Message
			}
			setCondition(cas, ConditionReady, false, reason, msg)
			return
		}
	}
	setCondition(cas, ConditionReady, true, ReasonAvailable, "the aggregated API is served")
}
