package controllers

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiregv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
)

// Empty typed objects the applier reads the live state into.
func newNamespace() *corev1.Namespace                   { return &corev1.Namespace{} }
func newServiceAccount() *corev1.ServiceAccount         { return &corev1.ServiceAccount{} }
func newSecret() *corev1.Secret                         { return &corev1.Secret{} }
func newService() *corev1.Service                       { return &corev1.Service{} }
func newDeployment() *appsv1.Deployment                 { return &appsv1.Deployment{} }
func newPDB() *policyv1.PodDisruptionBudget             { return &policyv1.PodDisruptionBudget{} }
func newClusterRole() *rbacv1.ClusterRole               { return &rbacv1.ClusterRole{} }
func newClusterRoleBinding() *rbacv1.ClusterRoleBinding { return &rbacv1.ClusterRoleBinding{} }
func newRole() *rbacv1.Role                             { return &rbacv1.Role{} }
func newRoleBinding() *rbacv1.RoleBinding               { return &rbacv1.RoleBinding{} }
func newAPIService() *apiregv1.APIService               { return &apiregv1.APIService{} }
