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
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/controllers/certs"
)

// Condition types and reasons are documented in api/v1alpha1 (condition_consts.go).

func setCondition(cas *aggv1alpha1.CustomApiServer, t string, ok bool, reason, msg string) {
	s := metav1.ConditionFalse
	if ok {
		s = metav1.ConditionTrue
	}
	meta.SetStatusCondition(&cas.Status.Conditions, metav1.Condition{
		Type: t, Status: s, Reason: reason, Message: msg, ObservedGeneration: cas.Generation,
	})
}

func setCertificatesReady(cas *aggv1alpha1.CustomApiServer, p *certs.Plan, err error) {
	var invalid *caInvalid
	switch {
	case errors.As(err, &invalid):
		setCondition(cas, aggv1alpha1.ConditionCertificatesReady, false, aggv1alpha1.ReasonCASecretInvalid,
			invalid.msg+"; the certificates in place are kept unchanged")
	case err != nil:
		setCondition(cas, aggv1alpha1.ConditionCertificatesReady, false, aggv1alpha1.ReasonCertificateError, err.Error())
	case p.PendingProof():
		setCondition(cas, aggv1alpha1.ConditionCertificatesReady, true, aggv1alpha1.ReasonAwaitingProof, fmt.Sprintf(
			"CA and serving certificate are valid; the caBundle keeps %d older CA(s) until every ready endpoint serves a certificate of the current CA (%d/%d do)",
			len(p.Bundle)-1, p.Proven, p.Endpoints))
	default:
		setCondition(cas, aggv1alpha1.ConditionCertificatesReady, true, aggv1alpha1.ReasonIssued, "CA and serving certificate are valid")
	}
}

func setDeploymentAvailable(cas *aggv1alpha1.CustomApiServer, ok bool, reason, msg string) {
	setCondition(cas, aggv1alpha1.ConditionDeploymentAvailable, ok, reason, msg)
}

func setAPIServicesAvailable(cas *aggv1alpha1.CustomApiServer, ok bool, reason, msg string) {
	setCondition(cas, aggv1alpha1.ConditionAPIServicesAvailable, ok, reason, msg)
}

// setReady summarises: the reconcile problem first, then the first condition that is not True.
func setReady(cas *aggv1alpha1.CustomApiServer, problemReason, problemMsg string) {
	if problemReason != "" {
		setCondition(cas, aggv1alpha1.ConditionReady, false, problemReason, problemMsg)
		return
	}
	summarised := []string{aggv1alpha1.ConditionCertificatesReady, aggv1alpha1.ConditionDeploymentAvailable, aggv1alpha1.ConditionAPIServicesAvailable}
	if managedEtcd(cas) != nil {
		// Before the Deployment: apiserver pods waiting for their etcd say less than the etcd does.
		summarised = slices.Insert(summarised, 1, aggv1alpha1.ConditionStorageReady)
	}
	for _, t := range summarised {
		c := meta.FindStatusCondition(cas.Status.Conditions, t)
		if c == nil || c.Status != metav1.ConditionTrue {
			reason, msg := aggv1alpha1.ReasonPending, t+" not reported yet"
			if c != nil {
				reason, msg = c.Reason, c.Message
			}
			setCondition(cas, aggv1alpha1.ConditionReady, false, reason, msg)
			return
		}
	}
	setCondition(cas, aggv1alpha1.ConditionReady, true, aggv1alpha1.ReasonAvailable, "the aggregated API is served")
}
