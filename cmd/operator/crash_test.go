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
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"example.com/aggregation-operator/internal/testutil"
)

const (
	// crashKills is how many times the operator is SIGKILLed while the script runs.
	crashKills = 20
	// crashSeedEnv replays a run: its seed is printed.
	crashSeedEnv = "AGGOP_CRASH_SEED"
)

// TestOperatorSIGKILLedAtRandomConverges runs the operator binary (go build ./cmd/operator) as a process
// against a real kube-apiserver and etcd, with kube-controller-manager's garbage collector and namespace
// controller, and SIGKILLs it at crashKills random moments (seeded) while a script creates, updates
// (replicas, APIServices, args, forced CA rotation and serving renewal) and deletes CustomApiServers,
// restarting it each time. Then: every CustomApiServer's children are as its last spec says, and the operator
// itself, restarted once more, finds nothing to change (no child's resourceVersion moves); nothing is orphaned;
// each server had one CA (two when the script asked for a rotation) and one serving certificate per CA or
// renewal asked, so no key was lost or replaced; deleted ones, and at the end all, leave nothing behind.
// Pods do not run (no kubelet): that does not matter to these properties.
func TestOperatorSIGKILLedAtRandomConverges(t *testing.T) {
	seed := time.Now().UnixNano()
	if s := os.Getenv(crashSeedEnv); s != "" {
		var err error
		if seed, err = strconv.ParseInt(s, 10, 64); err != nil {
			t.Fatalf("%s=%q: %v", crashSeedEnv, s, err)
		}
	}
	t.Logf("seed %d (replay with %s=%d)", seed, crashSeedEnv, seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0)) //nolint:gosec // a replayable schedule, not a secret
	start := time.Now()

	bin := buildOperator(t)
	cfg, kubeconfig := startEnvtest(t)
	kcm := startControllerManager(t, kubeconfig)
	c := newCrashClient(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	secrets := watchCertificates(ctx, t, cfg)
	op := newOperatorProcess(t, bin, kubeconfig)
	t.Logf("set up in %s (operator build, envtest, kube-controller-manager)", time.Since(start).Round(time.Millisecond))

	// The kills: each run of the operator gets 0-3 changes to work on and is SIGKILLed 0.1-1.5 s after
	// its start (before, during or after its cache sync and reconciles).
	s := &script{rng: rng}
	killStart := time.Now()
	for k := 1; k <= crashKills; k++ {
		op.start(t)
		for range rng.IntN(4) {
			s.step(ctx, t, c)
		}
		after := time.Duration(100+rng.IntN(1400)) * time.Millisecond
		select {
		case <-time.After(after): // the fault's moment, drawn from the seed: not a wait for anything
		case <-ctx.Done():
		}
		op.kill(t)
		t.Logf("kill %2d at +%s after start; %s", k, after, s.lastOps())
	}
	t.Logf("%d kills in %s; script: %d requests sent, %d failed", crashKills, time.Since(killStart).Round(time.Millisecond), s.sent, s.failed)
	if s.failed > 0 {
		t.Errorf("%d of the script's %d requests failed", s.failed, s.sent)
	}

	op.start(t)
	convStart := time.Now()
	testutil.Eventually(t, 60*time.Second, "every CustomApiServer converged to its last spec, deleted ones gone", func(ctx context.Context) error {
		return s.converged(ctx, c)
	})
	t.Logf("converged %s after the last restart", time.Since(convStart).Round(time.Millisecond))
	s.logStatus(ctx, t, c)
	if err := s.orphans(ctx, c); err != nil {
		t.Error(err)
	}
	if err := s.certificateHistory(secrets.snapshot(s.names())); err != nil {
		t.Error(err)
	}
	s.fixedPoint(ctx, t, c, op)

	// Every server deleted with the operator running: the APIServices go first (its finalizer), then
	// garbage collection and the namespace controller remove the rest. kube-controller-manager is restarted
	// once no APIService is left: until then the namespace controller's discovery fails on them (no pod
	// serves them here) and it backs off.
	endStart := time.Now()
	s.deleteAll(ctx, t, c)
	testutil.Eventually(t, 30*time.Second, "every CustomApiServer and APIService gone", func(ctx context.Context) error { return s.noServers(ctx, c) })
	kcm.restart(t)
	testutil.Eventually(t, 60*time.Second, "nothing of any CustomApiServer left", func(ctx context.Context) error { return s.nothingLeft(ctx, c) })
	t.Logf("all deleted and collected in %s; whole test %s", time.Since(endStart).Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
}
