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
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"example.com/aggregation-operator/internal/testutil"
)

// buildOperator builds this package's binary, as the image holds it, into the test's temporary dir.
func buildOperator(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "operator")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/operator: %v\n%s", err, out)
	}
	return bin
}

// process is a program the test runs, with its output in a log file shown when the test fails.
type process struct {
	name string
	bin  string
	args []string
	log  string
	cmd  *exec.Cmd
	done chan struct{}
}

func newProcess(t *testing.T, name, bin string, args ...string) *process {
	p := &process{name: name, bin: bin, args: args, log: filepath.Join(t.TempDir(), name+".log")}
	t.Cleanup(func() {
		p.stop(t)
		if t.Failed() {
			b, _ := os.ReadFile(p.log)
			t.Logf("%s log (last 4000 bytes):\n%s", name, tail(b, 4000))
		}
	})
	return p
}

func (p *process) start(t *testing.T) {
	t.Helper()
	f, err := os.OpenFile(p.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	fmt.Fprintf(f, "---- %s start %s\n", p.name, time.Now().Format(time.RFC3339Nano))
	p.cmd = exec.Command(p.bin, p.args...)
	p.cmd.Stdout, p.cmd.Stderr = f, f
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", p.name, err)
	}
	p.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { _ = cmd.Wait(); close(done) }(p.cmd, p.done)
}

// kill sends SIGKILL and waits until the process is gone.
func (p *process) kill(t *testing.T) {
	t.Helper()
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s (pid %d) still running 10s after SIGKILL", p.name, p.cmd.Process.Pid)
	}
	p.cmd = nil
}

// stop asks the process to end (SIGTERM), then kills it.
func (p *process) stop(t *testing.T) {
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		p.cmd = nil
	case <-time.After(15 * time.Second):
		p.kill(t)
	}
}

func (p *process) restart(t *testing.T) {
	t.Helper()
	p.stop(t)
	p.start(t)
}

// operatorProcess runs the operator binary against kubeconfig with plain-HTTP metrics on loopback, so the
// test can tell when it has reconciled.
type operatorProcess struct {
	*process
	metrics string
}

func newOperatorProcess(t *testing.T, bin, kubeconfig string) *operatorProcess {
	metrics, probes := freeAddr(t), freeAddr(t)
	return &operatorProcess{
		metrics: metrics,
		process: newProcess(t, "operator", bin, "--kubeconfig", kubeconfig, "--metrics-bind-address", metrics, "--metrics-secure=false",
			"--health-probe-bind-address", probes, "--apiserver-image", "example.test/apiserver:1", "--zap-log-level", "error"),
	}
}

// reconcileCounts reads the CustomApiServer controller's reconciles so far and its queue: items waiting and
// workers busy.
func (o *operatorProcess) reconcileCounts() (reconciles, busy float64, err error) {
	body, err := get("http://" + o.metrics + "/metrics")
	if err != nil {
		return 0, 0, err
	}
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		l := sc.Text()
		i := strings.LastIndexByte(l, ' ')
		if i < 0 || !strings.Contains(l, `controller="customapiserver"`) {
			continue
		}
		v, _ := strconv.ParseFloat(l[i+1:], 64)
		switch {
		case strings.HasPrefix(l, "controller_runtime_reconcile_total{"):
			reconciles += v
		case strings.HasPrefix(l, "workqueue_depth{"), strings.HasPrefix(l, "controller_runtime_active_workers{"):
			busy += v
		}
	}
	return reconciles, busy, nil
}

// startControllerManager runs kube-controller-manager's garbage collector and namespace controller, which
// envtest lacks, so deletion is tested to its end.
func startControllerManager(t *testing.T, kubeconfig string) *process {
	p := newProcess(t, "kube-controller-manager", filepath.Join(testutil.KubeBin(t), "kube-controller-manager"),
		"--kubeconfig", kubeconfig, "--controllers=garbagecollector,namespace", "--leader-elect=false", "--secure-port=0", "-v=1")
	p.start(t)
	return p
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
