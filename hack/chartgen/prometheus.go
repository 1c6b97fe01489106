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

	"sigs.k8s.io/yaml"
)

// writeRuleGroups writes the rule groups of the PrometheusRule in from (config/components/prometheus) as
// a YAML list to to, which the chart's PrometheusRule includes under `groups:` as it is: the alerts'
// {{ $labels }} templates must reach Prometheus, not Helm.
func writeRuleGroups(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return fmt.Errorf("reading %s: %w", from, err)
	}
	var rule struct {
		Spec struct {
			Groups []any `json:"groups"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(data, &rule); err != nil {
		return fmt.Errorf("decoding the PrometheusRule in %s: %w", from, err)
	}
	if len(rule.Spec.Groups) == 0 {
		return fmt.Errorf("%s has no rule groups", from)
	}
	groups, err := yaml.Marshal(rule.Spec.Groups)
	if err != nil {
		return fmt.Errorf("encoding the rule groups of %s: %w", from, err)
	}
	header := generatedMark + "config/components/prometheus/" + filepath.Base(from) + "; do not edit.\n"
	return writeIfChanged(to, append([]byte(header), groups...))
}
