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
	"sync"

	cmv1 "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/source"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
)

// certManagerWatch starts watching our cert-manager objects once their CRDs are served. The operator must
// start without cert-manager, and a watch (or a manager cache entry) on a kind the API server does not
// serve fails; so the watches are added to the running controller when a reconcile first finds the CRDs.
type certManagerWatch struct {
	mu sync.Mutex
	// ours is the cache the watches use (nil until they are started); it holds our cert-manager objects.
	ours cache.Cache
	// start adds the watches and returns their cache; set by SetupWithManager (nil for a Reconciler without
	// a manager).
	start func(context.Context) (cache.Cache, error)
}

// ensure starts the watches once.
func (w *certManagerWatch) ensure(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ours != nil || w.start == nil {
		return nil
	}
	c, err := w.start(ctx)
	if err != nil {
		return err
	}
	w.ours = c
	return nil
}

// cache is the cache of our cert-manager objects, nil while they are not watched (cert-manager's CRDs
// were not found by this operator process, so it made no such objects).
func (w *certManagerWatch) cache() cache.Cache {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ours
}

// watchCertManager watches Certificates and Issuers controlled by a CustomApiServer (a Certificate turning
// Ready, or renewed, changes status) through a cache of its own that holds only objects with LabelOwner.
// cert-manager's kinds are not in the manager's cache (ClientOptions): its cache options are fixed at start,
// before the CRDs may exist.
func watchCertManager(mgr ctrl.Manager, c controller.Controller) (cache.Cache, error) {
	req, err := labels.NewRequirement(LabelOwner, selection.Exists, nil)
	if err != nil {
		return nil, err
	}
	ours, err := cache.New(mgr.GetConfig(), cache.Options{
		Scheme: mgr.GetScheme(), Mapper: mgr.GetRESTMapper(), HTTPClient: mgr.GetHTTPClient(),
		DefaultLabelSelector: labels.NewSelector().Add(*req),
	})
	if err != nil {
		return nil, fmt.Errorf("making the cert-manager objects' cache: %w", err)
	}
	if err := mgr.Add(ours); err != nil {
		return nil, fmt.Errorf("starting the cert-manager objects' cache: %w", err)
	}
	owner := handler.EnqueueRequestForOwner(mgr.GetScheme(), mgr.GetRESTMapper(), &aggv1alpha1.CustomApiServer{}, handler.OnlyControllerOwner())
	for _, obj := range []client.Object{&cmv1.Certificate{}, &cmv1.Issuer{}} {
		if err := c.Watch(source.Kind(ours, obj, owner)); err != nil {
			return nil, fmt.Errorf("watching %T: %w", obj, err)
		}
	}
	return ours, nil
}

// ClientOptions keeps cert-manager's kinds out of the manager's cache: the client reads them from the
// API server, so a Get never starts an informer on every Certificate of the cluster, nor on a kind whose
// CRD is absent.
func ClientOptions() client.Options {
	return client.Options{Cache: &client.CacheOptions{DisableFor: []client.Object{&cmv1.Certificate{}, &cmv1.Issuer{}}}}
}

// isNoMatch says the API server serves no such kind.
func isNoMatch(err error) bool { return meta.IsNoMatchError(err) }
