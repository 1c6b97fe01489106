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

package testenv

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	promapi "github.com/prometheus/client_golang/api"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"example.com/aggregation-operator/internal/poll"
	"example.com/aggregation-operator/internal/testutil"
)

// Prometheus is a real Prometheus (the Debian package's binary) scraping itself every second,
// listening on a loopback port and storing its data in a temporary directory.
type Prometheus struct {
	URL  string
	addr string
	dir  string
	bin  string
	proc process
	t    testing.TB
}

// Rule is a Prometheus recording rule: the series Record holds what Expr evaluates to, every second.
type Rule struct{ Record, Expr string }

// StartPrometheus starts Prometheus, with the recording rules given, and waits until it is ready;
// it is stopped at cleanup. A missing binary fails the test: 'make prometheus' installs it.
func StartPrometheus(t testing.TB, rules ...Rule) *Prometheus {
	t.Helper()
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		t.Fatalf("prometheus not found: run 'make prometheus' (apt-get install prometheus): %v", err)
	}
	dir := t.TempDir()
	addr := fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t))
	config := fmt.Sprintf("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n- job_name: prometheus\n  static_configs:\n  - targets: [%q]\n", addr)
	if len(rules) > 0 {
		config += "rule_files: [rules.yml]\n"
		group := "groups:\n- name: test\n  rules:\n"
		for _, r := range rules {
			group += fmt.Sprintf("  - record: %s\n    expr: %q\n", r.Record, r.Expr)
		}
		if err := os.WriteFile(filepath.Join(dir, "rules.yml"), []byte(group), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	p := &Prometheus{URL: "http://" + addr, addr: addr, dir: dir, bin: bin, t: t}
	p.Start()
	t.Cleanup(p.Stop)
	return p
}

// Start (re)starts Prometheus on the same address and storage and waits until it is ready.
func (p *Prometheus) Start() {
	p.t.Helper()
	p.proc.start(p.t, p.bin,
		"--config.file="+filepath.Join(p.dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(p.dir, "data"),
		"--web.listen-address="+p.addr,
		"--log.level=warn")
	if err := waitHTTP(p.URL+"/-/ready", 60*time.Second); err != nil {
		p.proc.stop()
		p.t.Fatalf("prometheus: %v\n%s", err, p.proc.output())
	}
}

// Stop stops Prometheus; its data stays for a restart.
func (p *Prometheus) Stop() { p.proc.stop() }

// WaitForSeries waits (bounded) until expr returns at least one series, e.g. until the first
// self-scrape has landed.
func (p *Prometheus) WaitForSeries(expr string) {
	p.t.Helper()
	client, err := promapi.NewClient(promapi.Config{Address: p.URL})
	if err != nil {
		p.t.Fatal(err)
	}
	api := promv1.NewAPI(client)
	err = poll.Until(context.Background(), "a series of "+expr, 60*time.Second, func(ctx context.Context) error {
		v, _, err := api.Query(ctx, expr, time.Now())
		if err != nil {
			return err
		}
		if vec, ok := v.(model.Vector); !ok || len(vec) == 0 {
			return fmt.Errorf("no series yet: %v", v)
		}
		return nil
	})
	if err != nil {
		p.t.Fatalf("prometheus: %v", err)
	}
}

// Scraped holds once Prometheus has scraped itself a few times, so an evaluation time truncated
// to the second already sees data.
const Scraped = "count_over_time(prometheus_build_info[1m]) > 2"
