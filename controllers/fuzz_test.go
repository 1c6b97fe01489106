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
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
)

// FuzzChildBuilders runs every pure builder on any CustomApiServer that decodes from JSON (the
// CRD's schema and CEL rules narrow what reaches the operator; the builders must not rely on it):
// they never panic, the contract flags come first and the user's args last, unchanged, and every
// child is named after the object.
//
//	go test ./controllers -run '^$' -fuzz FuzzChildBuilders -fuzztime 30s
func FuzzChildBuilders(f *testing.F) {
	for _, cas := range []*aggv1alpha1.CustomApiServer{
		specCAS(),
		specCAS(func(c *aggv1alpha1.CustomApiServer) {
			c.Spec.Replicas, c.Spec.Storage = 1, &aggv1alpha1.StorageSpec{Embedded: &aggv1alpha1.EmbeddedStorage{}}
			c.Spec.Namespace, c.Spec.Args = "team-a", []string{"--source=prometheus=http://prometheus:9090", "--api-group=widgets.example.com"}
			c.Spec.RBAC = &aggv1alpha1.RBACSpec{Rules: []aggv1alpha1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get"}}}}
		}),
	} {
		seed, err := json.Marshal(cas)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(seed)
	}
	f.Add([]byte(`{"metadata":{"name":""},"spec":{"apiServices":[{}],"storage":{"etcd":{"servers":null}},"rbac":{"rules":[{}]}}}`))
	f.Add([]byte(`{"spec":{"replicas":-1,"securePort":-70000,"affinity":{"podAntiAffinity":{}}}}`))
	grantable := []rbacv1.ClusterRole{{Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get", "list"}}}}}
	f.Fuzz(func(t *testing.T, data []byte) {
		cas := &aggv1alpha1.CustomApiServer{}
		if err := json.Unmarshal(data, cas); err != nil {
			return
		}
		n := namesFor(cas)
		args := deploymentArgs(cas, 0)
		if args[0] != fmt.Sprintf("--secure-port=%d", cas.Spec.SecurePort) || !slices.Equal(args[len(args)-len(cas.Spec.Args):], cas.Spec.Args) {
			t.Fatalf("args %q: want the contract flags first and spec.args %q last", args, cas.Spec.Args)
		}
		if n.Deployment != cas.Name || n.ClusterRole != "aggregation:"+cas.Name || (cas.Spec.Namespace != "" && n.Namespace != cas.Spec.Namespace) {
			t.Fatalf("names %+v for %q in %q", n, cas.Name, cas.Spec.Namespace)
		}
		desiredDeployment(cas, n, apiserverImage(cas, "default:image"), 0)
		desiredService(cas, n)
		desiredPDB(cas, n)
		desiredNamespace(cas, n)
		desiredServiceAccount(cas, n)
		for _, s := range cas.Spec.APIServices {
			desiredAPIService(cas, n, s, []byte("ca"))
		}
		var rules []aggv1alpha1.PolicyRule
		if cas.Spec.RBAC != nil {
			rules = cas.Spec.RBAC.Rules
		}
		allowed, refused := splitGrantable(rules, grantable)
		if len(allowed)+len(refused) != len(rules) {
			t.Fatalf("%d rules sorted into %d allowed and %d refused", len(rules), len(allowed), len(refused))
		}
		notGrantableMessage(refused)
		desiredClusterRole(cas, n, allowed)
		desiredClusterRoleBinding(cas, n)
		desiredAuthDelegator(cas, n)
		desiredAuthReader(cas, n)
		desiredRole(cas, n)
		desiredRoleBinding(cas, n)
		namespaceNotAllowed(n.Namespace, "aggregation-operator-system")
	})
}
