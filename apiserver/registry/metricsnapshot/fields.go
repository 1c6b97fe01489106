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
	"fmt"

	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/storage"

	"example.com/aggregation-operator/apiserver/apis/metrics"
)

// GetAttrs returns the labels and selectable fields of a MetricSnapshot.
func GetAttrs(obj runtime.Object) (labels.Set, fields.Set, error) {
	s, ok := obj.(*metrics.MetricSnapshot)
	if !ok {
		return nil, nil, fmt.Errorf("not a MetricSnapshot: %T", obj)
	}
	return s.Labels, SelectableFields(s), nil
}

// SelectableFields are metadata.name, metadata.namespace and spec.source
// (kubectl get metricsnapshots --field-selector spec.source=prometheus).
func SelectableFields(s *metrics.MetricSnapshot) fields.Set {
	set := generic.ObjectMetaFieldsSet(&s.ObjectMeta, true)
	set["spec.source"] = s.Spec.Source
	return set
}

// Match selects MetricSnapshots by label and field selectors.
func Match(label labels.Selector, field fields.Selector) storage.SelectionPredicate {
	return storage.SelectionPredicate{Label: label, Field: field, GetAttrs: GetAttrs}
}
