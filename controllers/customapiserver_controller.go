// Package controllers holds the CustomApiServer reconciler: pure builders for every child (build_*.go),
// server-side apply with an ownership check (apply.go), certificates (certificates.go, certs/), status
// (status.go) and deletion (delete.go).
package controllers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/tools/events"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
)

// Reconciler turns a CustomApiServer into namespace, RBAC, certificates, Deployment, Service and APIServices.
type Reconciler struct {
	Client ctrl.Client
	// APIReader reads without the cache (confirms cache misses before creating, checks deletion).
	APIReader ctrl.Reader
	// Clock decides certificate renewal; tests move it instead of sleeping.
	Clock clock.PassiveClock
	// DefaultImage is used when spec.image is empty (operator flag --apiserver-image).
	DefaultImage string
	// Recorder emits events on the CustomApiServer (the manager's GetEventRecorder(EventSource)).
	Recorder events.EventRecorder
}

// +kubebuilder:rbac:groups=aggregation.example.com,resources=customapiservers,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=aggregation.example.com,resources=customapiservers/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=aggregation.example.com,resources=customapiservers/finalizers,verbs=update

// Reconcile reads like a table of contents: get, finalizer, delete or normal, status written once.
func (r *Reconciler) Reconcile(ctx context.Context, req reconcile.Request) (_ reconcile.Result, retErr error) {
	cas := &aggv1alpha1.CustomApiServer{}
	if err := r.Client.Get(ctx, req.NamespacedName, cas); err != nil {
		return reconcile.Result{}, ctrl.IgnoreNotFound(err)
	}
	log.FromContext(ctx).V(1).Info("reconciling", "generation", cas.Generation, "resourceVersion", cas.ResourceVersion)
	if !cas.DeletionTimestamp.IsZero() {
		return r.reconcileDelete(ctx, cas)
	}
	if !controllerutil.ContainsFinalizer(cas, Finalizer) {
		patch := ctrl.MergeFrom(cas.DeepCopy())
		controllerutil.AddFinalizer(cas, Finalizer)
		if err := r.Client.Patch(ctx, cas, patch); err != nil {
			return reconcile.Result{}, fmt.Errorf("adding finalizer: %w", err)
		}
	}

	before := cas.DeepCopy()
	defer func() {
		cas.Status.ObservedGeneration = cas.Generation
		if equality.Semantic.DeepEqual(before.Status, cas.Status) {
			return
		}
		if err := r.Client.Status().Patch(ctx, cas, ctrl.MergeFrom(before)); err != nil {
			if !apierrors.IsNotFound(err) {
				retErr = errors.Join(retErr, fmt.Errorf("writing status: %w", err))
			}
			return
		}
		// Only once the new state is stored: a failed write is retried and must not repeat the events.
		r.emit(cas, apiServiceEvents(before.Status.APIServices, cas.Status.APIServices)...)
	}()
	return r.reconcileNormal(ctx, cas)
}

func (r *Reconciler) now() time.Time {
	if r.Clock == nil {
		return time.Now()
	}
	return r.Clock.Now()
}

// reconcileNormal applies every child in dependency order and records what it saw.
func (r *Reconciler) reconcileNormal(ctx context.Context, cas *aggv1alpha1.CustomApiServer) (reconcile.Result, error) {
	logger := log.FromContext(ctx)
	n := namesFor(cas)
	a := &applier{client: r.Client, reader: r.APIReader, cas: cas}
	image := apiserverImage(cas, r.DefaultImage)
	cas.Status.Namespace, cas.Status.Image = n.Namespace, image

	var conflicts []string
	var errs []error
	// record sorts failures: conflicts are reported in status and not retried, errors are retried.
	record := func(err error) {
		var c *ownerConflict
		switch {
		case err == nil:
		case errors.As(err, &c):
			conflicts = append(conflicts, c.Error())
		default:
			errs = append(errs, err)
		}
	}

	if err := r.ensureNamespace(ctx, a, cas, n); err != nil {
		errs = append(errs, err)
		return r.finish(ctx, cas, n, nil, conflicts, nil, errs)
	}

	plan, err := r.reconcileCertificates(ctx, a, cas, n)
	setCertificatesReady(cas, err)
	record(err)

	record(a.apply(ctx, newServiceAccount(), desiredServiceAccount(cas, n)))
	record(a.apply(ctx, newClusterRole(), desiredClusterRole(cas, n)))
	record(a.apply(ctx, newClusterRoleBinding(), desiredClusterRoleBinding(cas, n)))
	record(a.apply(ctx, newClusterRoleBinding(), desiredAuthDelegator(cas, n)))
	record(a.apply(ctx, newRoleBinding(), desiredAuthReader(cas, n)))
	record(a.apply(ctx, newRole(), desiredRole(cas, n)))
	record(a.apply(ctx, newRoleBinding(), desiredRoleBinding(cas, n)))
	record(a.apply(ctx, newService(), desiredService(cas, n)))
	if plan != nil { // pods cannot start without their certificate
		record(a.apply(ctx, newDeployment(), desiredDeployment(cas, n, image)))
	}
	record(r.reconcilePDB(ctx, a, cas, n))

	var apiConflicts map[string]string
	if plan != nil {
		var err error
		apiConflicts, err = r.reconcileAPIServices(ctx, a, cas, n, plan.Bundle())
		record(err)
	}
	if len(errs) > 0 {
		logger.Error(errors.Join(errs...), "reconcile incomplete")
	}
	res, err := r.finish(ctx, cas, n, apiConflicts, conflicts, plan, errs)
	return res, err
}

// ensureNamespace creates (and owns) the namespace when absent; an existing one that is not ours is used
// as it is, never adopted.
func (r *Reconciler) ensureNamespace(ctx context.Context, a *applier, cas *aggv1alpha1.CustomApiServer, n names) error {
	ns := newNamespace()
	err := a.apply(ctx, ns, desiredNamespace(cas, n))
	var c *ownerConflict
	if errors.As(err, &c) {
		return nil
	}
	return err
}

func (r *Reconciler) reader() ctrl.Reader {
	if r.APIReader != nil {
		return r.APIReader
	}
	return r.Client
}
