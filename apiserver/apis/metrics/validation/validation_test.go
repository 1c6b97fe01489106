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

package validation

import (
	"fmt"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"example.com/aggregation-operator/apiserver/apis/metrics"
)

var sources = sets.New("prometheus", "thanos")

func valid() *metrics.MetricSnapshot {
	return &metrics.MetricSnapshot{
		ObjectMeta: metav1.ObjectMeta{Name: "app-metrics", Namespace: "default"},
		Spec: metrics.MetricSnapshotSpec{
			Source:   "prometheus",
			Metrics:  metrics.NamedAfterQueries("up", "sum(rate(http_requests_total{code=~\"5..\"}[5m]))"),
			Interval: "1m",
		},
	}
}

func TestValidObjectsPass(t *testing.T) {
	for name, mutate := range map[string]func(*metrics.MetricSnapshot){
		"as is":        func(*metrics.MetricSnapshot) {},
		"min interval": func(s *metrics.MetricSnapshot) { s.Spec.Interval = "10s" },
		"max interval": func(s *metrics.MetricSnapshot) { s.Spec.Interval = "24h" },
		"recording rule name": func(s *metrics.MetricSnapshot) {
			s.Spec.Metrics = metrics.NamedAfterQueries("job:http_requests:rate5m")
		},
		"brackets in string": func(s *metrics.MetricSnapshot) { s.Spec.Metrics = metrics.NamedAfterQueries(`up{job=")("}`) },
		"number":             func(s *metrics.MetricSnapshot) { s.Spec.Metrics = metrics.NamedAfterQueries("1 + 1") },
		"promql": func(s *metrics.MetricSnapshot) {
			s.Spec.Metrics = metrics.NamedAfterQueries(
				"up",
				"rate(x[5m])",
				"sum by (job) (up)",
				"sum(up) by (instance)",
				"sum by (job) (\n  rate(x[5m])\n)\n",
				"time()",
				"histogram_quantile(0.9, sum by (le) (rate(h_bucket[5m])))",
				"up offset 5m",
				"max_over_time(up[1h:5m])",
				"label_replace(up, \"j\", \"$1\", \"job\", \"(.*)\")",
				"up{job=~\"api|web\", instance!=\"\"}",
			)
		},
		"other source": func(s *metrics.MetricSnapshot) { s.Spec.Source = "thanos" },
		// What a YAML block scalar (metrics: [|]) gives: newlines inside and one at the end.
		"multi-line": func(s *metrics.MetricSnapshot) {
			s.Spec.Metrics = metrics.NamedAfterQueries("sum by (job) (\n  rate(http_requests_total[5m])\n)\n", "up\r\n")
		},
		"max metrics":      func(s *metrics.MetricSnapshot) { s.Spec.Metrics = metrics.NamedAfterQueries(distinct(MaxMetrics)...) },
		"longest interval": func(s *metrics.MetricSnapshot) { s.Spec.Interval = "23h59m59.999999999s" },
	} {
		s := valid()
		mutate(s)
		if errs := ValidateMetricSnapshot(s, sources); len(errs) != 0 {
			t.Errorf("%s: want valid, got %v", name, errs)
		}
	}
}

func TestInvalidObjectsReportFieldPath(t *testing.T) {
	many := distinct(MaxMetrics + 1)
	cases := []struct {
		name   string
		mutate func(*metrics.MetricSnapshot)
		path   string
		typ    field.ErrorType
	}{
		{"no name", func(s *metrics.MetricSnapshot) { s.Name = "" }, "metadata.name", field.ErrorTypeRequired},
		{"bad name", func(s *metrics.MetricSnapshot) { s.Name = "App_Metrics" }, "metadata.name", field.ErrorTypeInvalid},
		{"no namespace", func(s *metrics.MetricSnapshot) { s.Namespace = "" }, "metadata.namespace", field.ErrorTypeRequired},
		{"no source", func(s *metrics.MetricSnapshot) { s.Spec.Source = "" }, "spec.source", field.ErrorTypeRequired},
		{"unknown source", func(s *metrics.MetricSnapshot) { s.Spec.Source = "graphite" }, "spec.source", field.ErrorTypeNotSupported},
		{"source case matters", func(s *metrics.MetricSnapshot) { s.Spec.Source = "Prometheus" }, "spec.source", field.ErrorTypeNotSupported},
		{"nil metrics", func(s *metrics.MetricSnapshot) { s.Spec.Metrics = nil }, "spec.metrics", field.ErrorTypeRequired},
		{"empty metrics", func(s *metrics.MetricSnapshot) { s.Spec.Metrics = metrics.NamedAfterQueries() }, "spec.metrics", field.ErrorTypeRequired},
		{"too many metrics", func(s *metrics.MetricSnapshot) { s.Spec.Metrics = metrics.NamedAfterQueries(many...) }, "spec.metrics", field.ErrorTypeTooMany},
		{"duplicate metric", func(s *metrics.MetricSnapshot) { s.Spec.Metrics = metrics.NamedAfterQueries("up", "a", "up") }, "spec.metrics[2]", field.ErrorTypeDuplicate},
		{"blank metric", func(s *metrics.MetricSnapshot) { s.Spec.Metrics = metrics.NamedAfterQueries("up", "") }, "spec.metrics[1]", field.ErrorTypeInvalid},
		{"whitespace metric", func(s *metrics.MetricSnapshot) { s.Spec.Metrics = metrics.NamedAfterQueries("   ") }, "spec.metrics[0]", field.ErrorTypeInvalid},
		{"unclosed paren", func(s *metrics.MetricSnapshot) { s.Spec.Metrics = metrics.NamedAfterQueries("sum(rate(x[5m])") }, "spec.metrics[0]", field.ErrorTypeInvalid},
		{"unclosed brace", func(s *metrics.MetricSnapshot) { s.Spec.Metrics = metrics.NamedAfterQueries("up{job=\"a\"") }, "spec.metrics[0]", field.ErrorTypeInvalid},
		{"stray bracket", func(s *metrics.MetricSnapshot) { s.Spec.Metrics = metrics.NamedAfterQueries("up]") }, "spec.metrics[0]", field.ErrorTypeInvalid},
		{"mismatched brackets", func(s *metrics.MetricSnapshot) { s.Spec.Metrics = metrics.NamedAfterQueries("rate(x[5m)]") }, "spec.metrics[0]", field.ErrorTypeInvalid},
		{"unterminated string", func(s *metrics.MetricSnapshot) { s.Spec.Metrics = metrics.NamedAfterQueries("up{job=\"a}") }, "spec.metrics[0]", field.ErrorTypeInvalid},
		{"control character", func(s *metrics.MetricSnapshot) { s.Spec.Metrics = metrics.NamedAfterQueries("up\x00") }, "spec.metrics[0]", field.ErrorTypeInvalid},
		{"escape character", func(s *metrics.MetricSnapshot) { s.Spec.Metrics = metrics.NamedAfterQueries("up\x1b[2J") }, "spec.metrics[0]", field.ErrorTypeInvalid},
		// Duplicates are compared on the parsed expression.
		{"duplicate with a leading blank", secondMetric(" up"), "spec.metrics[1]", field.ErrorTypeDuplicate},
		{"duplicate with a trailing blank", secondMetric("up "), "spec.metrics[1]", field.ErrorTypeDuplicate},
		{"duplicate with a newline", secondMetric("up\n"), "spec.metrics[1]", field.ErrorTypeDuplicate},
		{"duplicate in another spelling", func(s *metrics.MetricSnapshot) {
			s.Spec.Metrics = metrics.NamedAfterQueries("sum by (job) (up)", "sum(up)by(job)")
		}, "spec.metrics[1]", field.ErrorTypeDuplicate},
		{"source too long", func(s *metrics.MetricSnapshot) { s.Spec.Source = strings.Repeat("p", MaxSourceLength+1) }, "spec.source", field.ErrorTypeTooLong},
		{"only operators", func(s *metrics.MetricSnapshot) { s.Spec.Metrics = metrics.NamedAfterQueries("+ - *") }, "spec.metrics[0]", field.ErrorTypeInvalid},
		// Balanced and printable, so the old bracket guard let these through; Prometheus' parser does not.
		{"two selectors in a row", secondMetric("sum by (job) foo bar"), "spec.metrics[1]", field.ErrorTypeInvalid},
		{"bad range duration", secondMetric("rate(x[5mm])"), "spec.metrics[1]", field.ErrorTypeInvalid},
		{"range function on instant vector", secondMetric("rate(x)"), "spec.metrics[1]", field.ErrorTypeInvalid},
		{"unknown function", secondMetric("no_such_function(up)"), "spec.metrics[1]", field.ErrorTypeInvalid},
		{"wrong argument count", secondMetric("histogram_quantile(0.9)"), "spec.metrics[1]", field.ErrorTypeInvalid},
		{"dangling operator", secondMetric("up =="), "spec.metrics[1]", field.ErrorTypeInvalid},
		{"bad matcher operator", secondMetric(`up{job~="a"}`), "spec.metrics[1]", field.ErrorTypeInvalid},
		{"bad regex", secondMetric(`up{job=~"("}`), "spec.metrics[1]", field.ErrorTypeInvalid},
		{"grouping without aggregation", secondMetric("up by (job)"), "spec.metrics[1]", field.ErrorTypeInvalid},
		{"offset without duration", secondMetric("up offset"), "spec.metrics[1]", field.ErrorTypeInvalid},
		// Valid PromQL whose result the collector cannot store as one number.
		{"range vector result", secondMetric("up[5m]"), "spec.metrics[1]", field.ErrorTypeInvalid},
		{"string result", secondMetric(`"up"`), "spec.metrics[1]", field.ErrorTypeInvalid},
		{"too long", func(s *metrics.MetricSnapshot) {
			s.Spec.Metrics = metrics.NamedAfterQueries(strings.Repeat("a", MaxExpressionLength) + "+1")
		}, "spec.metrics[0]", field.ErrorTypeTooLong},
		{"no interval", func(s *metrics.MetricSnapshot) { s.Spec.Interval = "" }, "spec.interval", field.ErrorTypeRequired},
		{"interval not a duration", func(s *metrics.MetricSnapshot) { s.Spec.Interval = "often" }, "spec.interval", field.ErrorTypeInvalid},
		{"interval without unit", func(s *metrics.MetricSnapshot) { s.Spec.Interval = "60" }, "spec.interval", field.ErrorTypeInvalid},
		{"interval too short", func(s *metrics.MetricSnapshot) { s.Spec.Interval = "9s" }, "spec.interval", field.ErrorTypeInvalid},
		{"interval negative", func(s *metrics.MetricSnapshot) { s.Spec.Interval = "-1m" }, "spec.interval", field.ErrorTypeInvalid},
		{"interval too long", func(s *metrics.MetricSnapshot) { s.Spec.Interval = "25h" }, "spec.interval", field.ErrorTypeInvalid},
		{"interval days unit", func(s *metrics.MetricSnapshot) { s.Spec.Interval = "1d" }, "spec.interval", field.ErrorTypeInvalid},
		// A valid 1h23m20s, but 10,000 bytes: refused for its length, not stored.
		{"interval too long a text", func(s *metrics.MetricSnapshot) { s.Spec.Interval = strings.Repeat("1s", 5000) }, "spec.interval", field.ErrorTypeTooLong},
	}
	if len(cases) < 20 {
		t.Fatalf("the table must keep at least 20 invalid objects, has %d", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := valid()
			tc.mutate(s)
			errs := ValidateMetricSnapshot(s, sources)
			if len(errs) != 1 {
				t.Fatalf("want exactly one error at %s, got %v", tc.path, errs)
			}
			if errs[0].Field != tc.path || errs[0].Type != tc.typ {
				t.Fatalf("want %s at %s, got %s at %s (%v)", tc.typ, tc.path, errs[0].Type, errs[0].Field, errs[0])
			}
		})
	}
}

// secondMetric puts expr second in spec.metrics, after a valid one, so the index in the path is checked too.
func secondMetric(expr string) func(*metrics.MetricSnapshot) {
	return func(s *metrics.MetricSnapshot) { s.Spec.Metrics = metrics.NamedAfterQueries("up", expr) }
}

func TestInvalidPromQLDetailIsTheParserMessage(t *testing.T) {
	for expr, want := range map[string]string{
		"sum by (job) foo bar": `1:14: parse error: unexpected identifier "foo" in aggregation`,
		"rate(x[5mm])":         "1:8: parse error: ",
		"rate(x)":              "expected type range vector",
		"up[5m]":               "evaluates to a range vector",
		`"up"`:                 "evaluates to a string",
	} {
		s := valid()
		s.Spec.Metrics = metrics.NamedAfterQueries(expr)
		errs := ValidateMetricSnapshot(s, sources)
		if len(errs) != 1 {
			t.Fatalf("%q: want one error, got %v", expr, errs)
		}
		if d := errs[0].Detail; !strings.Contains(d, want) || strings.Contains(d, "\n") {
			t.Errorf("%q: want a one-line detail containing %q, got %q", expr, want, d)
		}
	}
}

func TestUpdateKeepsEarlierAcceptedMetrics(t *testing.T) {
	// Stored before the parser check existed: the guard accepted it, the parser does not.
	old := valid()
	old.ResourceVersion = "1"
	old.Spec.Metrics = metrics.NamedAfterQueries("up", "sum by (job) foo bar")
	updated := old.DeepCopy()
	updated.Labels = map[string]string{"team": "a"}
	if errs := ValidateMetricSnapshotUpdate(updated, old, sources); len(errs) != 0 {
		t.Fatalf("an unchanged stored metric must not block updates, got %v", errs)
	}
	updated.Spec.Metrics = append(updated.Spec.Metrics, metrics.NamedAfterQueries("rate(x[5mm])")...)
	errs := ValidateMetricSnapshotUpdate(updated, old, sources)
	if len(errs) != 1 || errs[0].Field != "spec.metrics[2]" {
		t.Fatalf("a newly added bad metric must be rejected at spec.metrics[2], got %v", errs)
	}
}

func TestUpdateKeepsObjectsOfRemovedSourcesEditable(t *testing.T) {
	old := valid()
	old.Spec.Source = "removed"
	old.ResourceVersion = "1"
	updated := old.DeepCopy()
	updated.Spec.Interval = "5m"
	if errs := ValidateMetricSnapshotUpdate(updated, old, sources); len(errs) != 0 {
		t.Fatalf("unchanged unknown source must stay valid, got %v", errs)
	}
	updated.Spec.Source = "other-removed"
	errs := ValidateMetricSnapshotUpdate(updated, old, sources)
	if len(errs) != 1 || errs[0].Field != "spec.source" {
		t.Fatalf("a changed source must be known, got %v", errs)
	}
}

func TestStatusUpdateRejectsBadConditions(t *testing.T) {
	old := valid()
	old.ResourceVersion = "1"
	updated := old.DeepCopy()
	updated.Status.Conditions = []metav1.Condition{{Type: "Collected", Status: "Maybe", Reason: "X", LastTransitionTime: metav1.Now()}}
	errs := ValidateMetricSnapshotStatusUpdate(updated, old)
	if len(errs) != 1 || errs[0].Field != "status.conditions[0].status" {
		t.Fatalf("want status.conditions[0].status error, got %v", errs)
	}
}

func TestServerWithoutSourcesSaysSo(t *testing.T) {
	errs := ValidateMetricSnapshot(valid(), sets.New[string]())
	if len(errs) != 1 || errs[0].Field != "spec.source" || !strings.Contains(errs[0].Detail, "--source") {
		t.Fatalf("want a spec.source error pointing at --source, got %v", errs)
	}
}

// distinct returns n different valid metric names.
func distinct(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("m%d", i)
	}
	return out
}

// TestTooManyStopsValidation: beyond MaxMetrics the entries are not looked at, so 10,000 invalid
// expressions give one short error.
func TestTooManyStopsValidation(t *testing.T) {
	s := valid()
	queries := make([]string, 10000)
	for i := range queries {
		queries[i] = fmt.Sprintf("sum(rate(x_%d[5m])", i)
	}
	s.Spec.Metrics = metrics.NamedAfterQueries(queries...)
	errs := ValidateMetricSnapshot(s, sources)
	if len(errs) != 1 || errs[0].Type != field.ErrorTypeTooMany || errs[0].Field != "spec.metrics" {
		t.Fatalf("want one Too many error at spec.metrics, got %d errors: %.300v", len(errs), errs)
	}
	if msg := errs.ToAggregate().Error(); len(msg) > 200 || !strings.Contains(msg, "must have at most 100 items") {
		t.Fatalf("want a short error naming the bound, got %d bytes: %.300s", len(msg), msg)
	}
}

// TestErrorsNameTheAllowedValues: every refusal says what would be accepted.
func TestErrorsNameTheAllowedValues(t *testing.T) {
	for name, tc := range map[string]struct {
		mutate func(*metrics.MetricSnapshot)
		want   string
	}{
		"unknown source":    {func(s *metrics.MetricSnapshot) { s.Spec.Source = "graphite" }, `supported values: "prometheus", "thanos"`},
		"source too long":   {func(s *metrics.MetricSnapshot) { s.Spec.Source = strings.Repeat("p", 64) }, "may not be more than 63 bytes"},
		"interval range":    {func(s *metrics.MetricSnapshot) { s.Spec.Interval = "25h" }, "must be between 10s and 24h"},
		"interval syntax":   {func(s *metrics.MetricSnapshot) { s.Spec.Interval = "1d" }, "a duration such as 30s or 5m"},
		"interval length":   {func(s *metrics.MetricSnapshot) { s.Spec.Interval = strings.Repeat("1s", 17) }, "may not be more than 32 bytes"},
		"expression length": {secondMetric(strings.Repeat("a", MaxExpressionLength+1)), "may not be more than 1024 bytes"},
		"too many":          {func(s *metrics.MetricSnapshot) { s.Spec.Metrics = metrics.NamedAfterQueries(distinct(101)...) }, "must have at most 100 items"},
		"duplicate":         {secondMetric(" up"), "the same expression as spec.metrics[0]"},
		"control character": {secondMetric("up\x07"), "newlines and tabs are allowed"},
	} {
		s := valid()
		tc.mutate(s)
		errs := ValidateMetricSnapshot(s, sources)
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), tc.want) || !strings.HasPrefix(errs[0].Error(), "spec.") {
			t.Errorf("%s: want one error with its field path and %q, got %v", name, tc.want, errs)
		}
	}
}

func TestStatusUpdateBoundsResults(t *testing.T) {
	old := valid()
	old.ResourceVersion = "1"
	for name, tc := range map[string]struct {
		mutate func(*metrics.MetricSnapshotStatus)
		path   string
	}{
		"long error": {func(s *metrics.MetricSnapshotStatus) {
			s.Results = []metrics.MetricResult{{Name: "up", Error: strings.Repeat("e", MaxErrorLength+1)}}
		}, "status.results[0].error"},
		"long name": {func(s *metrics.MetricSnapshotStatus) {
			s.Results = []metrics.MetricResult{{Name: strings.Repeat("k", MaxExpressionLength+1)}}
		}, "status.results[0].name"},
		"no name": {func(s *metrics.MetricSnapshotStatus) {
			s.Results = []metrics.MetricResult{{Error: "x"}}
		}, "status.results[0].name"},
		"same name twice": {func(s *metrics.MetricSnapshotStatus) {
			s.Results = []metrics.MetricResult{{Name: "up", Error: "x"}, {Name: "up", Error: "y"}}
		}, "status.results[1].name"},
		"many results": {func(s *metrics.MetricSnapshotStatus) {
			for _, m := range distinct(101) {
				s.Results = append(s.Results, metrics.MetricResult{Name: m, Error: "x"})
			}
		}, "status.results"},
	} {
		updated := old.DeepCopy()
		tc.mutate(&updated.Status)
		errs := ValidateMetricSnapshotStatusUpdate(updated, old)
		if len(errs) != 1 || errs[0].Field != tc.path {
			t.Errorf("%s: want one error at %s, got %.300v", name, tc.path, errs)
		}
	}
	ok := old.DeepCopy()
	one := 1.0
	ok.Status.Results = []metrics.MetricResult{{Name: "up", Value: &one}, {Name: "down", Error: strings.Repeat("e", MaxErrorLength)}}
	if errs := ValidateMetricSnapshotStatusUpdate(ok, old); len(errs) != 0 {
		t.Fatalf("status within the bounds refused: %v", errs)
	}
}

// TestNamesAndLabels: what v2 adds to a metric is checked at its own field; a v1 duplicate (its
// name is its query) is reported once, at the query.
func TestNamesAndLabels(t *testing.T) {
	for name, tc := range map[string]struct {
		list []metrics.Metric
		path string
		typ  field.ErrorType
	}{
		"no name":        {[]metrics.Metric{{Query: "up"}}, "spec.metrics[0].name", field.ErrorTypeRequired},
		"same name":      {[]metrics.Metric{{Name: "a", Query: "up"}, {Name: "a", Query: "down"}}, "spec.metrics[1].name", field.ErrorTypeDuplicate},
		"long name":      {[]metrics.Metric{{Name: strings.Repeat("n", MaxExpressionLength+1), Query: "up"}}, "spec.metrics[0].name", field.ErrorTypeTooLong},
		"bad label key":  {[]metrics.Metric{{Name: "a", Query: "up", Labels: map[string]string{"a b": "x"}}}, "spec.metrics[0].labels", field.ErrorTypeInvalid},
		"bad label":      {[]metrics.Metric{{Name: "a", Query: "up", Labels: map[string]string{"team": "a b"}}}, "spec.metrics[0].labels", field.ErrorTypeInvalid},
		"v1 duplicate":   {metrics.NamedAfterQueries("up", "up"), "spec.metrics[1]", field.ErrorTypeDuplicate},
		"named the same": {[]metrics.Metric{{Name: "up", Query: "up"}, {Name: "up2", Query: " up"}}, "spec.metrics[1]", field.ErrorTypeDuplicate},
	} {
		s := valid()
		s.Spec.Metrics = tc.list
		errs := ValidateMetricSnapshot(s, sources)
		if len(errs) != 1 || !strings.HasPrefix(errs[0].Field, tc.path) || errs[0].Type != tc.typ {
			t.Errorf("%s: want one %s error at %s, got %.300v", name, tc.typ, tc.path, errs)
		}
	}
	s := valid()
	s.Spec.Metrics = []metrics.Metric{{Name: "requests", Query: "sum(rate(http_requests_total[5m]))", Labels: map[string]string{"team": "web"}}}
	if errs := ValidateMetricSnapshot(s, sources); len(errs) != 0 {
		t.Fatalf("a named, labelled metric refused: %v", errs)
	}
}

// TestUpdateKeepsObjectsStoredBeforeTheBounds: an object accepted before duplicates were compared
// parsed and before the interval had a length bound stays editable; a new duplicate is refused.
func TestUpdateKeepsObjectsStoredBeforeTheBounds(t *testing.T) {
	old := valid()
	old.ResourceVersion = "1"
	old.Spec.Metrics = metrics.NamedAfterQueries("up", " up")
	old.Spec.Interval = strings.Repeat("1s", 5000)
	updated := old.DeepCopy()
	updated.Labels = map[string]string{"team": "a"}
	if errs := ValidateMetricSnapshotUpdate(updated, old, sources); len(errs) != 0 {
		t.Fatalf("an object stored before the bounds must stay editable, got %.300v", errs)
	}
	updated.Spec.Metrics = append(updated.Spec.Metrics, metrics.NamedAfterQueries("up ")...)
	updated.Spec.Interval += "1s"
	errs := ValidateMetricSnapshotUpdate(updated, old, sources)
	if len(errs) != 2 || errs[0].Field != "spec.metrics[2]" || errs[0].Type != field.ErrorTypeDuplicate || errs[1].Field != "spec.interval" {
		t.Fatalf("a new duplicate and a changed interval must be checked, got %.300v", errs)
	}
}
