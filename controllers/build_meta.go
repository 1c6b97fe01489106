package controllers

import (
	metav1ac "k8s.io/client-go/applyconfigurations/meta/v1"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
)

// ownerRef makes the CustomApiServer the controller of a child, so garbage collection removes the child
// with it and watches map the child's events back to it.
func ownerRef(cas *aggv1alpha1.CustomApiServer) *metav1ac.OwnerReferenceApplyConfiguration {
	return metav1ac.OwnerReference().
		WithAPIVersion(aggv1alpha1.GroupVersion.String()).
		WithKind("CustomApiServer").
		WithName(cas.Name).
		WithUID(cas.UID).
		WithController(true).
		WithBlockOwnerDeletion(true)
}
