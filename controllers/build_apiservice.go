package controllers

import (
	apiregv1ac "k8s.io/kube-aggregator/pkg/client/applyconfiguration/apiregistration/v1"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
)

// desiredAPIService registers one group/version with the aggregator, trusting only caBundle.
func desiredAPIService(cas *aggv1alpha1.CustomApiServer, n names, s aggv1alpha1.APIServiceSpec, caBundle []byte) *apiregv1ac.APIServiceApplyConfiguration {
	return apiregv1ac.APIService(apiServiceName(s)).
		WithLabels(childLabels(cas)).
		WithOwnerReferences(ownerRef(cas)).
		WithSpec(apiregv1ac.APIServiceSpec().
			WithGroup(s.Group).
			WithVersion(s.Version).
			WithService(apiregv1ac.ServiceReference().WithNamespace(n.Namespace).WithName(n.Service).WithPort(servicePort)).
			WithCABundle(caBundle...).
			WithInsecureSkipTLSVerify(false).
			WithGroupPriorityMinimum(s.GroupPriorityMinimum).
			WithVersionPriority(s.VersionPriority))
}
