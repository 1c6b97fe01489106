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
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
)

// podSecurityEnforce makes Pod Security admission hold every pod of a namespace we create to the
// "restricted" profile; the apiserver's pods meet it (desiredDeployment), anything else is refused.
var podSecurityEnforce = map[string]string{"pod-security.kubernetes.io/enforce": "restricted"}

// desiredNamespace is applied only when the namespace is absent or already ours.
func desiredNamespace(cas *aggv1alpha1.CustomApiServer, n names) *corev1ac.NamespaceApplyConfiguration {
	return corev1ac.Namespace(n.Namespace).
		WithLabels(childLabels(cas)).
		WithLabels(podSecurityEnforce).
		WithOwnerReferences(ownerRef(cas))
}

// desiredServiceAccount is the identity of the apiserver pods.
func desiredServiceAccount(cas *aggv1alpha1.CustomApiServer, n names) *corev1ac.ServiceAccountApplyConfiguration {
	return corev1ac.ServiceAccount(n.ServiceAccount, n.Namespace).
		WithLabels(childLabels(cas)).
		WithOwnerReferences(ownerRef(cas))
}
