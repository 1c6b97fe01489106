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
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cmmetav1 "github.com/cert-manager/cert-manager/pkg/apis/meta/v1"
	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/internal/testutil"
	"example.com/aggregation-operator/test/cluster"
)

// An operator started on a cluster without cert-manager runs; a CustomApiServer in cert-manager mode
// says cert-manager is missing (and gets no Deployment that could not start). Once cert-manager's CRDs
// are installed the operator finds them without a restart, makes the Certificate and follows it through
// the watch it then adds. Its own envtest: the suite's has cert-manager's CRDs from the start.
func TestCertManagerNotInstalled(t *testing.T) {
	env := &envtest.Environment{
		BinaryAssetsDirectory: testutil.KubeBin(t),
		CRDDirectoryPaths:     []string{filepath.Join("..", "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("starting envtest: %v", err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	c, err := client.New(cfg, client.Options{Scheme: testScheme})
	if err != nil {
		t.Fatal(err)
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{Scheme: testScheme, Cache: CacheOptions(), Client: ClientOptions(),
		Metrics: metricsserver.Options{BindAddress: "0"},
		// The suite's manager (if started) has a controller of the same name in this process.
		Controller: config.Controller{SkipNameValidation: ptr.To(true)}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &Reconciler{Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Clock: fakeClock, DefaultImage: testImage,
		Recorder: mgr.GetEventRecorder(EventSource), CertManagerRetry: 500 * time.Millisecond}
	if err := r.SetupWithManager(ctx, mgr); err != nil {
		cancel()
		t.Fatalf("the operator does not start without cert-manager: %v", err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := mgr.Start(ctx); err != nil {
			t.Errorf("manager: %v", err)
		}
	})
	t.Cleanup(func() { cancel(); wg.Wait() })

	cas := newCAS("cm-absent", "cmabsent.example.com", certManagerMode(nil))
	if err := c.Create(ctx, cas); err != nil {
		t.Fatal(err)
	}
	cond := waitCondition(t, c, cas.Name, aggv1alpha1.ConditionCertificatesReady, func(c *metav1.Condition) bool {
		return c.Reason == aggv1alpha1.ReasonCertManagerNotInstalled
	})
	if cond.Status != metav1.ConditionFalse || !strings.Contains(cond.Message, "Install cert-manager") || !strings.Contains(cond.Message, "spec.certificates.certManager") {
		t.Errorf("CertificatesReady %s %q, want False telling to install cert-manager", cond.Status, cond.Message)
	}
	ready := waitCondition(t, c, cas.Name, aggv1alpha1.ConditionReady, func(c *metav1.Condition) bool { return c.Reason != aggv1alpha1.ReasonPending })
	if ready.Status != metav1.ConditionFalse || ready.Reason != aggv1alpha1.ReasonCertManagerNotInstalled {
		t.Errorf("Ready %s/%s, want False/%s", ready.Status, ready.Reason, aggv1alpha1.ReasonCertManagerNotInstalled)
	}
	n := namesFor(cas)
	if err := c.Get(ctx, client.ObjectKey{Namespace: n.Namespace, Name: n.Deployment}, &appsv1.Deployment{}); !apierrors.IsNotFound(err) {
		t.Errorf("Deployment without certificates: %v, want NotFound", err)
	}

	if _, err := envtest.InstallCRDs(cfg, envtest.CRDInstallOptions{Paths: []string{cluster.CertManagerCRDDir()}, ErrorIfPathMissing: true}); err != nil {
		t.Fatalf("installing cert-manager's CRDs: %v", err)
	}
	serving := certificate(n.Namespace, certManagerNames(n).Serving)
	testutil.Eventually(t, 30*time.Second, "the serving Certificate once cert-manager is installed", func(ctx context.Context) error {
		return c.Get(ctx, client.ObjectKeyFromObject(serving), serving)
	})
	waitCondition(t, c, cas.Name, aggv1alpha1.ConditionCertificatesReady, func(c *metav1.Condition) bool {
		return c.Reason == aggv1alpha1.ReasonCertificateNotReady
	})
	// Only the watch added at run time brings this change to the operator: nothing requeues any more.
	notAfter := metav1.NewTime(time.Now().Add(time.Hour).Truncate(time.Second))
	setCertificateStatus(t, c, serving, cmmetav1.ConditionTrue, "Ready", "issued", &notAfter, &notAfter)
	waitCondition(t, c, cas.Name, aggv1alpha1.ConditionCertificatesReady, func(c *metav1.Condition) bool { return c.Status == metav1.ConditionTrue })
}
