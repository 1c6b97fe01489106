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

// Command chartgen writes the parts of the Helm chart that come from other sources, so that
// `make manifests` keeps the chart and config/ in step:
//
//   - crds/: the CRDs of config/crd/bases, verbatim;
//
//   - files/*-rules.yaml: the rules of config/rbac's ClusterRole and leader-election Role, which the
//     chart's templates include;
//
//   - files/prometheus-rule-groups.yaml: the alerts of config/components/prometheus' PrometheusRule;
//
//   - the values reference in the chart's README.md, from values.schema.json (types, descriptions)
//     and values.yaml (defaults).
//
// Usage:
//
//	go run ./hack/chartgen -config config -chart charts/aggregation-operator
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	config := flag.String("config", "config", "the kustomize tree (crd/bases, rbac)")
	chart := flag.String("chart", "charts/aggregation-operator", "the chart directory")
	flag.Parse()
	if err := run(*config, *chart); err != nil {
		fmt.Fprintln(os.Stderr, "chartgen:", err)
		os.Exit(1)
	}
}

func run(config, chart string) error {
	if err := copyCRDs(filepath.Join(config, "crd", "bases"), filepath.Join(chart, "crds")); err != nil {
		return err
	}
	rules := []struct{ from, to string }{
		{"role.yaml", "manager-role-rules.yaml"},
		{"leader_election_role.yaml", "leader-election-role-rules.yaml"},
	}
	for _, r := range rules {
		if err := writeRules(filepath.Join(config, "rbac", r.from), filepath.Join(chart, "files", r.to)); err != nil {
			return err
		}
	}
	if err := writeRuleGroups(filepath.Join(config, "components", "prometheus", "prometheus_rule.yaml"),
		filepath.Join(chart, "files", "prometheus-rule-groups.yaml")); err != nil {
		return err
	}
	return writeValuesReference(chart)
}

// writeIfChanged writes data to path unless it already holds exactly that, so a run that changes
// nothing leaves modification times alone.
func writeIfChanged(path string, data []byte) error {
	if old, err := os.ReadFile(path); err == nil && string(old) == string(data) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("creating the directory of %s: %w", path, err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
