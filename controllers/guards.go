package controllers

import (
	"errors"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// What the operator refuses to do for a CustomApiServer, beyond what the CRD's own validation refuses
// (README, "Security model").
const (
	// ReasonNamespaceNotAllowed (Ready): the apiserver would run in the operator's own namespace, next to the
	// operator's ServiceAccount and Secrets. The CRD cannot refuse it (only the operator knows where it runs),
	// so the operator creates nothing and says so.
	ReasonNamespaceNotAllowed = "NamespaceNotAllowed"
	// ReasonRulesNotGrantable (Ready): spec.rbac.rules holds a rule the operator does not hold itself, so RBAC
	// refuses the ClusterRole (the operator has no escalate). A cluster admin makes rules grantable.
	ReasonRulesNotGrantable = "RulesNotGrantable"
)

// LabelGrantable marks ClusterRoles whose rules the operator may grant through spec.rbac.rules: they are
// aggregated into the operator's aggregation-operator-grantable-rules ClusterRole (config/rbac).
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

// notGrantable is RBAC's refusal of the apiserver's ClusterRole because the operator lacks one of its rules.
type notGrantable struct{ err error }

func (e *notGrantable) Error() string {
	return fmt.Sprintf("spec.rbac.rules asks for permissions the operator does not hold, so it may not grant them "+
		"(a cluster admin makes rules grantable with a ClusterRole labelled %s: \"true\"; README, Security model): %v",
		LabelGrantable, e.err)
}

func (e *notGrantable) Unwrap() error { return e.err }

// grantable marks RBAC's escalation refusal ("attempting to grant RBAC permissions not currently held") as
// notGrantable; any other error is returned as it is.
func grantable(err error) error {
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
			return ReasonRulesNotGrantable
		}
	}
	return ReasonReconcileError
}
