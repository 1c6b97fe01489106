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
	"strings"
	"testing"
)

func TestSumStatusUpdates(t *testing.T) {
	metrics := `# HELP apiserver_request_total [STABLE] Counter of apiserver requests
apiserver_request_total{code="200",component="apiserver",dry_run="",group="metrics.example.com",resource="metricsnapshots",scope="resource",subresource="status",verb="PUT",version="v2"} 997
apiserver_request_total{code="409",component="apiserver",dry_run="",group="metrics.example.com",resource="metricsnapshots",scope="resource",subresource="status",verb="PUT",version="v2"} 3
apiserver_request_total{code="200",component="apiserver",dry_run="",group="metrics.example.com",resource="metricsnapshots",scope="resource",subresource="",verb="PUT",version="v1"} 1100
apiserver_request_total{code="200",component="apiserver",dry_run="",group="metrics.example.com",resource="metricsnapshots",scope="resource",subresource="status",verb="GET",version="v1"} 5
apiserver_request_duration_seconds_count{group="metrics.example.com",resource="metricsnapshots",subresource="status",verb="PUT",version="v2"} 1000
`
	n, err := sumStatusUpdates(bufio.NewScanner(strings.NewReader(metrics)))
	if err != nil {
		t.Fatal(err)
	}
	if n != 1000 {
		t.Fatalf("status updates = %d, want 1000 (997 written + 3 conflicts; plain updates, status reads and other metrics not counted)", n)
	}
}
