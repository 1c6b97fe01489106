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

package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"example.com/aggregation-operator/internal/poll"
)

// PrometheusPort is where the host Prometheus listens, on the node IP only.
const PrometheusPort = 9090

// PrometheusURL is the host Prometheus as seen from the host and from pods.
func (c Config) PrometheusURL() string { return fmt.Sprintf("http://%s:%d", c.NodeIP, PrometheusPort) }

// StartPrometheus runs Debian's Prometheus as a cluster component (Down stops it), scraping itself
// every 2s, and waits until its `up` series has a sample.
func (c Config) StartPrometheus(ctx context.Context) error {
	if _, ok := c.running("prometheus"); ok {
		return nil
	}
	if err := ensureCommand(ctx, c.Log, "prometheus", "prometheus"); err != nil {
		return err
	}
	dir := c.path("prometheus")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	if err := os.WriteFile(dir+"/prometheus.yml", []byte(c.prometheusConfig("", nil)), 0o644); err != nil {
		return fmt.Errorf("writing prometheus config: %w", err)
	}
	if err := c.start("prometheus", "prometheus", "--config.file="+dir+"/prometheus.yml",
		"--storage.tsdb.path="+dir+"/data", fmt.Sprintf("--web.listen-address=%s:%d", c.NodeIP, PrometheusPort),
		"--log.level=warn"); err != nil {
		return err
	}
	return poll.Until(ctx, "Prometheus to scrape itself", time.Minute, func(ctx context.Context) error {
		v, err := c.PrometheusQuery(ctx, "up")
		if err == nil && v != 1 {
			err = fmt.Errorf("up = %v", v)
		}
		return err
	})
}

// prometheusConfig scrapes Prometheus itself every 2s, plus the scrape configs in extra (YAML list
// entries), and evaluates the rules in ruleFiles every 2s.
func (c Config) prometheusConfig(extra string, ruleFiles []string) string {
	conf := fmt.Sprintf(`global: {scrape_interval: 2s, evaluation_interval: 2s}
scrape_configs:
- job_name: prometheus
  static_configs:
  - targets: ["%s:%d"]
`, c.NodeIP, PrometheusPort) + extra
	if len(ruleFiles) > 0 {
		conf += "rule_files:\n"
		for _, f := range ruleFiles {
			conf += fmt.Sprintf("- %q\n", f)
		}
	}
	return conf
}

// ConfigurePrometheus gives the running host Prometheus the scrape configs in extra (YAML list entries,
// one of them job_name job) and the rule files, reloads it (SIGHUP) and waits until it runs with them.
// ConfigurePrometheus(ctx, "", "", nil) goes back to scraping itself only.
func (c Config) ConfigurePrometheus(ctx context.Context, job, extra string, ruleFiles []string) error {
	pid, ok := c.running("prometheus")
	if !ok {
		return fmt.Errorf("prometheus is not running (StartPrometheus first)")
	}
	conf := c.prometheusConfig(extra, ruleFiles)
	if err := os.WriteFile(c.path("prometheus", "prometheus.yml"), []byte(conf), 0o644); err != nil {
		return fmt.Errorf("writing prometheus config: %w", err)
	}
	if err := syscall.Kill(pid, syscall.SIGHUP); err != nil {
		return fmt.Errorf("reloading prometheus (pid %d): %w", pid, err)
	}
	return poll.Until(ctx, "Prometheus to load its new configuration", time.Minute, func(ctx context.Context) error {
		var body struct {
			Data struct {
				YAML string `json:"yaml"`
			} `json:"data"`
		}
		if err := c.prometheusGet(ctx, "/api/v1/status/config", &body); err != nil {
			return err
		}
		if job != "" && !strings.Contains(body.Data.YAML, "job_name: "+job) ||
			job == "" && strings.Count(body.Data.YAML, "job_name:") != 1 {
			return fmt.Errorf("configuration not reloaded yet (see %s)", c.logFile("prometheus"))
		}
		return nil
	})
}

// prometheusGet decodes the JSON answer of the host Prometheus' HTTP API at path into out.
func (c Config) prometheusGet(ctx context.Context, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.PrometheusURL()+path, nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: HTTP %d", path, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("decoding Prometheus' answer to %s: %w", path, err)
	}
	return nil
}

// PrometheusSample is one series of an instant query's answer.
type PrometheusSample struct {
	Metric map[string]string
	Value  float64
}

// PrometheusQueryAll runs an instant PromQL query (any expression) and returns every series of its answer.
func (c Config) PrometheusQueryAll(ctx context.Context, query string) ([]PrometheusSample, error) {
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := c.prometheusGet(ctx, "/api/v1/query?"+url.Values{"query": {query}}.Encode(), &body); err != nil {
		return nil, fmt.Errorf("query %q: %w", query, err)
	}
	out := make([]PrometheusSample, 0, len(body.Data.Result))
	for _, r := range body.Data.Result {
		s, _ := r.Value[1].(string)
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("query %q: value %q: %w", query, s, err)
		}
		out = append(out, PrometheusSample{Metric: r.Metric, Value: v})
	}
	return out, nil
}

// PrometheusQuery runs an instant query and returns the first sample's value.
func (c Config) PrometheusQuery(ctx context.Context, query string) (float64, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.PrometheusURL()+"/api/v1/query?query="+query, nil)
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var body struct {
		Data struct {
			Result []struct {
				Value [2]any `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return 0, fmt.Errorf("decoding Prometheus answer: %w", err)
	}
	if len(body.Data.Result) == 0 {
		return 0, fmt.Errorf("query %q: no samples yet", query)
	}
	s, _ := body.Data.Result[0].Value[1].(string)
	var v float64
	if _, err := fmt.Sscan(s, &v); err != nil {
		return 0, fmt.Errorf("query %q: value %q: %w", query, s, err)
	}
	return v, nil
}

// PrometheusServiceManifest makes the host Prometheus reachable in namespace ns as
// http://prometheus:9090 (a Service without selector and its EndpointSlice on the node IP).
func (c Config) PrometheusServiceManifest(ns string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Service
metadata: {name: prometheus, namespace: %[1]s}
spec:
  ports:
  - {name: http, port: %[2]d, targetPort: %[2]d, protocol: TCP}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: prometheus-host
  namespace: %[1]s
  labels: {kubernetes.io/service-name: prometheus}
addressType: IPv4
ports:
- {name: http, port: %[2]d, protocol: TCP}
endpoints:
- addresses: ["%[3]s"]
  conditions: {ready: true}
`, ns, PrometheusPort, c.NodeIP)
}
