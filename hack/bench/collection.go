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
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"example.com/aggregation-operator/internal/poll"
)

// collectorLease is the Lease whose holder collects (apiserver/server/leader.go).
const collectorLease = "metricsnapshot-apiserver-collector"

// collectionOff stops the MetricSnapshot server's collector without touching the server: the benchmark
// takes the collector's Lease for an hour, so the server fails to renew it and stops collecting. It
// returns once a new object stays uncollected.
func collectionOff(ctx context.Context, k kube, res dynamic.ResourceInterface, kind objectKind) error {
	// Applied, not patched: right after collectionOn the server may not have made the Lease again yet.
	lease := fmt.Sprintf(`{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":%q,"namespace":%q},`+
		`"spec":{"holderIdentity":"bench","leaseDurationSeconds":3600,"renewTime":%q}}`,
		collectorLease, metricsCAS, time.Now().UTC().Format("2006-01-02T15:04:05.000000Z"))
	if _, err := k.run(ctx, lease, "apply", "--server-side", "--force-conflicts", "--field-manager=bench", "-f", "-"); err != nil {
		return fmt.Errorf("taking the collector's Lease: %w", err)
	}
	return poll.Until(ctx, "collection stopped (a new MetricSnapshot stays uncollected for 5 s)", 2*time.Minute, func(ctx context.Context) error {
		probe := kind.object(99998, 0)
		if _, err := res.Create(ctx, probe, metav1.CreateOptions{}); err != nil {
			return err
		}
		defer func() { _ = res.Delete(context.Background(), probe.GetName(), metav1.DeleteOptions{}) }()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Second):
		}
		got, err := res.Get(ctx, probe.GetName(), metav1.GetOptions{})
		if err != nil {
			return err
		}
		if _, collected, _ := unstructured.NestedString(got.Object, "status", "lastAttemptTime"); collected {
			return errors.New("the server still collects")
		}
		return nil
	})
}

// collectionOn gives the Lease back: the server takes it within its retry period (2 s).
func collectionOn(ctx context.Context, k kube) error {
	_, err := k.run(ctx, "", "-n", metricsCAS, "delete", "lease", collectorLease, "--ignore-not-found")
	return err
}
