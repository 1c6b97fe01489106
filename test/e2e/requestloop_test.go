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
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// requestInterval: every test under load sends a request every 100 ms.
const requestInterval = 100 * time.Millisecond

// requestLoop sends GET path to kube-apiserver (so through the aggregator, for an aggregated API) every
// requestInterval until stopped or limit requests, counting the requests that did not return 200.
type requestLoop struct {
	cancel context.CancelFunc
	done   chan struct{}

	mu     sync.Mutex
	sent   int
	failed int
	errors []string // the first few failures, for the report
}

func startRequestLoop(t *testing.T, path string, limit int) *requestLoop {
	t.Helper()
	rc, err := clientcmd.BuildConfigFromFlags("", cfg.Kubeconfig())
	if err != nil {
		t.Fatalf("loading the admin kubeconfig: %v", err)
	}
	rc.Timeout = 10 * time.Second
	client, err := rest.HTTPClientFor(rc)
	if err != nil {
		t.Fatalf("making an HTTP client for the cluster: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	l := &requestLoop{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(l.done)
		tick := time.NewTicker(requestInterval)
		defer tick.Stop()
		for i := 0; i < limit; i++ {
			err := get(ctx, client, rc.Host+path)
			if ctx.Err() != nil {
				return // stopped mid-request: not a failure of the server
			}
			l.record(err)
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return l
}

func get(ctx context.Context, client *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, body)
	}
	return nil
}

func (l *requestLoop) record(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sent++
	if err != nil {
		l.failed++
		if len(l.errors) < 5 {
			l.errors = append(l.errors, time.Now().Format("15:04:05.000")+" "+err.Error())
		}
	}
}

// count is the number of requests sent so far.
func (l *requestLoop) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sent
}

// snapshot is what the loop saw so far: requests sent and failed, and the first failures.
func (l *requestLoop) snapshot() (sent, failed int, errors []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sent, l.failed, append([]string(nil), l.errors...)
}

// stop ends the loop and returns what it saw.
func (l *requestLoop) stop() (sent, failed int, errors []string) {
	l.cancel()
	<-l.done
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sent, l.failed, l.errors
}
