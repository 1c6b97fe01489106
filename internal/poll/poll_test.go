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

package poll

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestUntilReturnsOnceTheConditionHolds(t *testing.T) {
	calls := 0
	err := Until(context.Background(), "three calls", 5*time.Second, func(context.Context) error {
		if calls++; calls < 3 {
			return errors.New("not yet")
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Errorf("Until: %v after %d calls, want nil after 3", err, calls)
	}
}

// A wait that times out says what it waited for and why it gave up: the condition's last error.
func TestUntilReportsWhatAndTheLastError(t *testing.T) {
	calls := 0
	err := Until(context.Background(), "the Deployment", 300*time.Millisecond, func(context.Context) error {
		calls++
		return errors.New("replicas 0 of 1")
	})
	if err == nil || !strings.Contains(err.Error(), "waiting for the Deployment: gave up after") || !strings.Contains(err.Error(), "replicas 0 of 1") {
		t.Errorf("Until: %v, want what it waited for and the condition's last error", err)
	}
	if calls < 2 {
		t.Errorf("condition called %d times in 300ms, want it retried", calls)
	}
}
