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
