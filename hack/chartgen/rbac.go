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
