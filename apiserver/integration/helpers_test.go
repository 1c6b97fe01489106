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
	"context"
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	metricsv1 "example.com/aggregation-operator/apiserver/apis/metrics/v1"
	"example.com/aggregation-operator/apiserver/generated/clientset/versioned"
	"example.com/aggregation-operator/internal/testutil"
)

const ns = "default"

func ctxFor(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func snapshot(name, source string, metrics ...string) *metricsv1.MetricSnapshot {
	return &metricsv1.MetricSnapshot{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec:       metricsv1.MetricSnapshotSpec{Source: source, Metrics: metrics, Interval: "10s"},
	}
}

// waitFor polls the object until cond holds, for at most timeout, and returns the last object seen.
func waitFor(t *testing.T, c versioned.Interface, name string, timeout time.Duration, what string, cond func(*metricsv1.MetricSnapshot) bool) *metricsv1.MetricSnapshot {
	t.Helper()
	var last *metricsv1.MetricSnapshot
	testutil.Eventually(t, timeout, what, func(ctx context.Context) error {
		s, err := c.MetricsV1().MetricSnapshots(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if last = s; !cond(s) {
			return fmt.Errorf("last seen: %+v", s)
		}
		return nil
	})
	return last
}
