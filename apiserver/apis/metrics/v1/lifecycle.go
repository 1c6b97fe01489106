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

package v1

import "k8s.io/apimachinery/pkg/runtime/schema"

// v1 is deprecated in favour of v2: k8s.io/apiserver reads these methods (as it reads the ones
// prerelease-lifecycle-gen writes for the built-in APIs) and sends every response of a v1 endpoint
// with a Warning header, "<group>/v1 MetricSnapshot is deprecated in v1.37+; use <group>/v2
// MetricSnapshot", which kubectl prints. They are written here rather than generated because the
// replacement must name the group the server serves (--api-group), which the installer sets on
// the object it asks. No removal release: v1 is served as long as objects may be stored in it
// (README "Versions").

// DeprecatedInKubernetes is the Kubernetes minor (of the k8s.io/apiserver this server is built
// with) from which v1 is deprecated; a server that reports no version treats it as deprecated.
var DeprecatedInKubernetes = [2]int{1, 37}

// APILifecycleDeprecated returns the release v1 is deprecated in.
func (in *MetricSnapshot) APILifecycleDeprecated() (major, minor int) {
	return DeprecatedInKubernetes[0], DeprecatedInKubernetes[1]
}

// APILifecycleReplacement names v2 in the served group.
func (in *MetricSnapshot) APILifecycleReplacement() schema.GroupVersionKind {
	return schema.GroupVersionKind{Group: in.GroupVersionKind().Group, Version: "v2", Kind: "MetricSnapshot"}
}
