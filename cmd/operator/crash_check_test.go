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
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	apiregv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/controllers"
	"example.com/aggregation-operator/controllers/certs"
	"example.com/aggregation-operator/internal/testutil"
)

func newCrashClient(t *testing.T, cfg *rest.Config) client.Client {
	t.Helper()
	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(apiregv1.AddToScheme(scheme))
	utilruntime.Must(aggv1alpha1.AddToScheme(scheme))
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// childKinds are the kinds of every child the operator makes.
var childKinds = []schema.GroupVersionKind{
	corev1.SchemeGroupVersion.WithKind("Namespace"),
	corev1.SchemeGroupVersion.WithKind("ServiceAccount"),
	corev1.SchemeGroupVersion.WithKind("Secret"),
	corev1.SchemeGroupVersion.WithKind("Service"),
	appsv1.SchemeGroupVersion.WithKind("Deployment"),
	policyv1.SchemeGroupVersion.WithKind("PodDisruptionBudget"),
	rbacv1.SchemeGroupVersion.WithKind("ClusterRole"),
	rbacv1.SchemeGroupVersion.WithKind("ClusterRoleBinding"),
	rbacv1.SchemeGroupVersion.WithKind("Role"),
	rbacv1.SchemeGroupVersion.WithKind("RoleBinding"),
	apiregv1.SchemeGroupVersion.WithKind("APIService"),
}

// object is one child found in the cluster: who it says it belongs to (label, controller reference).
type object struct {
	id          string // Kind/namespace/name
	kind        string
	label       string
	ownerName   string
	ownerUID    string
	terminating bool
	rv          string
}

// ours lists every object of childKinds that carries the operator's label or a CustomApiServer owner reference.
func ours(ctx context.Context, c client.Client) ([]object, error) {
	var out []object
	for _, gvk := range childKinds {
		list := &metav1.PartialObjectMetadataList{}
		list.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
		if err := c.List(ctx, list); err != nil {
			return nil, fmt.Errorf("listing %ss: %w", gvk.Kind, err)
		}
		for _, m := range list.Items {
			o := object{id: gvk.Kind + "/" + m.Namespace + "/" + m.Name, kind: gvk.Kind, label: m.Labels[controllers.LabelOwner],
				terminating: m.DeletionTimestamp != nil, rv: m.ResourceVersion}
			for _, r := range m.OwnerReferences {
				if r.Kind == "CustomApiServer" {
					o.ownerName, o.ownerUID = r.Name, string(r.UID)
				}
			}
			if o.label != "" || o.ownerUID != "" {
				out = append(out, o)
			}
		}
	}
	return out, nil
}

// converged: every live server is as the script last asked, and a deleted one has nothing left but a
// namespace on its way out (the namespace controller finishes it once no unserved APIService is left).
func (s *script) converged(ctx context.Context, c client.Client) error {
	objs, err := ours(ctx, c)
	if err != nil {
		return err
	}
	for _, v := range s.servers {
		if v.deleted {
			err := c.Get(ctx, client.ObjectKey{Name: v.name}, &aggv1alpha1.CustomApiServer{})
			if !apierrors.IsNotFound(err) {
				return fmt.Errorf("deleted %s still there (%v)", v.name, err)
			}
			for _, o := range objs {
				if (o.label == v.name || o.ownerName == v.name) && (o.kind != "Namespace" || !o.terminating) {
					return fmt.Errorf("%s left after %s was deleted", o.id, v.name)
				}
			}
			continue
		}
		if err := v.asAsked(ctx, c); err != nil {
			return fmt.Errorf("%s: %w", v.name, err)
		}
	}
	return nil
}

// asAsked checks one live server: status for its generation, every child there, and the children the script
// changed as it last asked (replicas, PodDisruptionBudget, APIServices and their caBundle, args).
func (v *server) asAsked(ctx context.Context, c client.Client) error {
	cas := &aggv1alpha1.CustomApiServer{}
	if err := c.Get(ctx, client.ObjectKey{Name: v.name}, cas); err != nil {
		return err
	}
	if !controllerutil.ContainsFinalizer(cas, controllers.Finalizer) || cas.Status.ObservedGeneration != cas.Generation {
		return fmt.Errorf("not reconciled: finalizers %v, observedGeneration %d of %d", cas.Finalizers, cas.Status.ObservedGeneration, cas.Generation)
	}
	if cond := meta.FindStatusCondition(cas.Status.Conditions, aggv1alpha1.ConditionCertificatesReady); cond == nil || cond.Status != metav1.ConditionTrue {
		return fmt.Errorf("CertificatesReady %+v", cond)
	}
	ns, n := v.name, v.name
	for _, key := range []struct {
		obj client.Object
		key client.ObjectKey
	}{
		{&corev1.Namespace{}, client.ObjectKey{Name: ns}},
		{&corev1.ServiceAccount{}, client.ObjectKey{Namespace: ns, Name: n}},
		{&corev1.Service{}, client.ObjectKey{Namespace: ns, Name: n}},
		{&rbacv1.Role{}, client.ObjectKey{Namespace: ns, Name: n}},
		{&rbacv1.RoleBinding{}, client.ObjectKey{Namespace: ns, Name: n}},
		{&rbacv1.ClusterRole{}, client.ObjectKey{Name: "aggregation:" + n}},
		{&rbacv1.ClusterRoleBinding{}, client.ObjectKey{Name: "aggregation:" + n}},
		{&rbacv1.ClusterRoleBinding{}, client.ObjectKey{Name: "aggregation:" + n + ":auth-delegator"}},
		{&rbacv1.RoleBinding{}, client.ObjectKey{Namespace: "kube-system", Name: "aggregation:" + n + ":auth-reader"}},
	} {
		if err := c.Get(ctx, key.key, key.obj); err != nil {
			return err
		}
	}
	d := &appsv1.Deployment{}
	if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: n}, d); err != nil {
		return err
	}
	if d.Spec.Replicas == nil || *d.Spec.Replicas != v.replicas {
		return fmt.Errorf("Deployment replicas %v, want %d", d.Spec.Replicas, v.replicas)
	}
	if args := d.Spec.Template.Spec.Containers[0].Args; !containsAll(args, v.args) {
		return fmt.Errorf("Deployment args %v lack %v", args, v.args)
	}
	err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: n}, &policyv1.PodDisruptionBudget{})
	if hasPDB := err == nil; hasPDB != (v.replicas > 1) || (err != nil && !apierrors.IsNotFound(err)) {
		return fmt.Errorf("PodDisruptionBudget there %v with %d replicas (%v)", hasPDB, v.replicas, err)
	}
	ca, err := secretCert(ctx, c, ns, n+"-ca")
	if err != nil {
		return err
	}
	serving, err := secretCert(ctx, c, ns, n+"-serving-cert")
	if err != nil {
		return err
	}
	if serving.CheckSignatureFrom(ca) != nil {
		return errors.New("the serving certificate is not signed by the stored CA")
	}
	apis := &apiregv1.APIServiceList{}
	if err := c.List(ctx, apis, client.MatchingLabels{controllers.LabelOwner: v.name}); err != nil {
		return err
	}
	var got, want []string
	for _, a := range apis.Items {
		got = append(got, a.Name)
		bundle, err := certs.ParseCerts(a.Spec.CABundle)
		if err != nil || len(bundle) != 1 || !bundle[0].Equal(ca) {
			return fmt.Errorf("APIService %s caBundle holds %d certificates (%v), want the stored CA alone", a.Name, len(bundle), err)
		}
	}
	for _, g := range v.groups {
		want = append(want, "v1."+g)
	}
	sort.Strings(got)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		return fmt.Errorf("APIServices %v, want %v", got, want)
	}
	return nil
}

// orphans: every object that says it belongs to a CustomApiServer (label or owner reference) belongs to a
// live one, by name and UID. A deleted server's namespace on its way out is no orphan.
func (s *script) orphans(ctx context.Context, c client.Client) error {
	uids := map[string]string{}
	for _, v := range s.live() {
		cas := &aggv1alpha1.CustomApiServer{}
		if err := c.Get(ctx, client.ObjectKey{Name: v.name}, cas); err != nil {
			return err
		}
		uids[v.name] = string(cas.UID)
	}
	objs, err := ours(ctx, c)
	if err != nil {
		return err
	}
	var bad []string
	for _, o := range objs {
		uid, live := uids[o.label]
		switch {
		case o.kind == "Namespace" && o.terminating && !live:
		case !live || o.ownerName != o.label || o.ownerUID != uid:
			bad = append(bad, fmt.Sprintf("%s (label %q, owner %s uid %s)", o.id, o.label, o.ownerName, o.ownerUID))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("orphaned or misowned objects: %s", strings.Join(bad, "; "))
	}
	return nil
}

// certificateHistory: the CA a server was given is the only one it ever had, unless the script asked for a
// rotation (then exactly one more, or none when the first CA came after the request); its serving
// certificate changed only with the CA or when asked. A deleted server may have gone before the operator
// acted on what was asked.
func (s *script) certificateHistory(h certHistory) error {
	var errs []error
	for _, v := range s.servers {
		minCAs, wantCAs := 1, 1
		if v.rotated {
			wantCAs = 2
		}
		if v.rotatedCA {
			minCAs = 2
		}
		cas, serving := h.ca[v.name], h.serving[v.name]
		switch {
		case !v.deleted && (cas < minCAs || cas > wantCAs):
			errs = append(errs, fmt.Errorf("%s had %d CAs, want %d to %d (rotation asked: %v, with a CA in place: %v)", v.name, cas, minCAs, wantCAs, v.rotated, v.rotatedCA))
		case v.deleted && cas > wantCAs:
			errs = append(errs, fmt.Errorf("deleted %s had %d CAs, at most %d asked", v.name, cas, wantCAs))
		case serving > cas+v.renewals:
			errs = append(errs, fmt.Errorf("%s had %d serving certificates for %d CAs and %d renewals asked", v.name, serving, cas, v.renewals))
		case !v.deleted && v.renewals == 0 && serving != cas:
			errs = append(errs, fmt.Errorf("%s had %d serving certificates for %d CAs, no renewal asked", v.name, serving, cas))
		}
	}
	return errors.Join(errs...)
}

// fixedPoint restarts the operator once more on the converged state: a reconcile of every server must
// change nothing (the state is what the operator itself wants), so no child's or server's resourceVersion moves.
func (s *script) fixedPoint(ctx context.Context, t *testing.T, c client.Client, op *operatorProcess) {
	t.Helper()
	// The snapshot is taken once the running operator has nothing queued or running: convergence is seen
	// from the spec side, while a last reconcile (a status write) may still be on its way.
	testutil.Eventually(t, 30*time.Second, "the converged operator idle", func(context.Context) error {
		_, busy, err := op.reconcileCounts()
		if err == nil && busy > 0 {
			err = fmt.Errorf("%v reconciles queued or running", busy)
		}
		return err
	})
	before, err := s.versions(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	op.kill(t)
	op.start(t)
	live := float64(len(s.live()))
	testutil.Eventually(t, 30*time.Second, "the restarted operator reconciled every server", func(context.Context) error {
		n, busy, err := op.reconcileCounts()
		if err == nil && (n < live || busy > 0) {
			err = fmt.Errorf("%v reconciles of %v servers, %v queued or running", n, live, busy)
		}
		return err
	})
	after, err := s.versions(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	var moved []string
	for id, rv := range after {
		if before[id] != rv {
			moved = append(moved, fmt.Sprintf("%s %s -> %s", id, before[id], rv))
		}
	}
	sort.Strings(moved)
	if len(moved) > 0 {
		t.Errorf("a reconcile of the converged state changed objects: %s", strings.Join(moved, "; "))
	}
}

func (s *script) versions(ctx context.Context, c client.Client) (map[string]string, error) {
	objs, err := ours(ctx, c)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, o := range objs {
		if !o.terminating { // a deleted server's namespace: the namespace controller writes its status
			out[o.id] = o.rv
		}
	}
	list := &aggv1alpha1.CustomApiServerList{}
	if err := c.List(ctx, list); err != nil {
		return nil, err
	}
	for _, cas := range list.Items {
		out["CustomApiServer//"+cas.Name] = cas.ResourceVersion
	}
	return out, nil
}

func (s *script) logStatus(ctx context.Context, t *testing.T, c client.Client) {
	for _, v := range s.live() {
		cas := &aggv1alpha1.CustomApiServer{}
		if err := c.Get(ctx, client.ObjectKey{Name: v.name}, cas); err != nil {
			t.Error(err)
			continue
		}
		var conds []string
		for _, cond := range cas.Status.Conditions {
			conds = append(conds, cond.Type+"="+string(cond.Status)+"/"+cond.Reason)
		}
		t.Logf("%s (replicas %d, %d APIServices, rotated %v, %d renewals): %s", v.name, v.replicas, len(v.groups), v.rotated, v.renewals, strings.Join(conds, " "))
	}
}

// noServers: every CustomApiServer is gone, and with it (the operator's finalizer) every APIService of ours.
func (s *script) noServers(ctx context.Context, c client.Client) error {
	list := &aggv1alpha1.CustomApiServerList{}
	if err := c.List(ctx, list); err != nil {
		return err
	}
	apis := &apiregv1.APIServiceList{}
	if err := c.List(ctx, apis, client.HasLabels{controllers.LabelOwner}); err != nil {
		return err
	}
	if len(list.Items)+len(apis.Items) > 0 {
		return fmt.Errorf("%d CustomApiServers and %d APIServices left", len(list.Items), len(apis.Items))
	}
	return nil
}

// nothingLeft: no object of any kind the operator makes says it belongs to a CustomApiServer.
func (s *script) nothingLeft(ctx context.Context, c client.Client) error {
	objs, err := ours(ctx, c)
	if err != nil {
		return err
	}
	if len(objs) > 0 {
		ids := make([]string, 0, len(objs))
		for _, o := range objs {
			ids = append(ids, o.id)
		}
		return fmt.Errorf("left: %s", strings.Join(ids, ", "))
	}
	return nil
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}
