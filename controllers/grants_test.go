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
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/internal/testutil"
)

// operatorClient is a client for a user holding exactly the operator's generated ClusterRole
// (config/rbac/role.yaml), which has no escalate and no bind.
func operatorClient(t *testing.T, user string) client.Client {
	t.Helper()
	ctx := context.Background()
	b, err := os.ReadFile(filepath.Join("..", "config", "rbac", "role.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	role := &rbacv1.ClusterRole{}
	if err := yaml.Unmarshal(b, role); err != nil {
		t.Fatal(err)
	}
	for _, r := range role.Rules {
		for _, v := range r.Verbs {
			if v == "escalate" || v == "bind" || v == "impersonate" || v == "*" {
				t.Fatalf("the operator's ClusterRole holds %q: %+v", v, r)
			}
		}
	}
	role.Name = "test:" + user
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: role.Name},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}},
	}
	for _, o := range []client.Object{role, binding} {
		if err := k8s.Create(ctx, o); err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = k8s.Delete(ctx, o) })
	}
	u, err := testEnv.AddUser(envtest.User{Name: user}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(u.Config(), client.Options{Scheme: testScheme})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// With only its own ClusterRole, the operator can make every RBAC child of a CustomApiServer (RBAC checks
// that it holds each rule it grants), cannot grant a rule it does not hold (RBAC refuses; the error says what
// to check), and can once it holds the rule (in a cluster: the ClusterRole labelled grantable is aggregated
// into the operator's grantable-rules ClusterRole; here the test binds it directly: no aggregation controller).
func TestOperatorGrantsOnlyWhatItHolds(t *testing.T) {
	startEnv(t)
	ctx := context.Background()
	c := operatorClient(t, "operator-without-escalate")
	cas := newCAS("grants", "grants.example.com")
	cas.UID = types.UID("00000000-0000-0000-0000-00000000beef") // never stored: the suite's operator stays out
	n := namesFor(cas)
	if err := k8s.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: n.Namespace}}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	a := &applier{client: c, reader: c, cas: cas, applied: &appliedCache{}}
	var granted []rbacv1.PolicyRule
	apply := func() map[string]error {
		return map[string]error{
			"ClusterRole":                   a.apply(ctx, desiredClusterRole(cas, n, granted)),
			"ClusterRoleBinding":            a.apply(ctx, desiredClusterRoleBinding(cas, n)),
			"system:auth-delegator binding": a.apply(ctx, desiredAuthDelegator(cas, n)),
			"auth-reader RoleBinding":       a.apply(ctx, desiredAuthReader(cas, n)),
			"Role":                          a.apply(ctx, desiredRole(cas, n)),
			"RoleBinding":                   a.apply(ctx, desiredRoleBinding(cas, n)),
		}
	}
	t.Cleanup(func() {
		for _, o := range []client.Object{
			&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: n.ClusterRole}},
			&rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: n.ClusterRoleBinding}},
			&rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: n.AuthDelegator}},
			&rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: n.AuthReader}},
		} {
			_ = k8s.Delete(ctx, o)
		}
	})
	for what, err := range apply() {
		if err != nil {
			t.Errorf("%s without spec.rbac.rules: %v", what, err)
		}
	}

	// A rule made grantable (the operator's own check passes) that the operator does not hold: RBAC refuses.
	unheld := rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"replicationcontrollers"}, Verbs: []string{"list"}}
	granted = []rbacv1.PolicyRule{unheld}
	err := rbacRefusal(apply()["ClusterRole"])
	var ng *notGrantable
	if !errors.As(err, &ng) {
		t.Fatalf("ClusterRole with a rule the operator lacks: %v, want RBAC's escalation refusal", err)
	}
	if got := errorsReason([]error{errors.New("other"), err}); got != aggv1alpha1.ReasonRulesNotGrantable {
		t.Errorf("Ready reason %s, want %s", got, aggv1alpha1.ReasonRulesNotGrantable)
	}
	for _, w := range []string{"RBAC refused to let the operator grant", LabelGrantable, "replicationcontrollers"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q: %v", w, err)
		}
	}

	grant := &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: "test:grantable-replicationcontrollers", Labels: map[string]string{LabelGrantable: "true"}},
		Rules:      []rbacv1.PolicyRule{unheld},
	}
	grantBinding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: grant.Name},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: grant.Name},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "operator-without-escalate"}},
	}
	for _, o := range []client.Object{grant, grantBinding} {
		if err := k8s.Create(ctx, o); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = k8s.Delete(ctx, o) })
	}
	testutil.Eventually(t, 10*time.Second, "ClusterRole applied once the rule is grantable", func(context.Context) error { return apply()["ClusterRole"] })
	role := &rbacv1.ClusterRole{}
	if err := k8s.Get(ctx, client.ObjectKey{Name: n.ClusterRole}, role); err != nil {
		t.Fatal(err)
	}
	if last := role.Rules[len(role.Rules)-1]; len(last.Resources) != 1 || last.Resources[0] != "replicationcontrollers" {
		t.Errorf("ClusterRole's last rule %+v, want the granted replicationcontrollers rule", last)
	}
}
