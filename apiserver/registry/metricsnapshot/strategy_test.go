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

package metricsnapshot

import (
	"context"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/sets"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	"example.com/aggregation-operator/apiserver/apis/metrics"
)

func stored() *metrics.MetricSnapshot {
	return &metrics.MetricSnapshot{
		ObjectMeta: metav1.ObjectMeta{Name: "a", Namespace: "ns", Generation: 3, ResourceVersion: "7", Labels: map[string]string{"team": "x"}},
		Spec:       metrics.MetricSnapshotSpec{Source: "prometheus", Metrics: metrics.NamedAfterQueries("up"), Interval: "1m"},
		Status:     metrics.MetricSnapshotStatus{ObservedGeneration: 3, Results: []metrics.MetricResult{{Name: "up", Error: "x"}}},
	}
}

func TestCreateDropsStatusAndStartsGeneration(t *testing.T) {
	s := stored()
	NewStrategy(runtime.NewScheme(), metrics.GroupName, sets.New("prometheus")).PrepareForCreate(context.Background(), s)
	if s.Generation != 1 || s.Status.Results != nil || s.Status.ObservedGeneration != 0 {
		t.Fatalf("want generation 1 and empty status, got %d %+v", s.Generation, s.Status)
	}
	c := meta.FindStatusCondition(s.Status.Conditions, metrics.ConditionCollected)
	if c == nil || c.Status != metav1.ConditionUnknown || c.Reason != metrics.ReasonNotCollectedYet || c.LastTransitionTime.IsZero() {
		t.Fatalf("a new object must say it is not collected yet, got %+v", s.Status.Conditions)
	}
}

func TestIntervalIsStoredCanonical(t *testing.T) {
	st := NewStrategy(runtime.NewScheme(), metrics.GroupName, sets.New("prometheus"))
	s := stored()
	s.Spec.Interval = "60s"
	st.PrepareForCreate(context.Background(), s)
	if s.Spec.Interval != "1m" {
		t.Fatalf("created with 60s, stored %q, want 1m", s.Spec.Interval)
	}
	// Applying 60s again over the stored 1m is no spec change: the generation stays.
	old, again := stored(), stored()
	again.Spec.Interval = "60s"
	st.PrepareForUpdate(context.Background(), again, old)
	if again.Spec.Interval != "1m" || again.Generation != old.Generation {
		t.Fatalf("60s over 1m: stored %q at generation %d, want 1m at %d", again.Spec.Interval, again.Generation, old.Generation)
	}
	// Stored before the canonical form: a label change leaves the interval and the generation alone.
	old, labelled := stored(), stored()
	old.Spec.Interval, labelled.Spec.Interval, labelled.Labels = "60s", "60s", map[string]string{"team": "y"}
	st.PrepareForUpdate(context.Background(), labelled, old)
	if labelled.Spec.Interval != "60s" || labelled.Generation != old.Generation {
		t.Fatalf("label change on an object stored with 60s: %q at generation %d, want 60s at %d", labelled.Spec.Interval, labelled.Generation, old.Generation)
	}
}

func TestSpecUpdate(t *testing.T) {
	st := NewStrategy(runtime.NewScheme(), metrics.GroupName, sets.New("prometheus"))
	for name, tc := range map[string]struct {
		mutate     func(*metrics.MetricSnapshot)
		generation int64
	}{
		"spec change bumps generation":     {func(s *metrics.MetricSnapshot) { s.Spec.Interval = "5m" }, 4},
		"label change keeps generation":    {func(s *metrics.MetricSnapshot) { s.Labels = map[string]string{"team": "y"} }, 3},
		"status change is ignored":         {func(s *metrics.MetricSnapshot) { s.Status.Results[0].Error = "changed" }, 3},
		"metrics reorder is a spec change": {func(s *metrics.MetricSnapshot) { s.Spec.Metrics = metrics.NamedAfterQueries("up", "x") }, 4},
	} {
		old := stored()
		s := stored()
		tc.mutate(s)
		st.PrepareForUpdate(context.Background(), s, old)
		if s.Generation != tc.generation {
			t.Errorf("%s: generation %d, want %d", name, s.Generation, tc.generation)
		}
		if s.Status.Results[0].Error != "x" {
			t.Errorf("%s: a spec update changed status to %+v", name, s.Status)
		}
	}
}

func TestStatusUpdateWritesOnlyStatus(t *testing.T) {
	st := NewStatusStrategy(NewStrategy(runtime.NewScheme(), metrics.GroupName, sets.New("prometheus")))
	old := stored()
	s := stored()
	s.Spec.Interval = "5m"
	s.Labels = nil
	s.Generation = 9
	s.Status.Results = []metrics.MetricResult{{Name: "up", Error: "changed"}}
	st.PrepareForUpdate(context.Background(), s, old)
	if s.Spec.Interval != "1m" || s.Labels["team"] != "x" || s.Generation != 3 {
		t.Fatalf("status update changed spec or metadata: %+v %v %d", s.Spec, s.Labels, s.Generation)
	}
	if s.Status.Results[0].Error != "changed" {
		t.Fatalf("status update lost the new status: %+v", s.Status)
	}
	if errs := st.ValidateUpdate(context.Background(), s, old); len(errs) != 0 {
		t.Fatalf("valid status update rejected: %v", errs)
	}
}

func TestValidateUsesServerSources(t *testing.T) {
	st := NewStrategy(runtime.NewScheme(), metrics.GroupName, sets.New("thanos"))
	errs := st.Validate(context.Background(), stored())
	if len(errs) != 1 || errs[0].Field != "spec.source" {
		t.Fatalf("source not configured on the server must be rejected at spec.source, got %v", errs)
	}
}

func TestSelectableFields(t *testing.T) {
	f := SelectableFields(stored())
	if f["spec.source"] != "prometheus" || f["metadata.name"] != "a" || f["metadata.namespace"] != "ns" {
		t.Fatalf("unexpected fields %v", f)
	}
}

func TestResetFieldsFollowTheServedGroup(t *testing.T) {
	st := NewStrategy(runtime.NewScheme(), "widgets.example.com", sets.New("prometheus"))
	for name, fields := range map[string]map[fieldpath.APIVersion]*fieldpath.Set{
		"spec": st.GetResetFields(), "status": NewStatusStrategy(st).GetResetFields(),
	} {
		if len(fields) != 2 || fields["widgets.example.com/v1"] == nil || fields["widgets.example.com/v2"] == nil {
			t.Errorf("%s strategy resets fields of %v, want widgets.example.com/v1 and v2 only", name, fields)
		}
	}
}
