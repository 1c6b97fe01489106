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

// Package testenv starts the real components the apiserver's tests run against (Prometheus and
// etcd), on loopback ports picked at run time, and stops them at cleanup.
package testenv

import (
	"bytes"
	"context"
	"net/http"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"example.com/aggregation-operator/internal/poll"
)

// process is a child process whose output is kept for failure messages.
type process struct {
	mu  sync.Mutex
	cmd *exec.Cmd
	out *bytes.Buffer
}

func (p *process) start(t testing.TB, name string, args ...string) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.out = &bytes.Buffer{}
	p.cmd = exec.Command(name, args...)
	p.cmd.Stdout = p.out
	p.cmd.Stderr = p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
}

// stop terminates the process and waits for it (bounded), killing it if it lingers.
func (p *process) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil || p.cmd.Process == nil {
		return
	}
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
	p.cmd = nil
}

func (p *process) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.out == nil {
		return ""
	}
	return p.out.String()
}

// waitHTTP polls url until it answers 200, for at most timeout.
func waitHTTP(url string, timeout time.Duration) error {
	return poll.Until(context.Background(), url, timeout, poll.HTTPOK(http.DefaultClient, url))
}
