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
	"crypto/tls"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"example.com/aggregation-operator/internal/testutil"
	"example.com/aggregation-operator/test/cluster"
)

const (
	monitoringNS   = "e2e-monitoring" // Prometheus' ServiceAccount
	monitoredName  = "e2e-monitored"
	monitoredGroup = "monitored.example.com"
	takenGroup     = "e2e-taken.example.com" // its APIService is made by hand: a conflict
	failingName    = "e2e-failing"
	quotaNS        = "e2e-no-secrets" // a ResourceQuota of 0 Secrets: the operator's writes fail
	monitorFile    = "config/components/prometheus/monitor.yaml"
	ruleFile       = "config/components/prometheus/prometheus_rule.yaml"
)

// TestMonitoring: the node's real Prometheus scrapes the operator as the shipped ServiceMonitor says (HTTPS,
// a ServiceAccount token bound to metrics-reader) and evaluates the shipped alert rules; each alert's
// expression returns the series once its condition is made true (without waiting for its `for:`).
func TestMonitoring(t *testing.T) {
	// Steps are subtests, whose cleanups run when the step ends: what lives across steps is removed here.
	m := &monitoring{dir: t.TempDir()}
	deleteOnCleanup(t, "namespace", monitoringNS, quotaNS)
	deleteOnCleanup(t, "clusterrolebinding", "e2e-prometheus-metrics")
	deleteOnCleanup(t, "apiservice", "v1."+takenGroup)
	deleteOnCleanup(t, "customapiserver", monitoredName, failingName, "--timeout=3m")
	t.Cleanup(func() {
		if m.url == "" { // Prometheus was not given the operator
			return
		}
		if err := cfg.ConfigurePrometheus(context.Background(), "", "", nil); err != nil {
			t.Errorf("restoring Prometheus' configuration: %v", err)
		}
	})
	runSteps(t, 3, []step{
		{"operator deploys with make deploy and becomes Ready", deployOperator},
		{"a CustomApiServer with 72h certificates is Ready", m.monitored},
		{"the host Prometheus scrapes the operator as the ServiceMonitor says, with its ServiceAccount's token", m.scrape},
		{"without a token /metrics is refused; Prometheus' token gets the certificate metrics", m.curl},
		{"Prometheus has the certificate, APIService and Ready series with the status' values", m.series},
		{"an APIService someone else owns: the APIService-unavailable alert expression returns it", m.apiServiceUnavailable},
		{"writes refused by a quota: the reconcile-errors alert expression returns them", m.reconcileErrors},
		{"deleting the CustomApiServers removes their series", m.deleted},
	})
}

type monitoring struct {
	dir      string            // Prometheus' token and rule files, for the whole test
	token    string            // Prometheus' ServiceAccount token
	url      string            // the operator pod's /metrics
	alerts   map[string]string // alert name -> expression, as shipped
	notAfter struct{ serving, ca time.Time }
}

func (m *monitoring) monitored(t *testing.T) {
	kubectlApply(t, `apiVersion: aggregation.example.com/v1alpha1
kind: CustomApiServer
metadata: {name: `+monitoredName+`}
spec:
  replicas: 1
  storage: {embedded: {}}
  args: ["--api-group=`+monitoredGroup+`"]
  apiServices:
  - {group: `+monitoredGroup+`, version: v1}
  certificates: {duration: 72h, renewBefore: 1h}
`)
	waitAllTrue(t, monitoredName, 4*time.Minute)
	var cas struct {
		Status struct {
			Certificates struct{ ServingNotAfter, CANotAfter time.Time } `json:"certificates"`
		} `json:"status"`
	}
	kubectlJSON(t, &cas, "get", "customapiserver", monitoredName)
	m.notAfter.serving, m.notAfter.ca = cas.Status.Certificates.ServingNotAfter, cas.Status.Certificates.CANotAfter
	if d := time.Until(m.notAfter.serving); d < 71*time.Hour || d > 72*time.Hour {
		t.Fatalf("serving certificate expires in %s, want 72h", d)
	}
}

// scrape gives Prometheus a ServiceAccount bound to metrics-reader, the scrape config the ServiceMonitor
// stands for (its token in a file where bearerTokenFile names the pod's) and the shipped rules.
func (m *monitoring) scrape(t *testing.T) {
	if err := cfg.StartPrometheus(t.Context()); err != nil {
		t.Fatal(err)
	}
	kubectl(t, "create", "namespace", monitoringNS)
	kubectl(t, "-n", monitoringNS, "create", "serviceaccount", "prometheus")
	kubectl(t, "create", "clusterrolebinding", "e2e-prometheus-metrics", "--clusterrole=aggregation-operator-metrics-reader",
		"--serviceaccount="+monitoringNS+":prometheus")
	m.token = kubectl(t, "-n", monitoringNS, "create", "token", "prometheus", "--duration=2h")
	tokenFile := filepath.Join(m.dir, "token")
	writeFile(t, tokenFile, m.token)

	var rule struct {
		Spec struct {
			Groups []struct {
				Rules []struct{ Alert, Expr string } `json:"rules"`
			} `json:"groups"`
		} `json:"spec"`
	}
	var rules map[string]any
	readYAMLFile(t, filepath.Join(repo, ruleFile), &rule)
	readYAMLFile(t, filepath.Join(repo, ruleFile), &rules)
	m.alerts = map[string]string{}
	for _, g := range rule.Spec.Groups {
		for _, r := range g.Rules {
			m.alerts[r.Alert] = r.Expr
		}
	}
	groups, err := yaml.Marshal(map[string]any{"groups": rules["spec"].(map[string]any)["groups"]})
	if err != nil {
		t.Fatal(err)
	}
	rulesFile := filepath.Join(m.dir, "rules.yaml")
	writeFile(t, rulesFile, string(groups))

	job, scrapeConfig, url := scrapeConfigOf(t, filepath.Join(repo, monitorFile), tokenFile)
	t.Logf("scrape config from %s:\n%s", monitorFile, scrapeConfig)
	m.url = url
	if err := cfg.ConfigurePrometheus(t.Context(), job, scrapeConfig, []string{rulesFile}); err != nil {
		t.Fatal(err)
	}
	waitQuery(t, fmt.Sprintf(`up{job=%q} == 1`, job), "the operator scraped", func(s []cluster.PrometheusSample) error {
		if len(s) != 1 {
			return fmt.Errorf("%d targets up, want the operator's pod", len(s))
		}
		return nil
	})
}

// scrapeConfigOf is the Prometheus scrape config the ServiceMonitor in file stands for, as the Prometheus
// Operator would generate it (in the operator's namespace, where config/default puts it): the targets are
// the ready endpoints of the Services its selector matches, on the port it names; bearerTokenFile (a path
// in Prometheus' pod) becomes tokenFile. It also returns the first target's /metrics URL.
func scrapeConfigOf(t *testing.T, file, tokenFile string) (job, config, url string) {
	t.Helper()
	var sm struct {
		Metadata struct{ Name string }
		Spec     struct {
			Selector  struct{ MatchLabels map[string]string } `json:"selector"`
			Endpoints []struct {
				Port, Scheme, Path, Interval, BearerTokenFile string
				TLSConfig                                     struct{ InsecureSkipVerify bool } `json:"tlsConfig"`
			} `json:"endpoints"`
		}
	}
	readYAMLFile(t, file, &sm)
	if len(sm.Spec.Endpoints) != 1 {
		t.Fatalf("%s: %d endpoints, want 1", file, len(sm.Spec.Endpoints))
	}
	ep := sm.Spec.Endpoints[0]
	if ep.BearerTokenFile == "" || ep.Scheme != "https" {
		t.Fatalf("%s: endpoint %+v: want https with Prometheus' ServiceAccount token", file, ep)
	}
	var selector []string
	for k, v := range sm.Spec.Selector.MatchLabels {
		selector = append(selector, k+"="+v)
	}
	services := strings.Fields(kubectl(t, "-n", operatorNamespace, "get", "services", "-l", strings.Join(selector, ","), "-o", "jsonpath={.items[*].metadata.name}"))
	if len(services) != 1 {
		t.Fatalf("the ServiceMonitor's selector %v matches Services %v, want the metrics Service", selector, services)
	}
	var slices struct {
		Items []struct {
			Endpoints []struct {
				Addresses  []string
				Conditions struct{ Ready bool }
			}
			Ports []struct {
				Name string
				Port int
			}
		}
	}
	kubectlJSON(t, &slices, "-n", operatorNamespace, "get", "endpointslices", "-l", "kubernetes.io/service-name="+services[0])
	var targets []string
	for _, s := range slices.Items {
		for _, p := range s.Ports {
			if p.Name != ep.Port {
				continue
			}
			for _, e := range s.Endpoints {
				if e.Conditions.Ready {
					for _, a := range e.Addresses {
						targets = append(targets, fmt.Sprintf("%q", fmt.Sprintf("%s:%d", a, p.Port)))
					}
				}
			}
		}
	}
	if len(targets) == 0 {
		t.Fatalf("Service %s has no ready endpoint on the port named %q", services[0], ep.Port)
	}
	job = fmt.Sprintf("serviceMonitor/%s/%s/0", operatorNamespace, "aggregation-operator-"+sm.Metadata.Name)
	// scrape_interval 2s rather than the ServiceMonitor's 30s, to keep the test short.
	config = fmt.Sprintf(`- job_name: %s
  scheme: %s
  metrics_path: %s
  scrape_interval: 2s
  authorization: {credentials_file: %q}
  tls_config: {insecure_skip_verify: %t}
  static_configs:
  - targets: [%s]
    labels: {namespace: %s, service: %s}
`, job, ep.Scheme, ep.Path, tokenFile, ep.TLSConfig.InsecureSkipVerify, strings.Join(targets, ", "), operatorNamespace, services[0])
	return job, config, ep.Scheme + "://" + strings.Trim(targets[0], `"`) + ep.Path
}

// curl: the requests `curl -k https://<pod>:8443/metrics` makes, with and without Prometheus' token.
func (m *monitoring) curl(t *testing.T) {
	if code, body := getMetrics(t, m.url, ""); code != http.StatusUnauthorized {
		t.Errorf("GET %s without a token: HTTP %d %.200s, want 401", m.url, code, body)
	}
	code, body := getMetrics(t, m.url, m.token)
	want := fmt.Sprintf(`aggregation_operator_certificate_expiration_timestamp_seconds{certificate="serving",customapiserver=%q}`, monitoredName)
	if code != http.StatusOK || !strings.Contains(body, want) {
		t.Fatalf("GET %s with Prometheus' token: HTTP %d, want 200 with %s:\n%.2000s", m.url, code, want, body)
	}
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, "aggregation_operator_certificate_") && strings.Contains(l, monitoredName) {
			t.Log(l)
		}
	}
}

// getMetrics GETs url with a bearer token (none when empty); the certificate is self-signed.
func getMetrics(t *testing.T, url, token string) (int, string) {
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, // self-signed; the server's identity is not under test
	}}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// series: what Prometheus scraped equals the CustomApiServer's status; the expiry alert does not fire for
// certificates whose renewal is ahead.
func (m *monitoring) series(t *testing.T) {
	sel := fmt.Sprintf(`{customapiserver=%q}`, monitoredName)
	checks := []struct {
		query string
		want  float64
	}{
		{`aggregation_operator_certificate_expiration_timestamp_seconds{certificate="serving"}`, epoch(m.notAfter.serving)},
		{`aggregation_operator_certificate_expiration_timestamp_seconds{certificate="ca"}`, epoch(m.notAfter.ca)},
		{`aggregation_operator_certificate_renewal_timestamp_seconds{certificate="serving"}`, epoch(m.notAfter.serving) - 3600},
		{`aggregation_operator_certificate_renewal_timestamp_seconds{certificate="ca"}`, epoch(m.notAfter.ca) - 3600},
		{fmt.Sprintf(`aggregation_operator_apiservice_available{name="v1.%s"}`, monitoredGroup), 1},
		{`aggregation_operator_customapiserver_ready`, 1},
		{`aggregation_operator_serving_certificate_renewals_total`, 0},
		{`aggregation_operator_ca_rotations_total`, 0},
	}
	for _, c := range checks {
		q := strings.Replace(c.query, "{", sel[:len(sel)-1]+",", 1)
		if !strings.Contains(c.query, "{") {
			q = c.query + sel
		}
		waitQuery(t, q, q, func(s []cluster.PrometheusSample) error {
			// The API's times have whole seconds; the metric keeps the certificate's.
			if len(s) != 1 || math.Abs(s[0].Value-c.want) > 1 {
				return fmt.Errorf("%v, want one series at %v", s, c.want)
			}
			return nil
		})
	}
	if s := query(t, m.alert(t, "AggregationOperatorCertificateExpiringSoon")); len(s) != 0 {
		t.Errorf("the expiry alert's expression returns %v for certificates whose renewal is ahead", s)
	}
}

func (m *monitoring) apiServiceUnavailable(t *testing.T) {
	taken := "v1." + takenGroup
	kubectlApply(t, `apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: `+taken+`}
spec:
  group: `+takenGroup+`
  version: v1
  service: {namespace: default, name: e2e-elsewhere, port: 443}
  insecureSkipTLSVerify: true
  groupPriorityMinimum: 100
  versionPriority: 100
`)
	kubectl(t, "patch", "customapiserver", monitoredName, "--type=json", "-p",
		`[{"op": "add", "path": "/spec/apiServices/-", "value": {"group": "`+takenGroup+`", "version": "v1"}}]`)
	m.fires(t, "AggregationOperatorAPIServiceUnavailable", map[string]string{"customapiserver": monitoredName, "name": taken})
	kubectl(t, "patch", "customapiserver", monitoredName, "--type=json", "-p", `[{"op": "remove", "path": "/spec/apiServices/1"}]`)
	kubectl(t, "delete", "apiservice", taken)
	waitQuery(t, fmt.Sprintf(`aggregation_operator_apiservice_available{customapiserver=%q}`, monitoredName),
		"only the CustomApiServer's own APIService left", func(s []cluster.PrometheusSample) error {
			if len(s) != 1 || s[0].Metric["name"] != "v1."+monitoredGroup || s[0].Value != 1 {
				return fmt.Errorf("%v", s)
			}
			return nil
		})
}

func (m *monitoring) reconcileErrors(t *testing.T) {
	kubectl(t, "create", "namespace", quotaNS)
	kubectl(t, "-n", quotaNS, "create", "quota", "no-secrets", "--hard=count/secrets=0")
	kubectlApply(t, `apiVersion: aggregation.example.com/v1alpha1
kind: CustomApiServer
metadata: {name: `+failingName+`}
spec:
  namespace: `+quotaNS+`
  replicas: 1
  storage: {embedded: {}}
  apiServices:
  - {group: e2e-failing.example.com, version: v1}
`)
	m.fires(t, "AggregationOperatorReconcileErrors", map[string]string{"customapiserver": failingName, "reason": "ReconcileError"})
}

// fires waits until the shipped expression of alert returns a series with labels, and Prometheus, which
// evaluates the shipped rule, holds the alert pending (its `for:` has not passed).
func (m *monitoring) fires(t *testing.T, alert string, labels map[string]string) {
	t.Helper()
	has := func(s []cluster.PrometheusSample) error {
		for _, x := range s {
			ok := true
			for k, v := range labels {
				ok = ok && x.Metric[k] == v
			}
			if ok {
				return nil
			}
		}
		return fmt.Errorf("no series with %v in %v", labels, s)
	}
	expr := m.alert(t, alert)
	start := time.Now()
	waitQuery(t, expr, alert+"'s expression returns the series", has)
	note(alert+" expression true after", time.Since(start).Round(time.Second).String())
	waitQuery(t, fmt.Sprintf(`ALERTS{alertname=%q}`, alert), alert+" pending in Prometheus", func(s []cluster.PrometheusSample) error {
		if err := has(s); err != nil {
			return err
		}
		for _, x := range s {
			if x.Metric["alertstate"] != "pending" {
				return fmt.Errorf("alertstate %s before its for: passed", x.Metric["alertstate"])
			}
		}
		return nil
	})
}

func (m *monitoring) deleted(t *testing.T) {
	deleteCustomApiServer(t, monitoredName, "v1."+monitoredGroup)
	kubectl(t, "delete", "customapiserver", failingName, "--timeout=3m")
	eventually(t, time.Minute, "no series of the deleted CustomApiServers on /metrics", func() (bool, string) {
		code, body := getMetrics(t, m.url, m.token)
		var left []string
		for _, l := range strings.Split(body, "\n") {
			if strings.HasPrefix(l, "aggregation_operator_") && (strings.Contains(l, monitoredName) || strings.Contains(l, failingName)) {
				left = append(left, l)
			}
		}
		return code == http.StatusOK && len(left) == 0, fmt.Sprintf("HTTP %d, left: %v", code, left)
	})
}

func (m *monitoring) alert(t *testing.T, name string) string {
	t.Helper()
	expr, ok := m.alerts[name]
	if !ok {
		t.Fatalf("%s ships no alert %s", ruleFile, name)
	}
	return expr
}

func query(t *testing.T, q string) []cluster.PrometheusSample {
	t.Helper()
	s, err := cfg.PrometheusQueryAll(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// waitQuery waits until the answer to the PromQL query q passes check.
func waitQuery(t *testing.T, q, what string, check func([]cluster.PrometheusSample) error) {
	t.Helper()
	testutil.Eventually(t, 2*time.Minute, what, func(ctx context.Context) error {
		s, err := cfg.PrometheusQueryAll(ctx, q)
		if err != nil {
			return err
		}
		if err := check(s); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
		return nil
	})
}

func epoch(t time.Time) float64 { return float64(t.Unix()) }

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

func readYAMLFile(t *testing.T, path string, out any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, out); err != nil {
		t.Fatalf("decoding %s: %v", path, err)
	}
}
