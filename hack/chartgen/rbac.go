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
	"os"
	"path/filepath"

	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"
)

// writeRules writes the rules of the (Cluster)Role in from as a YAML list to to, which a chart template
// includes under `rules:`.
func writeRules(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return fmt.Errorf("reading %s: %w", from, err)
	}
	var role rbacv1.ClusterRole // a Role's fields are a subset
	if err := yaml.UnmarshalStrict(data, &role); err != nil {
		return fmt.Errorf("decoding the rules of %s: %w", from, err)
	}
	if len(role.Rules) == 0 {
		return fmt.Errorf("%s has no rules", from)
	}
	rules, err := yaml.Marshal(role.Rules)
	if err != nil {
		return fmt.Errorf("encoding the rules of %s: %w", from, err)
	}
	header := generatedMark + "config/rbac/" + filepath.Base(from) + "; do not edit.\n"
	return writeIfChanged(to, append([]byte(header), rules...))
}
