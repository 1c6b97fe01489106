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

// Package install registers the MetricSnapshot API (metrics.example.com, or the group a server
// is started with) in a scheme.
package install

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"

	"example.com/aggregation-operator/apiserver/apis/metrics"
	v1 "example.com/aggregation-operator/apiserver/apis/metrics/v1"
	v2 "example.com/aggregation-operator/apiserver/apis/metrics/v2"
)

// Install registers the internal, v2 and v1 types, conversions and defaults; v2 is preferred.
func Install(scheme *runtime.Scheme) {
	utilruntime.Must(IntoScheme(scheme, metrics.GroupName))
}

// IntoScheme registers the internal, v2 and v1 types, conversions and defaults under group
// instead of metrics.GroupName: the Go types are the same, the served group is the server's.
// v2 comes first in the version priority: discovery prefers it, and it is the storage version.
func IntoScheme(scheme *runtime.Scheme, group string) error {
	metrics.AddToSchemeAs(scheme, schema.GroupVersion{Group: group, Version: runtime.APIVersionInternal})
	gv2 := schema.GroupVersion{Group: group, Version: v2.SchemeGroupVersion.Version}
	if err := v2.AddToSchemeAs(scheme, gv2); err != nil {
		return err
	}
	gv1 := schema.GroupVersion{Group: group, Version: v1.SchemeGroupVersion.Version}
	if err := v1.AddToSchemeAs(scheme, gv1); err != nil {
		return err
	}
	if err := scheme.SetVersionPriority(gv2, gv1); err != nil {
		return fmt.Errorf("setting the version priority of %s and %s: %w", gv2, gv1, err)
	}
	return nil
}
