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
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/internal/testutil"
)

// grantRules makes rules grantable for the test's duration, as a cluster admin would: a ClusterRole labelled
// grantable (in a cluster also aggregated into the operator's role; the suite's operator is an admin).
func grantRules(t *testing.T, name string, rules ...rbacv1.PolicyRule) *rbacv1.ClusterRole {
	t.Helper()
	cr := &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: "test-grantable:" + name, Labels: map[string]string{LabelGrantable: "true"}},
		Rules:      rules,
	}
	if err := k8s.Create(context.Background(), cr); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = k8s.Delete(context.Background(), cr) })
	return cr
}

func TestSplitGrantable(t *testing.T) {
	core := []string{""}
	cr := func(rules ...rbacv1.PolicyRule) rbacv1.ClusterRole { return rbacv1.ClusterRole{Rules: rules} }
	grantable := []rbacv1.ClusterRole{
		cr(rbacv1.PolicyRule{APIGroups: core, Resources: []string{"configmaps"}, Verbs: []string{"get", "list", "watch"}}),
		cr(rbacv1.PolicyRule{APIGroups: core, Resources: []string{"secrets"}, ResourceNames: []string{"server-config"}, Verbs: []string{"get"}},
			rbacv1.PolicyRule{NonResourceURLs: []string{"/metrics"}, Verbs: []string{"get"}}),
	}
	tests := []struct {
		name      string
		grantable []rbacv1.ClusterRole
		rule      aggv1alpha1.PolicyRule
		ok        bool
	}{
		{"nothing is grantable as shipped", nil, aggv1alpha1.PolicyRule{APIGroups: core, Resources: []string{"configmaps"}, Verbs: []string{"get"}}, false},
		{"a subset of a grantable rule", grantable, aggv1alpha1.PolicyRule{APIGroups: core, Resources: []string{"configmaps"}, Verbs: []string{"get", "watch"}}, true},
		{"a verb beyond it", grantable, aggv1alpha1.PolicyRule{APIGroups: core, Resources: []string{"configmaps"}, Verbs: []string{"get", "delete"}}, false},
		{"another resource", grantable, aggv1alpha1.PolicyRule{APIGroups: core, Resources: []string{"secrets"}, Verbs: []string{"get"}}, false},
		{"the named secret only", grantable, aggv1alpha1.PolicyRule{APIGroups: core, Resources: []string{"secrets"}, ResourceNames: []string{"server-config"}, Verbs: []string{"get"}}, true},
		{"another group", grantable, aggv1alpha1.PolicyRule{APIGroups: []string{"apps"}, Resources: []string{"configmaps"}, Verbs: []string{"get"}}, false},
		{"a grantable URL", grantable, aggv1alpha1.PolicyRule{NonResourceURLs: []string{"/metrics"}, Verbs: []string{"get"}}, true},
		{"another URL", grantable, aggv1alpha1.PolicyRule{NonResourceURLs: []string{"/debug/pprof"}, Verbs: []string{"get"}}, false},
		{"spread over two grantable roles", append(slices.Clone(grantable), cr(rbacv1.PolicyRule{APIGroups: core, Resources: []string{"events"}, Verbs: []string{"get"}})),
			aggv1alpha1.PolicyRule{APIGroups: core, Resources: []string{"configmaps", "events"}, Verbs: []string{"get"}}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			allowed, refused := splitGrantable([]aggv1alpha1.PolicyRule{tc.rule}, tc.grantable)
			if got := len(allowed) == 1 && len(refused) == 0; got != tc.ok {
				t.Errorf("granted = %v (allowed %v, refused %v), want %v", got, allowed, refused, tc.ok)
			}
		})
	}
	_, refused := splitGrantable([]aggv1alpha1.PolicyRule{
		{APIGroups: core, Resources: []string{"configmaps"}, Verbs: []string{"get"}},
		{APIGroups: core, Resources: []string{"secrets"}, Verbs: []string{"get", "list"}},
		{NonResourceURLs: []string{"/debug/pprof"}, Verbs: []string{"get"}},
	}, grantable)
	msg := notGrantableMessage(refused)
	for _, w := range []string{"spec.rbac.rules[1] (get,list on secrets in groups [])", "spec.rbac.rules[2] (get on /debug/pprof)", LabelGrantable + "=true", "ask a cluster admin"} {
		if !strings.Contains(msg, w) {
			t.Errorf("message lacks %q: %s", w, msg)
		}
	}
	if strings.Contains(msg, "rules[0]") || notGrantableMessage(nil) != "" {
		t.Errorf("message names a granted rule, or speaks with nothing refused: %q", msg)
	}
}

// A rule nobody made grantable stays out of the ClusterRole (even though the operator, an admin here, could
// grant it) and Ready says so; labelling a ClusterRole grantable lets it in with no other change, and taking
// the label off takes it out again.
func TestRulesAreGrantedOnlyWhenGrantable(t *testing.T) {
	startEnv(t)
	ctx := context.Background()
	secrets := rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get"}}
	cas := newCAS("wants-secrets", "secrets.example.com", func(c *aggv1alpha1.CustomApiServer) {
		c.Spec.RBAC = &aggv1alpha1.RBACSpec{Rules: []aggv1alpha1.PolicyRule{aggv1alpha1.PolicyRule(secrets)}}
	})
	createCAS(t, cas)
	n := namesFor(cas)
	hasSecrets := func(want bool) func(context.Context) error {
		return func(context.Context) error {
			role := &rbacv1.ClusterRole{}
			if err := k8s.Get(ctx, client.ObjectKey{Name: n.ClusterRole}, role); err != nil {
				return err
			}
			if got := slices.ContainsFunc(role.Rules, func(r rbacv1.PolicyRule) bool { return slices.Contains(r.Resources, "secrets") }); got != want {
				return fmt.Errorf("ClusterRole %s has secrets = %v, want %v: %+v", n.ClusterRole, got, want, role.Rules)
			}
			return nil
		}
	}
	msg := waitReady(t, cas.Name, aggv1alpha1.ReasonRulesNotGrantable)
	if !strings.Contains(msg, "spec.rbac.rules[0] (get on secrets") {
		t.Errorf("Ready message %q does not name the rule", msg)
	}
	testutil.Eventually(t, 30*time.Second, "secrets rule absent", hasSecrets(false))

	grant := grantRules(t, "secrets", secrets)
	testutil.Eventually(t, 30*time.Second, "secrets rule granted", hasSecrets(true))
	testutil.Eventually(t, 30*time.Second, "Ready no longer RulesNotGrantable", func(context.Context) error {
		got := &aggv1alpha1.CustomApiServer{}
		if err := k8s.Get(ctx, client.ObjectKey{Name: cas.Name}, got); err != nil {
			return err
		}
		if c := meta.FindStatusCondition(got.Status.Conditions, aggv1alpha1.ConditionReady); c == nil || c.Reason == aggv1alpha1.ReasonRulesNotGrantable {
			return fmt.Errorf("Ready still %+v", c)
		}
		return nil
	})

	patch := client.MergeFrom(grant.DeepCopy())
	grant.Labels = nil
	if err := k8s.Patch(ctx, grant, patch); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 30*time.Second, "secrets rule removed", hasSecrets(false))
	waitReady(t, cas.Name, aggv1alpha1.ReasonRulesNotGrantable)
}
