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

package v1

import (
	"encoding/json"
	"fmt"
	"sort"

	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/conversion"

	"example.com/aggregation-operator/apiserver/apis/metrics"
)

// v1 has no field for the names and labels of metrics, nor for the time and value of each result.
// When an object has some that v1 cannot show, converting it to v1 keeps them in these annotations
// (as autoscaling/v1 keeps the HorizontalPodAutoscaler metrics of autoscaling/v2), and converting
// it back restores them, so an object read and written through v1 loses nothing. They never reach
// storage: the internal version and v2 have the fields.
const (
	// MetricsAnnotation holds spec.metrics as v2 has them: [{name, query, labels}].
	MetricsAnnotation = "metrics.example.com/v2-metrics"
	// ResultsAnnotation holds status.results as v2 has them: [{name, value, time, error}].
	ResultsAnnotation = "metrics.example.com/v2-results"
)

// savedMetric and savedResult are the annotations' JSON: the internal types have no JSON tags.
type savedMetric struct {
	Name   string            `json:"name"`
	Query  string            `json:"query"`
	Labels map[string]string `json:"labels,omitempty"`
}

type savedResult struct {
	Name  string       `json:"name"`
	Value *float64     `json:"value,omitempty"`
	Time  *metav1.Time `json:"time,omitempty"`
	Error string       `json:"error,omitempty"`
}

// Convert_v1_MetricSnapshot_To_metrics_MetricSnapshot names each metric after its query and
// reads status.data and status.errors as results, unless the annotations written by the
// conversion to v1 still match what the object says: then they are restored as they were.
func Convert_v1_MetricSnapshot_To_metrics_MetricSnapshot(in *MetricSnapshot, out *metrics.MetricSnapshot, s conversion.Scope) error { //nolint:revive // name required by conversion-gen
	if err := autoConvert_v1_MetricSnapshot_To_metrics_MetricSnapshot(in, out, s); err != nil {
		return err
	}
	out.Spec.Metrics = restoreMetrics(in.Spec.Metrics, savedMetrics(in.Annotations[MetricsAnnotation]))
	out.Status.Results = deriveResults(out.Spec.Metrics, in.Status.Data, in.Status.Errors, in.Status.LastCollectionTime)
	if saved, ok := savedResults(in.Annotations[ResultsAnnotation]); ok {
		data, errs := projectResults(out.Spec.Metrics, saved, in.Status.LastCollectionTime)
		if apiequality.Semantic.DeepEqual(data, in.Status.Data) && apiequality.Semantic.DeepEqual(errs, in.Status.Errors) {
			out.Status.Results = saved
		}
	}
	out.Annotations = withoutSaved(in.Annotations)
	return nil
}

// Convert_metrics_MetricSnapshot_To_v1_MetricSnapshot shows the queries as spec.metrics and the
// results collected at lastCollectionTime as status.data (errors as status.errors), as v1 always
// has, and keeps in annotations what that view cannot show.
func Convert_metrics_MetricSnapshot_To_v1_MetricSnapshot(in *metrics.MetricSnapshot, out *MetricSnapshot, s conversion.Scope) error { //nolint:revive // name required by conversion-gen
	if err := autoConvert_metrics_MetricSnapshot_To_v1_MetricSnapshot(in, out, s); err != nil {
		return err
	}
	out.Status.Data, out.Status.Errors = projectResults(in.Spec.Metrics, in.Status.Results, in.Status.LastCollectionTime)
	saved := map[string]string{}
	if !namedAfterQueries(in.Spec.Metrics) {
		if err := saveJSON(saved, MetricsAnnotation, toSavedMetrics(in.Spec.Metrics)); err != nil {
			return err
		}
	}
	derived := deriveResults(in.Spec.Metrics, out.Status.Data, out.Status.Errors, in.Status.LastCollectionTime)
	if !apiequality.Semantic.DeepEqual(derived, in.Status.Results) {
		if err := saveJSON(saved, ResultsAnnotation, toSavedResults(in.Status.Results)); err != nil {
			return err
		}
	}
	if len(saved) > 0 {
		annotations := make(map[string]string, len(in.Annotations)+len(saved))
		for k, v := range in.Annotations {
			annotations[k] = v
		}
		for k, v := range saved {
			annotations[k] = v
		}
		out.Annotations = annotations
	}
	return nil
}

// Convert_v1_MetricSnapshotSpec_To_metrics_MetricSnapshotSpec names each metric after its query;
// the object's conversion restores saved names and labels. (spec.metrics is opted out of
// conversion-gen in this direction: it would cast string to Metric.)
func Convert_v1_MetricSnapshotSpec_To_metrics_MetricSnapshotSpec(in *MetricSnapshotSpec, out *metrics.MetricSnapshotSpec, s conversion.Scope) error { //nolint:revive // name required by conversion-gen
	if err := autoConvert_v1_MetricSnapshotSpec_To_metrics_MetricSnapshotSpec(in, out, s); err != nil {
		return err
	}
	out.Metrics = restoreMetrics(in.Metrics, nil)
	return nil
}

// Convert_metrics_Metric_To_string keeps the query, all v1 has of a metric.
func Convert_metrics_Metric_To_string(in *metrics.Metric, out *string, _ conversion.Scope) error { //nolint:revive // name required by conversion-gen
	*out = in.Query
	return nil
}

// Convert_v1_MetricSnapshotStatus_To_metrics_MetricSnapshotStatus converts the common fields;
// results need the spec (data and errors are keyed by query), so the object's conversion makes them.
func Convert_v1_MetricSnapshotStatus_To_metrics_MetricSnapshotStatus(in *MetricSnapshotStatus, out *metrics.MetricSnapshotStatus, s conversion.Scope) error { //nolint:revive // name required by conversion-gen
	return autoConvert_v1_MetricSnapshotStatus_To_metrics_MetricSnapshotStatus(in, out, s)
}

// Convert_metrics_MetricSnapshotStatus_To_v1_MetricSnapshotStatus converts the common fields; see
// the object's conversion for data and errors.
func Convert_metrics_MetricSnapshotStatus_To_v1_MetricSnapshotStatus(in *metrics.MetricSnapshotStatus, out *MetricSnapshotStatus, s conversion.Scope) error { //nolint:revive // name required by conversion-gen
	return autoConvert_metrics_MetricSnapshotStatus_To_v1_MetricSnapshotStatus(in, out, s)
}

// namedAfterQueries tells whether v1's view of the metrics (their queries) says all there is.
func namedAfterQueries(list []metrics.Metric) bool {
	for _, m := range list {
		if m.Name != m.Query || len(m.Labels) > 0 {
			return false
		}
	}
	return true
}

// restoreMetrics gives each query the name and labels of the first saved metric with that query
// not used yet, or its own text as name: a v1 client that edited the list keeps the names of the
// metrics it left alone.
func restoreMetrics(queries []string, saved []savedMetric) []metrics.Metric {
	if queries == nil {
		return nil
	}
	used := make([]bool, len(saved))
	out := make([]metrics.Metric, len(queries))
	for i, q := range queries {
		out[i] = metrics.Metric{Name: q, Query: q}
		for j := range saved {
			if !used[j] && saved[j].Query == q {
				used[j] = true
				out[i].Name, out[i].Labels = saved[j].Name, saved[j].Labels
				break
			}
		}
	}
	return out
}

// projectResults is v1's view of results: data holds the values collected at lastCollectionTime,
// errors the errors of the last attempt, both keyed by the metric's query (by the result's name
// when no metric has it).
func projectResults(spec []metrics.Metric, results []metrics.MetricResult, lastCollection *metav1.Time) (map[string]float64, map[string]string) {
	queryOf := make(map[string]string, len(spec))
	for _, m := range spec {
		if _, seen := queryOf[m.Name]; !seen {
			queryOf[m.Name] = m.Query
		}
	}
	var data map[string]float64
	var errs map[string]string
	for _, r := range results {
		key := r.Name
		if q, ok := queryOf[r.Name]; ok {
			key = q
		}
		if r.Value != nil && r.Time.Equal(lastCollection) {
			if data == nil {
				data = map[string]float64{}
			}
			data[key] = *r.Value
		}
		if r.Error != "" {
			if errs == nil {
				errs = map[string]string{}
			}
			errs[key] = r.Error
		}
	}
	return data, errs
}

// deriveResults reads v1's data and errors as results: one per key, in spec order then sorted,
// each value at lastCollectionTime.
func deriveResults(spec []metrics.Metric, data map[string]float64, errs map[string]string, lastCollection *metav1.Time) []metrics.MetricResult {
	nameOf := make(map[string]string, len(spec))
	keys := make([]string, 0, len(data)+len(errs))
	for _, m := range spec {
		if _, seen := nameOf[m.Query]; seen {
			continue
		}
		nameOf[m.Query] = m.Name
		if _, ok := data[m.Query]; ok {
			keys = append(keys, m.Query)
		} else if _, ok := errs[m.Query]; ok {
			keys = append(keys, m.Query)
		}
	}
	var rest []string
	for k := range data {
		if _, inSpec := nameOf[k]; !inSpec {
			rest = append(rest, k)
		}
	}
	for k := range errs {
		if _, inSpec := nameOf[k]; !inSpec {
			if _, inData := data[k]; !inData {
				rest = append(rest, k)
			}
		}
	}
	sort.Strings(rest)
	keys = append(keys, rest...)
	if len(keys) == 0 {
		return nil
	}
	out := make([]metrics.MetricResult, len(keys))
	for i, k := range keys {
		out[i].Name = k
		if n, ok := nameOf[k]; ok {
			out[i].Name = n
		}
		if v, ok := data[k]; ok {
			out[i].Value, out[i].Time = &v, lastCollection.DeepCopy()
		}
		out[i].Error = errs[k]
	}
	return out
}

func toSavedMetrics(list []metrics.Metric) []savedMetric {
	out := make([]savedMetric, len(list))
	for i, m := range list {
		out[i] = savedMetric{Name: m.Name, Query: m.Query, Labels: m.Labels}
	}
	return out
}

func toSavedResults(list []metrics.MetricResult) []savedResult {
	out := make([]savedResult, len(list))
	for i, r := range list {
		out[i] = savedResult{Name: r.Name, Value: r.Value, Time: r.Time, Error: r.Error}
	}
	return out
}

// savedMetrics reads MetricsAnnotation; a missing or damaged one (a person edited it) restores nothing.
func savedMetrics(text string) []savedMetric {
	var saved []savedMetric
	if text == "" || json.Unmarshal([]byte(text), &saved) != nil {
		return nil
	}
	return saved
}

// savedResults reads ResultsAnnotation; ok is false when it is missing or damaged.
func savedResults(text string) ([]metrics.MetricResult, bool) {
	var saved []savedResult
	if text == "" || json.Unmarshal([]byte(text), &saved) != nil {
		return nil, false
	}
	var out []metrics.MetricResult
	if len(saved) > 0 {
		out = make([]metrics.MetricResult, len(saved))
		for i, r := range saved {
			out[i] = metrics.MetricResult{Name: r.Name, Value: r.Value, Time: r.Time, Error: r.Error}
		}
	}
	return out, true
}

func saveJSON(annotations map[string]string, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("writing annotation %s: %w", key, err)
	}
	annotations[key] = string(b)
	return nil
}

// withoutSaved returns the annotations without the conversion's own, sharing nothing with in.
func withoutSaved(in map[string]string) map[string]string {
	_, hasMetrics := in[MetricsAnnotation]
	_, hasResults := in[ResultsAnnotation]
	if !hasMetrics && !hasResults {
		return in
	}
	out := make(map[string]string, len(in))
	for k, v := range in {
		if k != MetricsAnnotation && k != ResultsAnnotation {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
