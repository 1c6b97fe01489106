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

// baseClusterRules are the tutorial's rules: what k8s.io/apiserver reads for namespace lifecycle,
// admission webhooks and delegated authorization.
var baseClusterRules = []rbacv1.PolicyRule{
	{APIGroups: []string{""}, Resources: []string{"namespaces"}, Verbs: []string{"get", "list", "watch"}},
	{
		APIGroups: []string{"admissionregistration.k8s.io"},
		Resources: []string{"mutatingwebhookconfigurations", "validatingwebhookconfigurations"},
		Verbs:     []string{"get", "list", "watch"},
	},
	{APIGroups: []string{"authorization.k8s.io"}, Resources: []string{"subjectaccessreviews"}, Verbs: []string{"create"}},
}

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

// desiredClusterRole holds the tutorial's rules followed by spec.rbac.rules.
func desiredClusterRole(cas *aggv1alpha1.CustomApiServer, n names) *rbacv1ac.ClusterRoleApplyConfiguration {
	ac := rbacv1ac.ClusterRole(n.ClusterRole).WithLabels(childLabels(cas)).WithOwnerReferences(ownerRef(cas))
	for _, r := range baseClusterRules {
		ac.WithRules(ruleAC(r))
	}
	if cas.Spec.RBAC != nil {
		for _, r := range cas.Spec.RBAC.Rules {
			ac.WithRules(ruleAC(r))
		}
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
