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
	"net/url"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// parseSources turns repeated --source name=url flags into a map, rejecting bad names,
// non-HTTP URLs and duplicates.
func parseSources(flags []string) (map[string]string, error) {
	sources := make(map[string]string, len(flags))
	for _, f := range flags {
		name, raw, ok := strings.Cut(f, "=")
		if !ok {
			return nil, fmt.Errorf("--source %q: want name=url", f)
		}
		if errs := validation.IsDNS1123Label(name); len(errs) > 0 {
			return nil, fmt.Errorf("--source %q: name %s", f, strings.Join(errs, "; "))
		}
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("--source %q: want an http(s) URL such as http://prometheus:9090", f)
		}
		if _, dup := sources[name]; dup {
			return nil, fmt.Errorf("--source %q: source %s given twice", f, name)
		}
		sources[name] = raw
	}
	return sources, nil
}
