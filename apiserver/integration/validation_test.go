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

package integration

import (
	"fmt"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"example.com/aggregation-operator/apiserver/internal/testserver"
)

// TestBoundedValidation: the inputs against the real server. 10,000 invalid expressions
// get one short "Too many" answer; a 10,000-byte interval is refused for its length; an accepted
// interval is stored in its canonical form; re-spaced duplicates are refused.
func TestBoundedValidation(t *testing.T) {
	server := testserver.Start(t, "--source="+unreachable)
	snapshots := server.Client.MetricsV1().MetricSnapshots(ns)
	ctx := ctxFor(t, time.Minute)

	many := make([]string, 10000)
	for i := range many {
		many[i] = fmt.Sprintf("sum(rate(x_%d[5m])", i)
	}
	start := time.Now()
	result := server.Client.MetricsV1().RESTClient().Post().Namespace(ns).Resource("metricsnapshots").
		Body(snapshot("many", "prometheus", many...)).Do(ctx)
	took := time.Since(start)
	body, _ := result.Raw()
	err := result.Error()
	if !apierrors.IsInvalid(err) || len(causes(err)) != 1 || causes(err)[0].Field != "spec.metrics" || causes(err)[0].Type != metav1.CauseType(field.ErrorTypeTooMany) {
		t.Fatalf("10,000 invalid expressions: want one Too many cause at spec.metrics, got %.500v", err)
	}
	if len(body) > 2048 {
		t.Fatalf("10,000 invalid expressions: a %d-byte answer, want a short one:\n%.500s", len(body), body)
	}
	t.Logf("10,000 invalid expressions: HTTP 422 with %d bytes in %s", len(body), took)

	for name, tc := range map[string]struct {
		metrics  []string
		interval string
		field    string
		typ      field.ErrorType
	}{
		"1s repeated 5000 times": {[]string{"up"}, strings.Repeat("1s", 5000), "spec.interval", field.ErrorTypeTooLong},
		"up, then ' up'":         {[]string{"up", " up"}, "1m", "spec.metrics[1]", field.ErrorTypeDuplicate},
		"up, then 'up '":         {[]string{"up", "up "}, "1m", "spec.metrics[1]", field.ErrorTypeDuplicate},
	} {
		in := snapshot("bad", "prometheus", tc.metrics...)
		in.Spec.Interval = tc.interval
		_, err := snapshots.Create(ctx, in, metav1.CreateOptions{})
		if c := causes(err); len(c) != 1 || c[0].Field != tc.field || c[0].Type != metav1.CauseType(tc.typ) {
			t.Errorf("%s: want one %s cause at %s, got %.500v", name, tc.typ, tc.field, err)
		}
	}

	in := snapshot("canonical", "prometheus", "up", "sum by (job) (\n  up\n)\n")
	in.Spec.Interval = "0.5h60s"
	created, err := snapshots.Create(ctx, in, metav1.CreateOptions{})
	if err != nil || created.Spec.Interval != "31m" {
		t.Fatalf("interval 0.5h60s with a multi-line metric: want it stored as 31m, got %v %v", created, err)
	}
	created.Spec.Interval = "1860s"
	updated, err := snapshots.Update(ctx, created, metav1.UpdateOptions{})
	if err != nil || updated.Spec.Interval != "31m" || updated.Generation != created.Generation {
		t.Fatalf("the same interval spelt 1860s: want 31m at generation %d, got %v %v", created.Generation, updated, err)
	}
}

func causes(err error) []metav1.StatusCause {
	status, ok := err.(apierrors.APIStatus)
	if !ok || status.Status().Details == nil {
		return nil
	}
	return status.Status().Details.Causes
}
