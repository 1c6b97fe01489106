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

// Package poll waits, bounded, until a condition holds, and when it gives up says what it waited for
// and the condition's last error. The tests (through testutil.Eventually), their helpers and the
// cluster harness in test/cluster share it.
package poll

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

// Until calls cond until it returns nil, for at most timeout (or until ctx ends); cond's ctx ends with
// the wait, so its calls are bounded too. It polls every timeout/300, between 100ms and 500ms: often
// for the seconds-long waits on envtest, sparingly for the minutes-long waits on a cluster.
func Until(ctx context.Context, what string, timeout time.Duration, cond func(ctx context.Context) error) error {
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
	return fmt.Errorf("waiting for %s: gave up after %s: %w", what, time.Since(start).Round(time.Millisecond), last)
}

// HTTPOK is a condition for Until: a GET of url with client answers 200 OK.
func HTTPOK(client *http.Client, url string) func(context.Context) error {
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: %s", url, resp.Status)
		}
		return nil
	}
}
