package main

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
)

// defaultConfig fills internal with cert-manager's defaults for a component: its versioned
// configuration (v1alpha1) defaulted by the scheme, then converted, as upstream builds them.
func defaultConfig(newScheme func(...serializer.CodecFactoryOptionsMutator) (*runtime.Scheme, *serializer.CodecFactory, error), versioned, internal runtime.Object) error {
	scheme, _, err := newScheme()
	if err != nil {
		return fmt.Errorf("building the configuration scheme: %w", err)
	}
	scheme.Default(versioned)
	if err := scheme.Convert(versioned, internal, nil); err != nil {
		return fmt.Errorf("converting the default %T: %w", versioned, err)
	}
	return nil
}
