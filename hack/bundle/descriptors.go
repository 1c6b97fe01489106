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
	"strings"

	"github.com/operator-framework/api/pkg/operators/v1alpha1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
)

// describeOwned completes the base's description of one served version of crd: version, kind, the CRD's
// own description when the base has none, and each descriptor's description from the schema. A descriptor
// whose path the schema lacks is an error, so the CSV cannot drift from the API types.
func describeOwned(base v1alpha1.CRDDescription, crd apiextensionsv1.CustomResourceDefinition, v apiextensionsv1.CustomResourceDefinitionVersion) (v1alpha1.CRDDescription, error) {
	d := *base.DeepCopy()
	d.Name, d.Version, d.Kind = crd.Name, v.Name, crd.Spec.Names.Kind
	if v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
		return d, fmt.Errorf("CRD %s version %s has no schema", crd.Name, v.Name)
	}
	root := v.Schema.OpenAPIV3Schema
	if d.Description == "" {
		d.Description = firstParagraph(root.Description)
	}
	spec, status := root.Properties["spec"], root.Properties["status"]
	// describe fills *desc from the schema unless the base wrote one.
	describe := func(schema *apiextensionsv1.JSONSchemaProps, kind, path string, desc *string) error {
		fromSchema, err := describePath(schema, path)
		if err != nil {
			return fmt.Errorf("CRD %s %s %q: %w", crd.Name, kind, path, err)
		}
		if *desc == "" {
			*desc = fromSchema
		}
		return nil
	}
	for i := range d.SpecDescriptors {
		if err := describe(&spec, "specDescriptor", d.SpecDescriptors[i].Path, &d.SpecDescriptors[i].Description); err != nil {
			return d, err
		}
	}
	for i := range d.StatusDescriptors {
		if err := describe(&status, "statusDescriptor", d.StatusDescriptors[i].Path, &d.StatusDescriptors[i].Description); err != nil {
			return d, err
		}
	}
	return d, nil
}

// describePath walks a dotted descriptor path (storage.etcd.servers) through the schema, stepping into
// array items, and returns the field's description.
func describePath(schema *apiextensionsv1.JSONSchemaProps, path string) (string, error) {
	cur := schema
	for _, part := range strings.Split(path, ".") {
		if cur.Items != nil && cur.Items.Schema != nil {
			cur = cur.Items.Schema
		}
		next, ok := cur.Properties[part]
		if !ok {
			return "", fmt.Errorf("no field %q in the schema", part)
		}
		cur = &next
	}
	return firstParagraph(cur.Description), nil
}

// firstParagraph keeps a description to its first paragraph, on one line (what a form shows next to a field).
func firstParagraph(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n\n")
	return strings.Join(strings.Fields(s), " ")
}
