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
	"testing"
	"time"

	"example.com/aggregation-operator/internal/poll"
)

// Eventually waits (bounded by timeout) until cond returns nil, and otherwise fails the test naming
// what it waited for and cond's last error. cond's ctx ends with the wait, so its calls are bounded too.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func(ctx context.Context) error) {
	t.Helper()
	if err := poll.Until(context.Background(), what, timeout, cond); err != nil {
		t.Fatal(err)
	}
}
