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

package v1alpha1

// PolicyRule is one rule of the apiserver's ClusterRole: the fields of rbac/v1 PolicyRule, bounded and
// without the grants that reach beyond named permissions. Wildcards, and the verbs escalate, bind and
// impersonate, would let whoever writes a CustomApiServer hand its apiserver (and so its image) more than
// the rules say; they are refused here, before anything is applied. Beyond that, a cluster admin decides
// which rules are grantable at all (README, "Security model").
// +kubebuilder:validation:XValidation:rule="has(self.nonResourceURLs) ? !has(self.apiGroups) && !has(self.resources) && !has(self.resourceNames) : has(self.apiGroups) && has(self.resources)",message="a rule names apiGroups and resources (optionally resourceNames), or nonResourceURLs alone"
type PolicyRule struct {
	// Verbs the rule allows, e.g. get, list, watch. Each must be named: '*' is refused, and so are escalate,
	// bind and impersonate.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=63
	// +kubebuilder:validation:XValidation:rule="self.all(v, v != '*')",message="verbs must be named (get, list, watch, ...): '*' grants every verb, including escalate, bind and impersonate"
	// +kubebuilder:validation:XValidation:rule="self.all(v, !(v.lowerAscii() in ['escalate', 'bind', 'impersonate']))",message="escalate, bind and impersonate are not allowed: they let the apiserver grant itself, or act as, more than these rules"
	// +listType=atomic
	Verbs []string `json:"verbs"`

	// APIGroups of the resources ("" is the core group). Each must be named: '*' is refused.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:items:MaxLength=253
	// +kubebuilder:validation:XValidation:rule="self.all(g, g != '*')",message="apiGroups must be named ('' is the core group): '*' grants every group"
	// +listType=atomic
	APIGroups []string `json:"apiGroups,omitempty"`

	// Resources, e.g. configmaps or deployments/scale. Each must be named: '*' and '*/<subresource>' are
	// refused.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=253
	// +kubebuilder:validation:XValidation:rule="self.all(r, !r.contains('*'))",message="resources must be named (configmaps, deployments/scale, ...): '*' and '*/<subresource>' grant every resource"
	// +listType=atomic
	Resources []string `json:"resources,omitempty"`

	// ResourceNames narrows the rule to objects of these names (exact names: RBAC has no wildcard here, so
	// '*' is refused as a likely mistake; omit resourceNames for every name).
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=253
	// +kubebuilder:validation:XValidation:rule="self.all(n, n != '*')",message="resourceNames are exact object names: '*' would match only an object named '*'; omit resourceNames to cover every name"
	// +listType=atomic
	ResourceNames []string `json:"resourceNames,omitempty"`

	// NonResourceURLs are exact paths such as /healthz; '*' and prefix wildcards such as /apis/* are refused.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:items:MaxLength=1024
	// +kubebuilder:validation:items:Pattern=`^/`
	// +kubebuilder:validation:XValidation:rule="self.all(u, !u.contains('*'))",message="nonResourceURLs must be exact paths: '*' and prefixes such as /apis/* grant every path below them"
	// +listType=atomic
	NonResourceURLs []string `json:"nonResourceURLs,omitempty"`
}
