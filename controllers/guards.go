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
	"fmt"
	"sort"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/component-helpers/auth/rbac/validation"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlevent "sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
)

// LabelGrantable marks ClusterRoles whose rules spec.rbac.rules may grant. The operator grants a rule only
// when these ClusterRoles cover it, and holds them itself (they are aggregated into its
// aggregation-operator-grantable-rules ClusterRole, config/rbac), so RBAC lets it grant them without escalate.
// Holding a rule is not enough: the operator holds Secrets, Deployments and RBAC rights cluster-wide for its
// own work, and must not pass them on.
const LabelGrantable = "aggregation.example.com/grantable"

// namespaceNotAllowed explains why ns may not hold an apiserver, or is empty when it may.
func namespaceNotAllowed(ns, operatorNamespace string) string {
	if operatorNamespace == "" || ns != operatorNamespace {
		return ""
	}
	return fmt.Sprintf("namespace %s is the operator's own namespace: pods there could use the operator's "+
		"ServiceAccount and Secrets, so nothing was created; set spec.namespace to another namespace "+
		"(it is immutable: create a new CustomApiServer)", ns)
}

// notGrantable is RBAC's refusal of the apiserver's ClusterRole because the operator does not hold one of its
// rules: a rule is labelled grantable but the operator's aggregation-operator-grantable-rules ClusterRole (or its
// binding) is missing, or the aggregation has not caught up yet.
type notGrantable struct{ err error }

func (e *notGrantable) Error() string {
	return fmt.Sprintf("RBAC refused to let the operator grant the apiserver's rules, so it does not hold one of them "+
		"(is the operator bound to its grantable-rules ClusterRole, which aggregates ClusterRoles labelled %s=true?): %v",
		LabelGrantable, e.err)
}

func (e *notGrantable) Unwrap() error { return e.err }

// rbacRefusal marks RBAC's escalation refusal ("attempting to grant RBAC permissions not currently held") as
// notGrantable; any other error is returned as it is.
func rbacRefusal(err error) error {
	if err != nil && apierrors.IsForbidden(err) && strings.Contains(err.Error(), "not currently held") {
		return &notGrantable{err: err}
	}
	return err
}

// errorsReason is Ready's reason for failed requests: RulesNotGrantable when that is among them.
func errorsReason(errs []error) string {
	for _, err := range errs {
		var ng *notGrantable
		if errors.As(err, &ng) {
			return aggv1alpha1.ReasonRulesNotGrantable
		}
	}
	return aggv1alpha1.ReasonReconcileError
}

// applyClusterRole applies the apiserver's ClusterRole with the rules of spec.rbac.rules that grantable
// ClusterRoles cover, and records the others as not grantable (they are left out, so taking a rule off the
// grantable list takes it off the apiserver at the next reconcile, which the ClusterRole watch triggers).
func (r *Reconciler) applyClusterRole(ctx context.Context, a *applier, cas *aggv1alpha1.CustomApiServer, n names, o *outcome) {
	var rules []aggv1alpha1.PolicyRule
	if cas.Spec.RBAC != nil {
		rules = cas.Spec.RBAC.Rules
	}
	var grantable []rbacv1.ClusterRole
	if len(rules) > 0 {
		list := &rbacv1.ClusterRoleList{}
		if err := r.Client.List(ctx, list, client.MatchingLabels{LabelGrantable: "true"}); err != nil {
			o.record(fmt.Errorf("listing ClusterRoles labelled %s: %w", LabelGrantable, err))
			return // the ClusterRole stays as it is rather than losing rules on a failed read
		}
		grantable = list.Items
	}
	allowed, refused := splitGrantable(rules, grantable)
	o.notGrantable = notGrantableMessage(refused)
	o.record(rbacRefusal(a.apply(ctx, desiredClusterRole(cas, n, allowed))))
}

// splitGrantable sorts spec.rbac.rules by whether the grantable ClusterRoles cover them, with RBAC's own
// comparison (every verb, group, resource and name a rule grants must be granted by some grantable rule).
// refused maps the index in spec.rbac.rules to the rule.
func splitGrantable(rules []aggv1alpha1.PolicyRule, grantable []rbacv1.ClusterRole) (allowed []rbacv1.PolicyRule, refused map[int]rbacv1.PolicyRule) {
	var owner []rbacv1.PolicyRule
	for _, cr := range grantable {
		owner = append(owner, cr.Rules...)
	}
	refused = map[int]rbacv1.PolicyRule{}
	for i, r := range rules {
		rule := rbacv1.PolicyRule(r)
		if ok, _ := validation.Covers(owner, []rbacv1.PolicyRule{rule}); ok {
			allowed = append(allowed, rule)
		} else {
			refused[i] = rule
		}
	}
	return allowed, refused
}

// notGrantableMessage names the refused rules and what to do, or is empty when none were refused.
func notGrantableMessage(refused map[int]rbacv1.PolicyRule) string {
	if len(refused) == 0 {
		return ""
	}
	idx := make([]int, 0, len(refused))
	for i := range refused {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	var parts []string
	for _, i := range idx {
		r := refused[i]
		what := strings.Join(r.Resources, ",") + " in groups [" + strings.Join(r.APIGroups, ",") + "]"
		if len(r.NonResourceURLs) > 0 {
			what = strings.Join(r.NonResourceURLs, ",")
		}
		parts = append(parts, fmt.Sprintf("spec.rbac.rules[%d] (%s on %s)", i, strings.Join(r.Verbs, ","), what))
	}
	return strings.Join(parts, ", ") + fmt.Sprintf(" not granted: no ClusterRole labelled %s=true covers it. "+
		"The apiserver runs without it; remove it from spec.rbac.rules, or ask a cluster admin to make it grantable "+
		"(README, Security model)", LabelGrantable)
}

// grantableChanged passes events of ClusterRoles that are, or were, labelled grantable: they change what
// every CustomApiServer with spec.rbac.rules may have.
var grantableChanged = predicate.Funcs{
	CreateFunc:  func(e ctrlevent.CreateEvent) bool { return isGrantable(e.Object) },
	UpdateFunc:  func(e ctrlevent.UpdateEvent) bool { return isGrantable(e.ObjectOld) || isGrantable(e.ObjectNew) },
	DeleteFunc:  func(e ctrlevent.DeleteEvent) bool { return isGrantable(e.Object) },
	GenericFunc: func(ctrlevent.GenericEvent) bool { return false },
}

func isGrantable(o client.Object) bool { return o.GetLabels()[LabelGrantable] == "true" }

// customApiServersWithRules maps a grantable ClusterRole's change to every CustomApiServer with rules.
func (r *Reconciler) customApiServersWithRules(ctx context.Context, _ client.Object) []reconcile.Request {
	list := &aggv1alpha1.CustomApiServerList{}
	if err := r.Client.List(ctx, list); err != nil {
		log.FromContext(ctx).Error(err, "listing CustomApiServers after a grantable ClusterRole changed")
		return nil
	}
	var out []reconcile.Request
	for _, cas := range list.Items {
		if cas.Spec.RBAC != nil && len(cas.Spec.RBAC.Rules) > 0 {
			out = append(out, reconcile.Request{NamespacedName: types.NamespacedName{Name: cas.Name}})
		}
	}
	return out
}
