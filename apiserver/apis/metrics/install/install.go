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
)

// Install registers the internal and v1 types, conversions and defaults.
func Install(scheme *runtime.Scheme) {
	utilruntime.Must(metrics.AddToScheme(scheme))
	utilruntime.Must(v1.AddToScheme(scheme))
	utilruntime.Must(scheme.SetVersionPriority(v1.SchemeGroupVersion))
}

// IntoScheme registers the internal and v1 types, conversions and defaults under group
// instead of metrics.GroupName: the Go types are the same, the served group is the server's.
func IntoScheme(scheme *runtime.Scheme, group string) error {
	metrics.AddToSchemeAs(scheme, schema.GroupVersion{Group: group, Version: runtime.APIVersionInternal})
	gv := schema.GroupVersion{Group: group, Version: v1.SchemeGroupVersion.Version}
	if err := v1.AddToSchemeAs(scheme, gv); err != nil {
		return err
	}
	if err := scheme.SetVersionPriority(gv); err != nil {
		return fmt.Errorf("setting the version priority of %s: %w", gv, err)
	}
	return nil
}
