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

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// GroupName is the API group served by the MetricSnapshot apiserver.
const GroupName = "metrics.example.com"

// SchemeGroupVersion is the group version used to register these objects.
var SchemeGroupVersion = schema.GroupVersion{Group: GroupName, Version: "v2"}

var (
	// SchemeBuilder registers the v2 types, conversions and defaults.
	SchemeBuilder      runtime.SchemeBuilder
	localSchemeBuilder = &SchemeBuilder
	// AddToScheme adds the v2 types to a scheme.
	AddToScheme = localSchemeBuilder.AddToScheme
)

func init() {
	// Generated conversion and defaulting functions register themselves in their own init.
	localSchemeBuilder.Register(addKnownTypes, addDefaultingFuncs, addFieldLabelConversionFuncs)
}

// Resource takes an unqualified resource and returns a group-qualified GroupResource.
func Resource(resource string) schema.GroupResource {
	return SchemeGroupVersion.WithResource(resource).GroupResource()
}

func addKnownTypes(scheme *runtime.Scheme) error {
	addKnownTypesAs(scheme, SchemeGroupVersion)
	return nil
}

func addKnownTypesAs(scheme *runtime.Scheme, gv schema.GroupVersion) {
	scheme.AddKnownTypes(gv, &MetricSnapshot{}, &MetricSnapshotList{})
	metav1.AddToGroupVersion(scheme, gv)
}

func addFieldLabelConversionFuncs(scheme *runtime.Scheme) error {
	return addFieldLabelConversionFuncsAs(scheme, SchemeGroupVersion)
}

// addFieldLabelConversionFuncsAs lets clients select MetricSnapshots of gv by spec.source.
func addFieldLabelConversionFuncsAs(scheme *runtime.Scheme, gv schema.GroupVersion) error {
	return scheme.AddFieldLabelConversionFunc(gv.WithKind("MetricSnapshot"),
		func(label, value string) (string, string, error) {
			switch label {
			case "metadata.name", "metadata.namespace", "spec.source":
				return label, value, nil
			default:
				return "", "", fmt.Errorf("field label %q not supported for MetricSnapshot", label)
			}
		})
}
