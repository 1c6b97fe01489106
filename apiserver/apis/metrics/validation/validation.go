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

// Package validation checks MetricSnapshots; every error carries the field path it is about.
package validation

import (
	"fmt"
	"strings"

	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"example.com/aggregation-operator/apiserver/apis/metrics"
)

// Bounds of every string and list a client writes, so that what one object costs to validate,
// store, collect and report is known. See README "MetricSnapshot apiserver" for the table.
const (
	// MaxMetrics bounds the work one object can ask for: at most this many queries per interval.
	MaxMetrics = 100
	// MaxExpressionLength bounds one PromQL expression (and so one key of status.data and
	// status.errors); PromQL written by people is far shorter.
	MaxExpressionLength = 1024
	// MaxSourceLength: source names are DNS labels (--source name=url), 63 bytes at most.
	MaxSourceLength = 63
	// MaxErrorLength bounds the error of one metric in status.errors; the collector truncates.
	MaxErrorLength = 1024
)

// Sources is the set of source names configured on the server (--source name=url).
type Sources = sets.Set[string]

// ValidateMetricSnapshot validates a new object; spec.source must be configured on the server.
func ValidateMetricSnapshot(s *metrics.MetricSnapshot, sources Sources) field.ErrorList {
	allErrs := apimachineryvalidation.ValidateObjectMeta(&s.ObjectMeta, true,
		apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	allErrs = append(allErrs, validateSpec(&s.Spec, sources, nil, field.NewPath("spec"))...)
	return allErrs
}

// ValidateMetricSnapshotUpdate validates a spec update. An unchanged spec.source need not be
// configured any more, metrics the old object already had are not parsed again (nor compared
// with each other), and an unchanged interval is not held to the length bound, so objects stay
// editable and deletable after a source is removed or the checks become stricter.
func ValidateMetricSnapshotUpdate(s, old *metrics.MetricSnapshot, sources Sources) field.ErrorList {
	allErrs := apimachineryvalidation.ValidateObjectMetaUpdate(&s.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	allErrs = append(allErrs, validateSpec(&s.Spec, sources, &old.Spec, field.NewPath("spec"))...)
	return allErrs
}

// ValidateMetricSnapshotStatusUpdate validates a status written through the status subresource.
func ValidateMetricSnapshotStatusUpdate(s, old *metrics.MetricSnapshot) field.ErrorList {
	allErrs := apimachineryvalidation.ValidateObjectMetaUpdate(&s.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	status := field.NewPath("status")
	if s.Status.ObservedGeneration < 0 {
		allErrs = append(allErrs, field.Invalid(status.Child("observedGeneration"), s.Status.ObservedGeneration, "must be non-negative"))
	}
	allErrs = append(allErrs, metav1validation.ValidateConditions(s.Status.Conditions, status.Child("conditions"))...)
	allErrs = append(allErrs, validateResults(s.Status.Results, status.Child("results"))...)
	return allErrs
}

// validateResults bounds status.results (v1: status.data and status.errors): one per metric at
// most, named as metrics are, each error bounded.
func validateResults(results []metrics.MetricResult, path *field.Path) field.ErrorList {
	if len(results) > MaxMetrics {
		return field.ErrorList{field.TooMany(path, len(results), MaxMetrics)}
	}
	var allErrs field.ErrorList
	seen := sets.New[string]()
	for i, r := range results {
		p := path.Index(i)
		switch {
		case r.Name == "":
			allErrs = append(allErrs, field.Required(p.Child("name"), "the name of a metric in spec.metrics"))
		case len(r.Name) > MaxExpressionLength:
			allErrs = append(allErrs, field.TooLong(p.Child("name"), "", MaxExpressionLength))
		case seen.Has(r.Name):
			allErrs = append(allErrs, field.Duplicate(p.Child("name"), r.Name))
		}
		seen.Insert(r.Name)
		if len(r.Error) > MaxErrorLength {
			allErrs = append(allErrs, field.TooLong(p.Child("error"), "", MaxErrorLength))
		}
	}
	return allErrs
}

// old is the stored spec on update (nil on create): what it already had is exempt from the checks
// added since it was accepted.
func validateSpec(spec *metrics.MetricSnapshotSpec, sources Sources, old *metrics.MetricSnapshotSpec, path *field.Path) field.ErrorList {
	unparsed := sets.New[string]()
	checkSourceKnown, checkIntervalLength := true, true
	if old != nil {
		for _, m := range old.Metrics {
			unparsed.Insert(m.Query)
		}
		checkSourceKnown = spec.Source != old.Source
		checkIntervalLength = spec.Interval != old.Interval
	}
	var allErrs field.ErrorList
	allErrs = append(allErrs, validateSource(spec.Source, sources, checkSourceKnown, path.Child("source"))...)
	allErrs = append(allErrs, validateMetrics(spec.Metrics, unparsed, path.Child("metrics"))...)
	allErrs = append(allErrs, validateInterval(spec.Interval, checkIntervalLength, path.Child("interval"))...)
	return allErrs
}

func validateSource(source string, sources Sources, checkKnown bool, path *field.Path) field.ErrorList {
	if source == "" {
		return field.ErrorList{field.Required(path, "name of a source configured on the server (--source name=url)")}
	}
	if checkKnown && len(source) > MaxSourceLength {
		return field.ErrorList{field.TooLong(path, "", MaxSourceLength)}
	}
	if checkKnown && sources.Len() == 0 {
		return field.ErrorList{field.Invalid(path, source, "the server has no sources configured; start it with --source name=url")}
	}
	if checkKnown && !sources.Has(source) {
		return field.ErrorList{field.NotSupported(path, source, sets.List(sources))}
	}
	return nil
}

// validateMetrics stops at "Too many": beyond MaxMetrics nothing is parsed, so the cost of an
// object and the size of its error stay bounded however long the list is. Duplicates are compared
// on the parsed expression (Prometheus' canonical form), so "up", " up" and "up\n" are one metric.
// Errors in a query are reported at spec.metrics[i], which is the query in v1 and the metric in
// v2; names and labels (v2 only) at their own field.
func validateMetrics(list []metrics.Metric, unparsed sets.Set[string], path *field.Path) field.ErrorList {
	if len(list) == 0 {
		return field.ErrorList{field.Required(path, "at least one metric name or PromQL expression")}
	}
	if len(list) > MaxMetrics {
		return field.ErrorList{field.TooMany(path, len(list), MaxMetrics)}
	}
	allErrs := validateNames(list, path)
	seen := make(map[string]int, len(list))
	for i, metric := range list {
		p, m := path.Index(i), metric.Query
		allErrs = append(allErrs, metav1validation.ValidateLabels(metric.Labels, p.Child("labels"))...)
		if len(m) > MaxExpressionLength {
			allErrs = append(allErrs, field.TooLong(p, "", MaxExpressionLength))
			continue
		}
		key, err := expressionKey(m, unparsed.Has(m))
		if err != nil {
			allErrs = append(allErrs, field.Invalid(p, m, err.Error()))
			continue
		}
		// Two entries the stored object already had were accepted together; keep them.
		if j, dup := seen[key]; dup && (!unparsed.Has(m) || !unparsed.Has(list[j].Query)) {
			e := field.Duplicate(p, m)
			e.Detail = fmt.Sprintf("the same expression as %s", path.Index(j))
			allErrs = append(allErrs, e)
			continue
		}
		seen[key] = i
	}
	return allErrs
}

// validateNames checks what v2 adds: every metric has a name, unique in the list. A v1 metric is
// named after its query, so a name is bounded like a query and is not reported again when its
// query is (too long, or the same text twice).
func validateNames(list []metrics.Metric, path *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	seen := make(map[string]int, len(list))
	for i, m := range list {
		p := path.Index(i).Child("name")
		switch j, dup := seen[m.Name]; {
		case m.Name == "":
			if m.Query != "" {
				allErrs = append(allErrs, field.Required(p, "a name for the metric, unique in spec.metrics"))
			}
		case len(m.Name) > MaxExpressionLength:
			if m.Name != m.Query {
				allErrs = append(allErrs, field.TooLong(p, "", MaxExpressionLength))
			}
		case dup && (m.Name != m.Query || list[j].Query != m.Query):
			e := field.Duplicate(p, m.Name)
			e.Detail = fmt.Sprintf("the same name as %s", path.Index(j).Child("name"))
			allErrs = append(allErrs, e)
		case !dup:
			seen[m.Name] = i
		}
	}
	return allErrs
}

// expressionKey is what two metrics are compared on: the parsed expression printed back. A metric
// accepted earlier (exempt) that no longer parses is compared on its trimmed text.
func expressionKey(m string, exempt bool) (string, error) {
	parsed, err := CheckExpression(m)
	switch {
	case err == nil:
		return parsed.String(), nil
	case exempt:
		return strings.TrimSpace(m), nil
	default:
		return "", err
	}
}

func validateInterval(interval string, checkLength bool, path *field.Path) field.ErrorList {
	if interval == "" {
		return field.ErrorList{field.Required(path, "a duration such as 30s or 5m")}
	}
	if checkLength && len(interval) > metrics.MaxIntervalLength {
		return field.ErrorList{field.TooLong(path, "", metrics.MaxIntervalLength)}
	}
	if _, err := metrics.ParseInterval(interval); err != nil {
		return field.ErrorList{field.Invalid(path, interval, err.Error())}
	}
	return nil
}
