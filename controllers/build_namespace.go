package controllers

import (
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
)

// desiredNamespace is applied only when the namespace is absent or already ours.
func desiredNamespace(cas *aggv1alpha1.CustomApiServer, n names) *corev1ac.NamespaceApplyConfiguration {
	return corev1ac.Namespace(n.Namespace).
		WithLabels(childLabels(cas)).
		WithOwnerReferences(ownerRef(cas))
}

// desiredServiceAccount is the identity of the apiserver pods.
func desiredServiceAccount(cas *aggv1alpha1.CustomApiServer, n names) *corev1ac.ServiceAccountApplyConfiguration {
	return corev1ac.ServiceAccount(n.ServiceAccount, n.Namespace).
		WithLabels(childLabels(cas)).
		WithOwnerReferences(ownerRef(cas))
}
