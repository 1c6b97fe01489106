// Package v1alpha1 contains the CustomApiServer API (group aggregation.example.com).
// +kubebuilder:object:generate=true
// +groupName=aggregation.example.com
package v1alpha1

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

var (
	// GroupVersion is the group and version of the CustomApiServer API.
	GroupVersion = schema.GroupVersion{Group: "aggregation.example.com", Version: "v1alpha1"}

	// SchemeBuilder registers the types of this package.
	SchemeBuilder = &scheme.Builder{GroupVersion: GroupVersion}

	// AddToScheme adds the types of this package to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)
