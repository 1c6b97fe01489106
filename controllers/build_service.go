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
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	metav1ac "k8s.io/client-go/applyconfigurations/meta/v1"
	policyv1ac "k8s.io/client-go/applyconfigurations/policy/v1"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
)

// servicePort is the port the APIServices point at.
const servicePort = 443

// desiredService exposes the apiserver on 443 -> the container port named https.
func desiredService(cas *aggv1alpha1.CustomApiServer, n names) *corev1ac.ServiceApplyConfiguration {
	return corev1ac.Service(n.Service, n.Namespace).
		WithLabels(childLabels(cas)).
		WithOwnerReferences(ownerRef(cas)).
		WithSpec(corev1ac.ServiceSpec().
			WithSelector(selectorLabels(cas)).
			WithPorts(corev1ac.ServicePort().
				WithName(portName).
				WithPort(servicePort).
				WithProtocol(corev1.ProtocolTCP).
				WithTargetPort(intstr.FromString(portName))))
}

// desiredPDB keeps at most one replica voluntarily down; only built when replicas > 1.
func desiredPDB(cas *aggv1alpha1.CustomApiServer, n names) *policyv1ac.PodDisruptionBudgetApplyConfiguration {
	return policyv1ac.PodDisruptionBudget(n.PDB, n.Namespace).
		WithLabels(childLabels(cas)).
		WithOwnerReferences(ownerRef(cas)).
		WithSpec(policyv1ac.PodDisruptionBudgetSpec().
			WithMaxUnavailable(intstr.FromInt32(1)).
			WithSelector(metav1ac.LabelSelector().WithMatchLabels(selectorLabels(cas))))
}
