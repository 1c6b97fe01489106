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
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiregv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	"k8s.io/utils/ptr"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/internal/testutil"
)

// series gathers controller-runtime's registry, as the /metrics endpoint serves it, and returns the
// operator's series of CustomApiServer name as `metric{label=value,...}` (labels sorted, the
// customapiserver label left out) -> value.
func series(t *testing.T, name string) map[string]float64 {
	t.Helper()
	families, err := ctrlmetrics.Registry.Gather()
	if err != nil {
		t.Fatalf("gathering metrics: %v", err)
	}
	out := map[string]float64{}
	for _, f := range families {
		if !strings.HasPrefix(f.GetName(), "aggregation_operator_") {
			continue
		}
		for _, m := range f.GetMetric() {
			var labels []string
			ours := false
			for _, l := range m.GetLabel() {
				if l.GetName() == "customapiserver" {
					ours = l.GetValue() == name
					continue
				}
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			if ours {
				sort.Strings(labels)
				out[f.GetName()+"{"+strings.Join(labels, ",")+"}"] = value(m)
			}
		}
	}
	return out
}

func value(m *dto.Metric) float64 {
	if m.Counter != nil {
		return m.Counter.GetValue()
	}
	return m.Gauge.GetValue()
}

// waitSeries waits until the series of CustomApiServer name satisfy check.
func waitSeries(t *testing.T, name, what string, check func(map[string]float64) error) map[string]float64 {
	t.Helper()
	var got map[string]float64
	testutil.Eventually(t, 30*time.Second, what, func(context.Context) error {
		got = series(t, name)
		if err := check(got); err != nil {
			return fmt.Errorf("%w; series: %v", err, fmtSeries(got))
		}
		return nil
	})
	return got
}

func fmtSeries(s map[string]float64) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(s)) {
		fmt.Fprintf(&b, "\n  %s %v", k, s[k])
	}
	return b.String()
}

// want checks that every key of w has that value in got.
func want(w map[string]float64) func(map[string]float64) error {
	return func(got map[string]float64) error {
		for k, v := range w {
			g, ok := got[k]
			if !ok {
				return fmt.Errorf("no series %s", k)
			}
			if g != v {
				return fmt.Errorf("%s = %v, want %v", k, g, v)
			}
		}
		return nil
	}
}

func epoch(t *metav1.Time) float64 { return float64(t.UnixMilli()) / 1000 }

const (
	expiration = "aggregation_operator_certificate_expiration_timestamp_seconds"
	renewalAt  = "aggregation_operator_certificate_renewal_timestamp_seconds"
)

// The certificate gauges follow status.certificates through a serving renewal and a CA rotation (moved
// clock), the counters count both, the APIService and Ready gauges follow status, and every series goes
// with the CustomApiServer.
func TestMetricsFollowStatus(t *testing.T) {
	startEnv(t)
	t.Cleanup(func() { fakeClock.SetTime(time.Now()) })
	cas := newCAS("metrics", "metrics-test.example.com")
	createCAS(t, cas)
	cas = reconciled(t, cas.Name)
	renewBefore := 30 * 24 * time.Hour
	certGauges := func(c *aggv1alpha1.CustomApiServer) map[string]float64 {
		s, ca := c.Status.Certificates.ServingNotAfter, c.Status.Certificates.CANotAfter
		return map[string]float64{
			expiration + "{certificate=serving}": epoch(s),
			expiration + "{certificate=ca}":      epoch(ca),
			renewalAt + "{certificate=serving}":  epoch(&metav1.Time{Time: s.Add(-renewBefore)}),
			renewalAt + "{certificate=ca}":       epoch(&metav1.Time{Time: ca.Add(-renewBefore)}),
		}
	}
	w := certGauges(cas)
	maps.Copy(w, map[string]float64{
		// envtest runs no pods: the aggregator finds no endpoints, so neither the APIService nor the
		// CustomApiServer is available.
		"aggregation_operator_apiservice_available{name=v1.metrics-test.example.com}":                  0,
		"aggregation_operator_customapiserver_ready{}":                                                 0,
		"aggregation_operator_serving_certificate_renewals_total{}":                                    0,
		"aggregation_operator_ca_rotations_total{}":                                                    0,
		"aggregation_operator_reconcile_errors_total{reason=" + aggv1alpha1.ReasonReconcileError + "}": 0,
	})
	got := waitSeries(t, cas.Name, "the gauges of a new CustomApiServer", want(w))
	if n := len(got); n != 4+1+1+2+len(reconcileErrorReasons) {
		t.Errorf("%d series, want 4 certificate gauges, 1 APIService, Ready, 2 certificate counters and %d error reasons:%s", n, len(reconcileErrorReasons), fmtSeries(got))
	}

	// The serving certificate's renewal time passes: one renewal, gauges at the new certificate.
	fakeClock.SetTime(cas.Status.Certificates.NextRenewal.Add(time.Minute))
	poke(t, cas.Name)
	var renewed *aggv1alpha1.CustomApiServer
	testutil.Eventually(t, 30*time.Second, "status.certificates after the renewal", func(context.Context) error {
		renewed = reconciled(t, cas.Name)
		if !renewed.Status.Certificates.ServingNotAfter.After(cas.Status.Certificates.ServingNotAfter.Time) {
			return fmt.Errorf("serving notAfter still %s", renewed.Status.Certificates.ServingNotAfter)
		}
		return nil
	})
	w = certGauges(renewed)
	w["aggregation_operator_serving_certificate_renewals_total{}"] = 1
	w["aggregation_operator_ca_rotations_total{}"] = 0
	waitSeries(t, cas.Name, "one serving renewal and the new certificate's gauges", want(w))

	// The CA's renewal time passes: one rotation (and the serving certificate it re-issues is counted too).
	fakeClock.SetTime(renewed.Status.Certificates.CANotAfter.Add(-renewBefore + time.Minute))
	poke(t, cas.Name)
	testutil.Eventually(t, 30*time.Second, "status.certificates after the CA rotation", func(context.Context) error {
		got := reconciled(t, cas.Name)
		if !got.Status.Certificates.CANotAfter.After(renewed.Status.Certificates.CANotAfter.Time) {
			return fmt.Errorf("CA notAfter still %s", got.Status.Certificates.CANotAfter)
		}
		renewed = got
		return nil
	})
	w = certGauges(renewed)
	w["aggregation_operator_ca_rotations_total{}"] = 1
	waitSeries(t, cas.Name, "one CA rotation and the new CA's gauges", want(w))

	if err := k8s.Delete(context.Background(), renewed); err != nil {
		t.Fatal(err)
	}
	waitSeries(t, cas.Name, "no series once the CustomApiServer is gone", func(got map[string]float64) error {
		if len(got) > 0 {
			return fmt.Errorf("%d series left", len(got))
		}
		return nil
	})
}

// A reconcile that fails counts under the Ready reason, and an APIService someone else owns is unavailable.
func TestMetricsReconcileErrors(t *testing.T) {
	startEnv(t)
	cas := newCAS("metrics-refused", "metrics-refused.example.com", func(c *aggv1alpha1.CustomApiServer) { c.Spec.Namespace = testOperatorNamespace })
	createCAS(t, cas)
	waitSeries(t, cas.Name, "NamespaceNotAllowed counted, Ready 0", func(got map[string]float64) error {
		if got["aggregation_operator_reconcile_errors_total{reason="+aggv1alpha1.ReasonNamespaceNotAllowed+"}"] < 1 {
			return fmt.Errorf("no NamespaceNotAllowed error counted")
		}
		return want(map[string]float64{"aggregation_operator_customapiserver_ready{}": 0,
			"aggregation_operator_reconcile_errors_total{reason=" + aggv1alpha1.ReasonReconcileError + "}": 0})(got)
	})

	// An APIService of the wanted name made by hand: the operator leaves it alone and reports it unavailable.
	const taken = "v1.metrics-taken.example.com"
	foreign := &apiregv1.APIService{
		ObjectMeta: metav1.ObjectMeta{Name: taken},
		Spec: apiregv1.APIServiceSpec{Group: "metrics-taken.example.com", Version: "v1", InsecureSkipTLSVerify: true,
			Service:              &apiregv1.ServiceReference{Namespace: "default", Name: "elsewhere", Port: ptr.To[int32](443)},
			GroupPriorityMinimum: 100, VersionPriority: 100},
	}
	if err := k8s.Create(context.Background(), foreign); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = k8s.Delete(context.Background(), foreign) })
	other := newCAS("metrics-conflict", "metrics-taken.example.com")
	createCAS(t, other)
	waitSeries(t, other.Name, "the APIService owned by someone else at 0", want(map[string]float64{
		"aggregation_operator_apiservice_available{name=" + taken + "}": 0}))
	if err := k8s.Delete(context.Background(), other); err != nil {
		t.Fatal(err)
	}
	waitSeries(t, other.Name, "no series once the CustomApiServer is gone", func(got map[string]float64) error {
		if len(got) > 0 {
			return fmt.Errorf("%d series left", len(got))
		}
		return nil
	})
}
