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

package cluster

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// ObjectNames lists every object the cluster holds that can be listed (Events aside, which come
// and go on their own), as "apiVersion kind namespace/name": two snapshots compare what a test
// left behind.
func (c Config) ObjectNames(ctx context.Context) (map[string]bool, error) {
	// An unavailable aggregated API makes kubectl report an error but still list the rest.
	kinds, err := c.KubectlOutput(ctx, "", "api-resources", "--verbs=list", "-o", "name")
	if kinds == "" {
		return nil, fmt.Errorf("listing API resources: %w", err)
	}
	var listable []string
	for _, k := range strings.Fields(kinds) {
		if k != "events" && k != "events.events.k8s.io" {
			listable = append(listable, k)
		}
	}
	out, err := c.KubectlOutput(ctx, "", "get", strings.Join(listable, ","), "--all-namespaces", "-o",
		`jsonpath={range .items[*]}{.apiVersion} {.kind} {.metadata.namespace}/{.metadata.name}{"\n"}{end}`)
	if err != nil {
		return nil, fmt.Errorf("listing every object: %w", err)
	}
	names := map[string]bool{}
	for _, l := range strings.Split(out, "\n") {
		if l != "" {
			names[l] = true
		}
	}
	return names, nil
}

// DiffObjectNames lists, sorted, the names of after that before does not hold, and those it lost.
func DiffObjectNames(before, after map[string]bool) (added, removed []string) {
	for n := range after {
		if !before[n] {
			added = append(added, n)
		}
	}
	for n := range before {
		if !after[n] {
			removed = append(removed, n)
		}
	}
	sort.Strings(added)
	sort.Strings(removed)
	return added, removed
}
