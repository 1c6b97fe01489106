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
