//go:build e2e

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

package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/aggregation-operator/internal/testutil"
)

// kubectl runs the real kubectl as the cluster admin and fails the test on error.
func kubectl(t *testing.T, args ...string) string {
	t.Helper()
	out, err := cfg.KubectlOutput(context.Background(), "", args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// kubectlApply pipes a manifest into `kubectl apply -f -`.
func kubectlApply(t *testing.T, manifest string) {
	t.Helper()
	if _, err := cfg.KubectlOutput(context.Background(), manifest, "apply", "-f", "-"); err != nil {
		t.Fatal(err)
	}
}

// kubectlAs runs kubectl with another kubeconfig and returns stdout+stderr and the error.
func kubectlAs(kubeconfig string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, cfg.Kubectl(), append([]string{"--kubeconfig=" + kubeconfig}, args...)...).CombinedOutput()
	return string(out), err
}

// kubectlJSON decodes `kubectl get ... -o json` into v.
func kubectlJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	out := kubectl(t, append(args, "-o", "json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("decoding kubectl %s: %v", strings.Join(args, " "), err)
	}
}

// gone is a wait condition on `kubectl get -o name` output: nil once it is empty, else what is left.
func gone(out string) error {
	if out != "" {
		return fmt.Errorf("still there: %s", out)
	}
	return nil
}

// step is one step of a test that runs in one shared cluster state.
type step struct {
	name string
	fn   func(*testing.T)
}

// runSteps runs steps in order as subtests; a failure among the first setup steps ends the test, since
// the later ones depend on them.
func runSteps(t *testing.T, setup int, steps []step) {
	t.Helper()
	for i, s := range steps {
		if !t.Run(s.name, s.fn) && i < setup {
			t.Fatalf("step %q failed; later steps depend on it", s.name)
		}
	}
}

// hostProcesses are processes the suite started on the host (Prometheus); stopped before teardown.
var hostProcesses struct {
	sync.Mutex
	cmds []*exec.Cmd
}

func stopHostProcesses() {
	hostProcesses.Lock()
	defer hostProcesses.Unlock()
	for _, c := range hostProcesses.cmds {
		if c.Process != nil {
			_ = c.Process.Kill()
			_ = c.Wait()
		}
	}
	hostProcesses.cmds = nil
}

// condition is one entry of status.conditions.
type condition struct {
	Type    string `json:"type"`
	Status  string `json:"status"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

func findCondition(conds []condition, typ string) condition {
	for _, c := range conds {
		if c.Type == typ {
			return c
		}
	}
	return condition{Type: typ, Status: "Missing"}
}

func fmtConditions(conds []condition) string {
	var b strings.Builder
	for _, c := range conds {
		fmt.Fprintf(&b, "%s=%s(%s: %s) ", c.Type, c.Status, c.Reason, c.Message)
	}
	return b.String()
}

// eventually adapts a (done, detail) condition to testutil.Eventually.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	testutil.Eventually(t, timeout, what, func(context.Context) error {
		if ok, detail := cond(); !ok {
			return errors.New(detail)
		}
		return nil
	})
}
