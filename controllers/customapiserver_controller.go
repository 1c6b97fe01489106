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
	"example.com/aggregation-operator/controllers/certs"
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
	// DefaultEtcdImage runs spec.storage.managed without an image of its own (operator flag --etcd-image;
	// empty: this release's, version.EtcdImage).
	DefaultEtcdImage string
	// Recorder emits events on the CustomApiServer (the manager's GetEventRecorder(EventSource)).
	Recorder events.EventRecorder

	// Dialer reads the certificates the Service's endpoints serve, the proof that lets an older CA leave
	// the caBundle (nil: TLSDialer).
	Dialer EndpointDialer

	// applied lets an unchanged child's apply be skipped.
	applied appliedCache
	// OperatorNamespace is where the operator runs (empty outside a cluster); no apiserver may run there.
	OperatorNamespace string
	// CertManagerRetry: how soon a CustomApiServer in cert-manager mode looks again for cert-manager's CRDs
	// while they are absent (default one minute).
	CertManagerRetry time.Duration

	// certManagerWatch watches cert-manager objects once their CRDs are served (certmanager_watch.go).
	certManagerWatch certManagerWatch
}

// +kubebuilder:rbac:groups=aggregation.example.com,resources=customapiservers,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=aggregation.example.com,resources=customapiservers/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=aggregation.example.com,resources=customapiservers/finalizers,verbs=update

// Reconcile gets the object, makes sure the finalizer is there and branches to deletion or the normal
// path. Status is written once, at the end and only when it changed, so a reconcile of an unchanged
// object writes nothing.
func (r *Reconciler) Reconcile(ctx context.Context, req reconcile.Request) (_ reconcile.Result, retErr error) {
	cas := &aggv1alpha1.CustomApiServer{}
	if err := r.Client.Get(ctx, req.NamespacedName, cas); err != nil {
		if apierrors.IsNotFound(err) {
			operatorMetrics.forget(req.Name)
		}
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
	var apiServices []apiServiceObservation // set by reconcileNormal
	defer func() {
		cas.Status.ObservedGeneration = cas.Generation
		operatorMetrics.observe(cas, reconcileFailure(cas, retErr))
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
		r.emit(cas, apiServiceEvents(before.Status.APIServices, apiServices)...)
	}()
	res, apiServices, err := r.reconcileNormal(ctx, cas)
	return res, err
}

func (r *Reconciler) now() time.Time {
	if r.Clock == nil {
		return time.Now()
	}
	return r.Clock.Now()
}

// reconcileNormal applies every child in dependency order and records what it saw.
func (r *Reconciler) reconcileNormal(ctx context.Context, cas *aggv1alpha1.CustomApiServer) (reconcile.Result, []apiServiceObservation, error) {
	n := namesFor(cas)
	a := &applier{client: r.Client, reader: r.APIReader, cas: cas, applied: &r.applied}
	image := apiserverImage(cas, r.DefaultImage)
	cas.Status.Namespace, cas.Status.Image = n.Namespace, image

	var o outcome
	if msg := namespaceNotAllowed(n.Namespace, r.OperatorNamespace); msg != "" {
		setReady(cas, aggv1alpha1.ReasonNamespaceNotAllowed, msg)
		return reconcile.Result{}, nil, nil
	}
	if err := ensureNamespace(ctx, a, cas, n); err != nil {
		o.errs = append(o.errs, err)
		return r.finish(ctx, cas, n, o)
	}

	var err error
	if cas.Spec.Certificates.CertManager != nil {
		o.certManager, o.retryAfter, err = r.reconcileCertManager(ctx, a, cas, n)
		o.record(err)
	} else {
		o.record(r.pruneCertManagerObjects(ctx, cas, nil)) // left from cert-manager mode
		o.plan, err = r.reconcileCertificates(ctx, a, cas, n)
		setCertificatesReady(cas, o.plan, err)
		if !errors.As(err, new(*caInvalid)) {
			o.record(err) // an unusable user CA waits for the user (CertificatesReady says why), not for a retry
		}
	}

	saErr := a.apply(ctx, desiredServiceAccount(cas, n))
	o.record(saErr)
	if errors.As(saErr, new(*ownerConflict)) {
		// Never bind rules to, or run pods as, a ServiceAccount that is someone else's.
		return r.finish(ctx, cas, n, o)
	}
	r.applyClusterRole(ctx, a, cas, n, &o)
	o.record(a.apply(ctx, desiredClusterRoleBinding(cas, n)))
	o.record(a.apply(ctx, desiredAuthDelegator(cas, n)))
	o.record(a.apply(ctx, desiredAuthReader(cas, n)))
	o.record(a.apply(ctx, desiredRole(cas, n)))
	o.record(a.apply(ctx, desiredRoleBinding(cas, n)))
	o.record(a.apply(ctx, desiredService(cas, n)))
	r.reconcileManagedEtcd(ctx, a, cas, n, &o)
	// Pods cannot start without their certificate, and an APIService needs the CA for its caBundle.
	if o.plan != nil || o.certManager {
		o.record(r.applyDeployment(ctx, a, cas, n, image, &o))
	}
	o.record(r.reconcilePDB(ctx, a, cas, n))
	if o.plan != nil || o.certManager {
		var bundle []byte // cert-manager mode: cainjector's
		if o.plan != nil {
			bundle = o.plan.BundlePEM()
		}
		o.apiClaims, err = r.reconcileAPIServices(ctx, a, cas, n, bundle)
		o.record(err)
	}
	if len(o.errs) > 0 {
		log.FromContext(ctx).Error(errors.Join(o.errs...), "reconcile incomplete")
	}
	return r.finish(ctx, cas, n, o)
}

// outcome is what applying the children found; finish turns it into status and the next requeue.
type outcome struct {
	plan         *certs.Plan      // nil when the certificates could not be made or stored
	certManager  bool             // cert-manager mode: the Certificates are in place (cert-manager issues)
	retryAfter   time.Duration    // look again this soon even without an event (cert-manager not installed)
	apiClaims    apiServiceClaims // APIServices someone else has: left untouched, to adopt, adopted
	conflicts    []string         // other children that belong to someone else, left untouched
	notGrantable string           // spec.rbac.rules left out of the ClusterRole: not grantable (guards.go)
	etcdRenewal  time.Time        // when the managed etcd's certificates are next due (zero: no managed etcd)
	etcdServers  int32            // managed etcd members the apiserver is pointed at (0: as for the members spec asks)
	etcdTLS      string           // the etcd client TLS Secret is missing or unusable; the Deployment was left as it is
	errs         []error          // failed requests, retried with backoff
}

// record sorts a failure: conflicts are reported in status and not retried, errors are retried.
func (o *outcome) record(err error) {
	var c *ownerConflict
	switch {
	case err == nil:
	case errors.As(err, &c):
		o.conflicts = append(o.conflicts, c.Error())
	default:
		o.errs = append(o.errs, err)
	}
}

// applyDeployment applies the Deployment. With an etcd client TLS Secret the pod template carries the hash
// of its content, so a rotated certificate rolls the pods; while that Secret is missing or unusable the
// Deployment is left as it is (o.etcdTLS says why), never rolled onto pods that cannot reach etcd.
func (r *Reconciler) applyDeployment(ctx context.Context, a *applier, cas *aggv1alpha1.CustomApiServer, n names, image string, o *outcome) error {
	d := desiredDeployment(cas, n, image, o.etcdServers)
	if name := etcdTLSSecretName(cas); name != "" {
		hash, err := r.etcdClientTLSHash(ctx, n.Namespace, name)
		var problem *etcdTLSProblem
		if errors.As(err, &problem) {
			o.etcdTLS = problem.msg + "; the Deployment is not created or changed until then"
			return nil
		}
		if err != nil {
			return err
		}
		d.Spec.Template.WithAnnotations(map[string]string{annotationEtcdTLSHash: hash})
	}
	return a.apply(ctx, d)
}

// ensureNamespace creates (and owns) the namespace when absent; an existing one that is not ours is used
// as it is, never adopted.
func ensureNamespace(ctx context.Context, a *applier, cas *aggv1alpha1.CustomApiServer, n names) error {
	err := a.apply(ctx, desiredNamespace(cas, n))
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
