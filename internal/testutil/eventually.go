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

// Package testutil holds the helpers every test suite in the repository shares: bounded waits, free
// loopback ports, the Kubernetes binaries built from source, and kubeconfig files for test users.
package testutil

import (
	"context"
	"fmt"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

// Poll calls cond until it returns nil, for at most timeout (or until ctx ends), and returns nil or an
// error carrying cond's last error. It polls every timeout/300, between 100ms and 500ms: often for the
// seconds-long waits on envtest, sparingly for the minutes-long waits on a cluster.
func Poll(ctx context.Context, timeout time.Duration, cond func(context.Context) error) error {
	interval := min(max(timeout/300, 100*time.Millisecond), 500*time.Millisecond)
	start := time.Now()
	var last error
	err := wait.PollUntilContextTimeout(ctx, interval, timeout, true, func(ctx context.Context) (bool, error) {
		last = cond(ctx)
		return last == nil, nil
	})
	if err == nil {
		return nil
	}
	if last == nil { // ctx ended before cond ran
		last = err
	}
	return fmt.Errorf("gave up after %s: %w", time.Since(start).Round(time.Millisecond), last)
}

// Eventually waits (bounded by timeout) until cond returns nil, and otherwise fails the test naming
// what it waited for and cond's last error. cond's ctx ends with the wait, so its calls are bounded too.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func(ctx context.Context) error) {
	t.Helper()
	if err := Poll(context.Background(), timeout, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}
