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
	"net/http"
	"testing"
	"time"

	"example.com/aggregation-operator/apiserver/internal/testserver"
)

// TestShutdownDelay: told to stop, a server with --shutdown-delay-duration fails /readyz but goes on
// serving API requests until the delay is over, so the aggregator can drop its endpoint before it
// stops listening (the operator passes the flag; without it rollouts fail requests).
func TestShutdownDelay(t *testing.T) {
	const delay = 4 * time.Second
	server := testserver.Start(t, "--source="+unreachable, "--shutdown-delay-duration="+delay.String())
	start := time.Now()
	stopped := make(chan struct{})
	go func() { server.Stop(); close(stopped) }()
	deadline := start.Add(delay / 2)
	for {
		if code, _ := get(t, server.URL+"/readyz"); code != http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still OK %s after the stop", delay/2)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if code, body := get(t, server.URL+"/apis/metrics.example.com/v1/namespaces/default/metricsnapshots"); code != http.StatusOK {
		t.Errorf("during the shutdown delay: HTTP %d %s, want the request served", code, body)
	}
	if time.Since(start) >= delay {
		t.Fatalf("the checks took longer than the delay (%s): inconclusive", delay)
	}
	<-stopped
	if took := time.Since(start); took < delay {
		t.Errorf("stopped after %s, before the %s delay", took, delay)
	}
}
