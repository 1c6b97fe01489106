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

package main

import (
	"fmt"
	"sort"

	"github.com/operator-framework/api/pkg/operators/v1alpha1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// rbacInput is the RBAC config/ installs for the operator.
type rbacInput struct {
	roles        map[string]rbacv1.Role // by name: OLM creates them in the install namespace
	clusterRoles map[string]rbacv1.ClusterRole
	bindings     []rbacv1.RoleBinding
	clusterBinds []rbacv1.ClusterRoleBinding
}

func newRBACInput() rbacInput {
	return rbacInput{roles: map[string]rbacv1.Role{}, clusterRoles: map[string]rbacv1.ClusterRole{}}
}

// add records u when it is an RBAC object and reports whether it was one.
func (r *rbacInput) add(u *unstructured.Unstructured) (bool, error) {
	if u.GroupVersionKind().Group != rbacv1.GroupName {
		return false, nil
	}
	switch u.GetKind() {
	case "Role":
		var o rbacv1.Role
		if err := convert(u, &o); err != nil {
			return true, err
		}
		r.roles[o.Name] = o
	case "ClusterRole":
		var o rbacv1.ClusterRole
		if err := convert(u, &o); err != nil {
			return true, err
		}
		r.clusterRoles[o.Name] = o
	case "RoleBinding":
		var o rbacv1.RoleBinding
		if err := convert(u, &o); err != nil {
			return true, err
		}
		r.bindings = append(r.bindings, o)
	case "ClusterRoleBinding":
		var o rbacv1.ClusterRoleBinding
		if err := convert(u, &o); err != nil {
			return true, err
		}
		r.clusterBinds = append(r.clusterBinds, o)
	default:
		return false, nil
	}
	return true, nil
}

// permissions turns the bindings into the CSV's permissions (namespaced, from RoleBindings) and
// clusterPermissions (from ClusterRoleBindings), one entry per ServiceAccount. A binding to a role that
// config/ does not define cannot be expressed in a CSV and is an error.
func (r rbacInput) permissions() (namespaced, cluster []v1alpha1.StrategyDeploymentPermissions, err error) {
	ns := map[string][]rbacv1.PolicyRule{}
	for _, b := range r.bindings {
		rules, err := r.rulesOf(b.RoleRef, "RoleBinding "+b.Name)
		if err != nil {
			return nil, nil, err
		}
		for _, sa := range serviceAccounts(b.Subjects) {
			ns[sa] = append(ns[sa], rules...)
		}
	}
	cl := map[string][]rbacv1.PolicyRule{}
	for _, b := range r.clusterBinds {
		if b.RoleRef.Kind != "ClusterRole" {
			return nil, nil, fmt.Errorf("ClusterRoleBinding %s refers to a %s", b.Name, b.RoleRef.Kind)
		}
		rules, err := r.rulesOf(b.RoleRef, "ClusterRoleBinding "+b.Name)
		if err != nil {
			return nil, nil, err
		}
		for _, sa := range serviceAccounts(b.Subjects) {
			cl[sa] = append(cl[sa], rules...)
		}
	}
	return bySA(ns), bySA(cl), nil
}

func (r rbacInput) rulesOf(ref rbacv1.RoleRef, binding string) ([]rbacv1.PolicyRule, error) {
	switch ref.Kind {
	case "Role":
		if role, ok := r.roles[ref.Name]; ok {
			return role.Rules, nil
		}
	case "ClusterRole":
		if role, ok := r.clusterRoles[ref.Name]; ok {
			return role.Rules, nil
		}
	}
	return nil, fmt.Errorf("%s refers to %s %s, which the manifests do not define (a CSV can only carry rules)", binding, ref.Kind, ref.Name)
}

func serviceAccounts(subjects []rbacv1.Subject) []string {
	var out []string
	for _, s := range subjects {
		if s.Kind == rbacv1.ServiceAccountKind {
			out = append(out, s.Name)
		}
	}
	return out
}

func bySA(m map[string][]rbacv1.PolicyRule) []v1alpha1.StrategyDeploymentPermissions {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]v1alpha1.StrategyDeploymentPermissions, 0, len(names))
	for _, n := range names {
		out = append(out, v1alpha1.StrategyDeploymentPermissions{ServiceAccountName: n, Rules: m[n]})
	}
	return out
}
