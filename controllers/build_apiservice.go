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
