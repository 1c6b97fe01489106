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

package server

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// validateAPIGroup accepts what an APIService may name: a DNS subdomain with at least one dot
// (dotless names are reserved for the built-in groups).
func validateAPIGroup(group string) error {
	if msgs := validation.IsDNS1123Subdomain(group); len(msgs) > 0 {
		return fmt.Errorf("--api-group %q: must be a DNS subdomain such as widgets.example.com: %s", group, strings.Join(msgs, "; "))
	}
	if !strings.Contains(group, ".") {
		return fmt.Errorf("--api-group %q: must contain at least one dot, such as widgets.example.com", group)
	}
	return nil
}
