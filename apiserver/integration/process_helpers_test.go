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

package integration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"example.com/aggregation-operator/internal/poll"
	"example.com/aggregation-operator/internal/testutil"
)

// The apiserver binary, built once per test run by apiserverBinary and removed by TestMain.
var (
	binaryOnce sync.Once
	binaryDir  string
	binaryPath string
	binaryErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binaryDir != "" {
		_ = os.RemoveAll(binaryDir)
	}
	os.Exit(code)
}

// apiserverBinary builds cmd/apiserver as a user would (go build), once.
func apiserverBinary(t *testing.T) string {
	t.Helper()
	binaryOnce.Do(func() {
		if binaryDir, binaryErr = os.MkdirTemp("", "apiserver-bin-"); binaryErr != nil {
			return
		}
		binaryPath = filepath.Join(binaryDir, "apiserver")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, "go", "build", "-o", binaryPath, "example.com/aggregation-operator/cmd/apiserver").CombinedOutput()
		if err != nil {
			binaryErr = fmt.Errorf("go build ./cmd/apiserver: %w\n%s", err, out)
		}
	})
	if binaryErr != nil {
		t.Fatal(binaryErr)
	}
	return binaryPath
}

// apiserverProcess is the apiserver binary running as a child process.
type apiserverProcess struct {
	URL  string
	Port int
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
	err  error // Wait's, once done is closed
}

// runAPIServer starts the binary on a free loopback port with args and TMPDIR=tmp, and kills it at
// cleanup if the test left it running. It does not wait for it to serve (waitReady does).
func runAPIServer(t *testing.T, tmp string, args ...string) *apiserverProcess {
	t.Helper()
	port := testutil.FreePort(t)
	args = append([]string{"--bind-address=127.0.0.1", fmt.Sprintf("--secure-port=%d", port)}, args...)
	p := &apiserverProcess{URL: fmt.Sprintf("https://127.0.0.1:%d", port), Port: port, out: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(apiserverBinary(t), args...)
	p.cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			t.Logf("apiserver %v output:\n%s", args, p.out)
		}
	})
	return p
}

// waitReady waits (bounded) until /readyz answers 200, failing early if the process exits.
func (p *apiserverProcess) waitReady(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err := poll.Until(ctx, "apiserver process /readyz", time.Minute, func(ctx context.Context) error {
		select {
		case <-p.done:
			cancel()
			return fmt.Errorf("exited before ready (%v): %s", p.err, p.out)
		default:
		}
		return poll.HTTPOK(insecure, p.URL+"/readyz")(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// terminate sends SIGTERM.
func (p *apiserverProcess) terminate(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
}

// wait waits at most timeout for the process to exit and returns its exit code.
func (p *apiserverProcess) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		t.Fatalf("still running %s later; output:\n%s", timeout, p.out)
	}
	var exit *exec.ExitError
	if errors.As(p.err, &exit) {
		return exit.ExitCode()
	}
	if p.err != nil {
		t.Fatal(p.err)
	}
	return 0
}

// syncBuffer is a bytes.Buffer the child's output goroutine and the test may use at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
