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

package testutil

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestPollReturnsOnceTheConditionHolds(t *testing.T) {
	calls := 0
	err := Poll(context.Background(), 5*time.Second, func(context.Context) error {
		if calls++; calls < 3 {
			return errors.New("not yet")
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Errorf("Poll: %v after %d calls, want nil after 3", err, calls)
	}
}

// A wait that times out says why: the condition's last error, not only "timed out".
func TestPollReportsTheLastError(t *testing.T) {
	calls := 0
	err := Poll(context.Background(), 300*time.Millisecond, func(context.Context) error {
		calls++
		return errors.New("replicas 0 of 1")
	})
	if err == nil || !strings.Contains(err.Error(), "replicas 0 of 1") || !strings.Contains(err.Error(), "gave up after") {
		t.Errorf("Poll: %v, want the condition's last error", err)
	}
	if calls < 2 {
		t.Errorf("condition called %d times in 300ms, want it retried", calls)
	}
}
