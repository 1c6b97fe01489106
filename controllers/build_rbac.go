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
	rbacv1 "k8s.io/api/rbac/v1"
	rbacv1ac "k8s.io/client-go/applyconfigurations/rbac/v1"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
)

// baseClusterRules are what any k8s.io/apiserver (1.30+) server reads with its default options, so a stock
// server runs with no spec.rbac.rules: namespaces (NamespaceLifecycle admission), admission webhook and
// admission policy configurations (the webhook, ValidatingAdmissionPolicy and MutatingAdmissionPolicy
// plugins, GA in 1.30 and 1.36) and API Priority and Fairness' flow schemas and priority levels. Their
// informers gate /readyz (informer-sync, the priority-and-fairness post-start hooks): without list/watch
// a server never becomes ready. SubjectAccessReview is for delegated authorization.
// The operator holds each of these itself (it grants nothing it does not hold; see +kubebuilder:rbac below).
var baseClusterRules = []rbacv1.PolicyRule{
	{APIGroups: []string{""}, Resources: []string{"namespaces"}, Verbs: []string{"get", "list", "watch"}},
	{
		APIGroups: []string{"admissionregistration.k8s.io"},
		Resources: []string{"mutatingwebhookconfigurations", "validatingwebhookconfigurations"},
		Verbs:     []string{"get", "list", "watch"},
	},
	{APIGroups: []string{"authorization.k8s.io"}, Resources: []string{"subjectaccessreviews"}, Verbs: []string{"create"}},
	{
		APIGroups: []string{"admissionregistration.k8s.io"},
		Resources: []string{
			"validatingadmissionpolicies", "validatingadmissionpolicybindings",
			"mutatingadmissionpolicies", "mutatingadmissionpolicybindings",
		},
		Verbs: []string{"list", "watch"},
	},
	{
		APIGroups: []string{"flowcontrol.apiserver.k8s.io"},
		Resources: []string{"flowschemas", "prioritylevelconfigurations"},
		Verbs:     []string{"list", "watch"},
	},
}

// The operator holds every rule it grants: RBAC then lets it create the ClusterRole, Role and bindings
// without the escalate and bind verbs (which would let it grant anything).
// +kubebuilder:rbac:groups=admissionregistration.k8s.io,resources=mutatingwebhookconfigurations;validatingwebhookconfigurations,verbs=get;list;watch
// +kubebuilder:rbac:groups=admissionregistration.k8s.io,resources=validatingadmissionpolicies;validatingadmissionpolicybindings;mutatingadmissionpolicies;mutatingadmissionpolicybindings,verbs=list;watch
// +kubebuilder:rbac:groups=flowcontrol.apiserver.k8s.io,resources=flowschemas;prioritylevelconfigurations,verbs=list;watch
// system:auth-delegator's rules, and extension-apiserver-authentication-reader's (in kube-system):
// +kubebuilder:rbac:groups=authentication.k8s.io,resources=tokenreviews,verbs=create
// +kubebuilder:rbac:groups=authorization.k8s.io,resources=subjectaccessreviews,verbs=create
// +kubebuilder:rbac:groups="",resources=configmaps,resourceNames=extension-apiserver-authentication,verbs=get;list;watch
// namespacedRules, in whichever namespace the apiserver runs:
// +kubebuilder:rbac:groups=coordination.k8s.io,resources=leases,verbs=get;list;watch;create;update
// +kubebuilder:rbac:groups="",resources=events,verbs=create

// namespacedRules let the apiserver elect a leader and record events in its own namespace.
var namespacedRules = []rbacv1.PolicyRule{
	{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, Verbs: []string{"get", "list", "watch", "create", "update"}},
	{APIGroups: []string{""}, Resources: []string{"events"}, Verbs: []string{"create"}},
	{APIGroups: []string{"events.k8s.io"}, Resources: []string{"events"}, Verbs: []string{"create"}},
}

func ruleAC(r rbacv1.PolicyRule) *rbacv1ac.PolicyRuleApplyConfiguration {
	ac := rbacv1ac.PolicyRule().WithVerbs(r.Verbs...)
	if len(r.APIGroups) > 0 {
		ac.WithAPIGroups(r.APIGroups...)
	}
	if len(r.Resources) > 0 {
		ac.WithResources(r.Resources...)
	}
	if len(r.ResourceNames) > 0 {
		ac.WithResourceNames(r.ResourceNames...)
	}
	if len(r.NonResourceURLs) > 0 {
		ac.WithNonResourceURLs(r.NonResourceURLs...)
	}
	return ac
}

func saSubject(n names) *rbacv1ac.SubjectApplyConfiguration {
	return rbacv1ac.Subject().WithKind(rbacv1.ServiceAccountKind).WithName(n.ServiceAccount).WithNamespace(n.Namespace)
}

// desiredClusterRole holds the rules every server needs followed by the granted ones of spec.rbac.rules
// (applyClusterRole decides which).
func desiredClusterRole(cas *aggv1alpha1.CustomApiServer, n names, granted []rbacv1.PolicyRule) *rbacv1ac.ClusterRoleApplyConfiguration {
	ac := rbacv1ac.ClusterRole(n.ClusterRole).WithLabels(childLabels(cas)).WithOwnerReferences(ownerRef(cas))
	for _, r := range append(baseClusterRules[:len(baseClusterRules):len(baseClusterRules)], granted...) {
		ac.WithRules(ruleAC(r))
	}
	return ac
}

// desiredClusterRoleBinding binds the ServiceAccount to desiredClusterRole.
func desiredClusterRoleBinding(cas *aggv1alpha1.CustomApiServer, n names) *rbacv1ac.ClusterRoleBindingApplyConfiguration {
	return clusterRoleBinding(cas, n, n.ClusterRoleBinding, n.ClusterRole)
}

// desiredAuthDelegator lets the apiserver delegate authentication and authorization (TokenReview, SAR).
func desiredAuthDelegator(cas *aggv1alpha1.CustomApiServer, n names) *rbacv1ac.ClusterRoleBindingApplyConfiguration {
	return clusterRoleBinding(cas, n, n.AuthDelegator, "system:auth-delegator")
}

func clusterRoleBinding(cas *aggv1alpha1.CustomApiServer, n names, name, role string) *rbacv1ac.ClusterRoleBindingApplyConfiguration {
	return rbacv1ac.ClusterRoleBinding(name).
		WithLabels(childLabels(cas)).
		WithOwnerReferences(ownerRef(cas)).
		WithRoleRef(rbacv1ac.RoleRef().WithAPIGroup(rbacv1.GroupName).WithKind("ClusterRole").WithName(role)).
		WithSubjects(saSubject(n))
}

// desiredAuthReader lets the apiserver read the client and front-proxy CAs in kube-system.
func desiredAuthReader(cas *aggv1alpha1.CustomApiServer, n names) *rbacv1ac.RoleBindingApplyConfiguration {
	return roleBinding(cas, n, "kube-system", n.AuthReader, "extension-apiserver-authentication-reader")
}

// desiredRole covers leader election and events in the apiserver's namespace.
func desiredRole(cas *aggv1alpha1.CustomApiServer, n names) *rbacv1ac.RoleApplyConfiguration {
	ac := rbacv1ac.Role(n.Role, n.Namespace).WithLabels(childLabels(cas)).WithOwnerReferences(ownerRef(cas))
	for _, r := range namespacedRules {
		ac.WithRules(ruleAC(r))
	}
	return ac
}

// desiredRoleBinding binds desiredRole to the ServiceAccount.
func desiredRoleBinding(cas *aggv1alpha1.CustomApiServer, n names) *rbacv1ac.RoleBindingApplyConfiguration {
	return roleBinding(cas, n, n.Namespace, n.Role, n.Role)
}

func roleBinding(cas *aggv1alpha1.CustomApiServer, n names, ns, name, role string) *rbacv1ac.RoleBindingApplyConfiguration {
	return rbacv1ac.RoleBinding(name, ns).
		WithLabels(childLabels(cas)).
		WithOwnerReferences(ownerRef(cas)).
		WithRoleRef(rbacv1ac.RoleRef().WithAPIGroup(rbacv1.GroupName).WithKind("Role").WithName(role)).
		WithSubjects(saSubject(n))
}
