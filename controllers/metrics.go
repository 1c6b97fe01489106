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
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
)

// The operator's own metrics, served with controller-runtime's on /metrics and documented in the README
// (Metrics). They are derived from what a reconcile stores in status and from the events it emits, so a
// dashboard and `kubectl describe` never disagree. Every series carries the CustomApiServer's name and is
// dropped when the CustomApiServer is gone.
var (
	certExpirationDesc = prometheus.NewDesc("aggregation_operator_certificate_expiration_timestamp_seconds",
		"When the certificate expires (notAfter), in seconds since the epoch; certificate is serving or ca.",
		[]string{"customapiserver", "certificate"}, nil)
	certRenewalDesc = prometheus.NewDesc("aggregation_operator_certificate_renewal_timestamp_seconds",
		"When the operator renews the certificate (notAfter - spec.certificates.renewBefore), in seconds since the epoch.",
		[]string{"customapiserver", "certificate"}, nil)
	servingRenewalsDesc = prometheus.NewDesc("aggregation_operator_serving_certificate_renewals_total",
		"Serving certificates renewed (the ServingCertificateRenewed events).", []string{"customapiserver"}, nil)
	caRotationsDesc = prometheus.NewDesc("aggregation_operator_ca_rotations_total",
		"CAs rotated (the CARotated events).", []string{"customapiserver"}, nil)
	apiServiceAvailableDesc = prometheus.NewDesc("aggregation_operator_apiservice_available",
		"1 when the aggregator reports the APIService Available, 0 otherwise (unavailable, unknown, or owned by someone else).",
		[]string{"customapiserver", "name"}, nil)
	readyDesc = prometheus.NewDesc("aggregation_operator_customapiserver_ready",
		"1 when the CustomApiServer's Ready condition is True, 0 otherwise.", []string{"customapiserver"}, nil)
	reconcileErrorsDesc = prometheus.NewDesc("aggregation_operator_reconcile_errors_total",
		"Reconciles that left the CustomApiServer not Ready because of a failure, by the Ready reason.",
		[]string{"customapiserver", "reason"}, nil)
)

// reconcileErrorReasons are the Ready reasons counted as reconcile errors: the operator failed (and
// retries) or was kept from doing its job. Each starts at 0, so rate() and increase() see the first one.
var reconcileErrorReasons = []string{
	aggv1alpha1.ReasonReconcileError, aggv1alpha1.ReasonRulesNotGrantable,
	aggv1alpha1.ReasonOwnershipConflict, aggv1alpha1.ReasonNamespaceNotAllowed,
}

// operatorMetrics is registered once with controller-runtime's registry, like its own metrics.
var operatorMetrics = newMetrics()

func init() { ctrlmetrics.Registry.MustRegister(operatorMetrics) }

// metrics is a collector over one snapshot per CustomApiServer. A snapshot's gauges are replaced whole by
// each reconcile, so an APIService that left spec.apiServices leaves no stale series and a scrape never
// sees a half-updated set.
type metrics struct {
	mu    sync.Mutex
	byCAS map[string]*casMetrics
}

type casMetrics struct {
	expiration, renewal map[string]time.Time // certificate (serving, ca) -> time
	apiServices         map[string]bool      // APIService name -> available
	ready               bool
	servingRenewals     float64
	caRotations         float64
	reconcileErrors     map[string]float64 // reason -> count
}

func newMetrics() *metrics { return &metrics{byCAS: map[string]*casMetrics{}} }

// entry returns the CustomApiServer's snapshot, making it (counters at 0) if needed; m.mu is held.
func (m *metrics) entry(name string) *casMetrics {
	e := m.byCAS[name]
	if e == nil {
		e = &casMetrics{reconcileErrors: map[string]float64{}}
		for _, r := range reconcileErrorReasons {
			e.reconcileErrors[r] = 0
		}
		m.byCAS[name] = e
	}
	return e
}

// observe records what a reconcile stored in cas's status; failed is the Ready reason when the reconcile
// failed (reconcileFailure), else empty.
func (m *metrics) observe(cas *aggv1alpha1.CustomApiServer, failed string) {
	expiration, renewal := map[string]time.Time{}, map[string]time.Time{}
	if c := cas.Status.Certificates; c != nil {
		renewBefore := lifetimes(cas).RenewBefore
		for cert, t := range map[string]*metav1.Time{"serving": c.ServingNotAfter, "ca": c.CANotAfter} {
			if t != nil {
				expiration[cert], renewal[cert] = t.Time, t.Add(-renewBefore)
			}
		}
	}
	apiServices := map[string]bool{}
	for _, s := range cas.Status.APIServices {
		apiServices[s.Name] = s.Available == metav1.ConditionTrue
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.entry(cas.Name)
	e.expiration, e.renewal, e.apiServices = expiration, renewal, apiServices
	e.ready = meta.IsStatusConditionTrue(cas.Status.Conditions, aggv1alpha1.ConditionReady)
	if failed != "" {
		e.reconcileErrors[failed]++
	}
}

// countEvents counts the certificate events emitted on a CustomApiServer.
func (m *metrics) countEvents(name string, evs []event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, ev := range evs {
		switch ev.Reason {
		case aggv1alpha1.EventServingCertificateRenewed:
			m.entry(name).servingRenewals++
		case aggv1alpha1.EventCARotated:
			m.entry(name).caRotations++
		}
	}
}

// forget drops every series of a CustomApiServer that is gone.
func (m *metrics) forget(name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.byCAS, name)
}

// reconcileFailure is the Ready reason when a reconcile failed (one of reconcileErrorReasons), or
// ReconcileError when it returned an error that Ready does not show; else empty.
func reconcileFailure(cas *aggv1alpha1.CustomApiServer, err error) string {
	if c := meta.FindStatusCondition(cas.Status.Conditions, aggv1alpha1.ConditionReady); c != nil &&
		c.Status == metav1.ConditionFalse && slices.Contains(reconcileErrorReasons, c.Reason) {
		return c.Reason
	}
	if err != nil {
		return aggv1alpha1.ReasonReconcileError
	}
	return ""
}

func (m *metrics) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{certExpirationDesc, certRenewalDesc, servingRenewalsDesc, caRotationsDesc,
		apiServiceAvailableDesc, readyDesc, reconcileErrorsDesc} {
		ch <- d
	}
}

func (m *metrics) Collect(ch chan<- prometheus.Metric) {
	m.mu.Lock()
	defer m.mu.Unlock()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	for name, e := range m.byCAS {
		for cert, t := range e.expiration {
			gauge(certExpirationDesc, unixSeconds(t), name, cert)
		}
		for cert, t := range e.renewal {
			gauge(certRenewalDesc, unixSeconds(t), name, cert)
		}
		for svc, ok := range e.apiServices {
			gauge(apiServiceAvailableDesc, boolValue(ok), name, svc)
		}
		gauge(readyDesc, boolValue(e.ready), name)
		counter(servingRenewalsDesc, e.servingRenewals, name)
		counter(caRotationsDesc, e.caRotations, name)
		for reason, n := range e.reconcileErrors {
			counter(reconcileErrorsDesc, n, name, reason)
		}
	}
}

func unixSeconds(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
