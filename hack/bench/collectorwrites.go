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
	"strconv"
	"strings"
	"time"

	"k8s.io/client-go/rest"
)

// statusWrites counts the status updates of MetricSnapshots a server has answered so far, from its
// apiserver_request_total. The benchmark never writes status, so they are the collector's: read
// around each operation, they say how much of the collector's work overlapped it. It returns -1 when
// the server cannot be read (no MetricSnapshot server on the path).
type statusWrites func(ctx context.Context) int64

// serverStatusWrites reads the server behind cfg (straight to its pod, as an admin).
func serverStatusWrites(cfg *rest.Config) statusWrites {
	client, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return func(context.Context) int64 { return -1 }
	}
	return func(ctx context.Context) int64 {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		body, err := get(ctx, client, cfg.Host, "/metrics")
		if err != nil {
			return -1
		}
		defer body.Close()
		n, err := sumStatusUpdates(bufio.NewScanner(body))
		if err != nil {
			return -1
		}
		return n
	}
}

// sumStatusUpdates adds up apiserver_request_total over the MetricSnapshot status updates (PUT), every
// version and response code (a conflict is work done too).
func sumStatusUpdates(s *bufio.Scanner) (int64, error) {
	s.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	var total float64
	for s.Scan() {
		line := s.Text()
		if !strings.HasPrefix(line, "apiserver_request_total{") ||
			!strings.Contains(line, `resource="metricsnapshots"`) ||
			!strings.Contains(line, `subresource="status"`) ||
			!strings.Contains(line, `verb="PUT"`) {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			return 0, fmt.Errorf("parsing %q: %w", line, err)
		}
		total += v
	}
	return int64(total), s.Err()
}
