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

package server

import (
	"context"
	"testing"
	"time"
)

// TestForcedExit: after the stop signal, the process exits (status 1, after cleanup) on a second
// signal or when the grace period passes, and not at all when Run returns first.
func TestForcedExit(t *testing.T) {
	for _, tc := range []struct {
		name     string
		grace    time.Duration
		second   bool
		runEnds  bool
		wantExit bool
	}{
		{name: "second signal", grace: time.Hour, second: true, wantExit: true},
		{name: "grace passed", grace: 10 * time.Millisecond, wantExit: true},
		{name: "stopped in time", grace: time.Hour, runEnds: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, stop := context.WithCancel(context.Background())
			second, done := make(chan struct{}), make(chan struct{})
			exited := make(chan int, 1)
			cleaned := false
			f := &forcedExit{second: second, exit: func(code int) { exited <- code }}
			watching := make(chan struct{})
			go func() { defer close(watching); f.watch(ctx, done, tc.grace, func() { cleaned = true }) }()
			stop()
			if tc.second {
				close(second)
			}
			if tc.runEnds {
				close(done)
			}
			select {
			case <-watching:
			case <-time.After(10 * time.Second):
				t.Fatal("watch did not return")
			}
			select {
			case code := <-exited:
				if !tc.wantExit || code != 1 || !cleaned {
					t.Fatalf("exit(%d) after cleanup=%v; want exit: %v (status 1, after cleanup)", code, cleaned, tc.wantExit)
				}
			default:
				if tc.wantExit || cleaned {
					t.Fatalf("no exit, cleanup=%v; want exit: %v", cleaned, tc.wantExit)
				}
			}
		})
	}
}
