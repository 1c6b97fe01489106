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

package v2

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// AddToSchemeAs registers the v2 types under gv instead of SchemeGroupVersion, so one binary can
// serve MetricSnapshots in the group it is started with (--api-group). The generated conversions
// and defaults are keyed by Go type, so they apply whatever the group; the spec.source field label
// is keyed by GroupVersionKind and registered for gv.
func AddToSchemeAs(scheme *runtime.Scheme, gv schema.GroupVersion) error {
	addKnownTypesAs(scheme, gv)
	if err := RegisterConversions(scheme); err != nil {
		return fmt.Errorf("registering conversions of %s: %w", gv, err)
	}
	if err := addDefaultingFuncs(scheme); err != nil {
		return fmt.Errorf("registering defaults of %s: %w", gv, err)
	}
	if err := addFieldLabelConversionFuncsAs(scheme, gv); err != nil {
		return fmt.Errorf("registering field labels of %s: %w", gv, err)
	}
	return nil
}
