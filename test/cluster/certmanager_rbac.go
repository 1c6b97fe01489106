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

import "strings"

// certManagerRBAC is the least privilege of each cert-manager component, rule for rule what
// cert-manager's Helm chart grants (rbac.yaml, cainjector-rbac.yaml, webhook-rbac.yaml) for the
// controllers the test bed runs; the chart's aggregated view/edit roles for users are left out.
// Leader election Leases live in CertManagerLeaseNamespace, as in the chart.
func certManagerRBAC() string {
	return strings.NewReplacer("$NS", CertManagerNamespace, "$LEASES", CertManagerLeaseNamespace).Replace(`apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cert-manager-controller-issuers}
rules:
- {apiGroups: [cert-manager.io], resources: [issuers, issuers/status], verbs: [update, patch]}
- {apiGroups: [cert-manager.io], resources: [issuers], verbs: [get, list, watch]}
- {apiGroups: [""], resources: [secrets], verbs: [get, list, watch, create, update, delete]}
- {apiGroups: [""], resources: [events], verbs: [create, patch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cert-manager-controller-clusterissuers}
rules:
- {apiGroups: [cert-manager.io], resources: [clusterissuers, clusterissuers/status], verbs: [update, patch]}
- {apiGroups: [cert-manager.io], resources: [clusterissuers], verbs: [get, list, watch]}
- {apiGroups: [""], resources: [secrets], verbs: [get, list, watch, create, update, delete]}
- {apiGroups: [""], resources: [events], verbs: [create, patch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cert-manager-controller-certificates}
rules:
- {apiGroups: [cert-manager.io], resources: [certificates, certificates/status, certificaterequests, certificaterequests/status], verbs: [update, patch]}
- {apiGroups: [cert-manager.io], resources: [certificates, certificaterequests, clusterissuers, issuers], verbs: [get, list, watch]}
- {apiGroups: [cert-manager.io], resources: [certificates/finalizers, certificaterequests/finalizers], verbs: [update]}
- {apiGroups: [acme.cert-manager.io], resources: [orders], verbs: [create, delete, get, list, watch]}
- {apiGroups: [""], resources: [secrets], verbs: [get, list, watch, create, update, delete, patch]}
- {apiGroups: [""], resources: [events], verbs: [create, patch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cert-manager-controller-orders}
rules:
- {apiGroups: [acme.cert-manager.io], resources: [orders, orders/status], verbs: [update, patch]}
- {apiGroups: [acme.cert-manager.io], resources: [orders, challenges], verbs: [get, list, watch]}
- {apiGroups: [cert-manager.io], resources: [clusterissuers, issuers], verbs: [get, list, watch]}
- {apiGroups: [acme.cert-manager.io], resources: [challenges], verbs: [create, delete]}
- {apiGroups: [acme.cert-manager.io], resources: [orders/finalizers], verbs: [update]}
- {apiGroups: [cert-manager.io], resources: [clusterissuers/finalizers, issuers/finalizers], verbs: [update]}
- {apiGroups: [""], resources: [secrets], verbs: [get, list, watch]}
- {apiGroups: [""], resources: [events], verbs: [create, patch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cert-manager-controller-challenges}
rules:
- {apiGroups: [acme.cert-manager.io], resources: [challenges, challenges/status], verbs: [update, patch]}
- {apiGroups: [acme.cert-manager.io], resources: [challenges], verbs: [get, list, watch]}
- {apiGroups: [cert-manager.io], resources: [issuers, clusterissuers], verbs: [get, list, watch]}
- {apiGroups: [""], resources: [secrets], verbs: [get, list, watch]}
- {apiGroups: [""], resources: [events], verbs: [create, patch]}
- {apiGroups: [""], resources: [pods, services], verbs: [get, list, watch, create, delete]}
- {apiGroups: [networking.k8s.io], resources: [ingresses], verbs: [get, list, watch, create, delete, update]}
- {apiGroups: [gateway.networking.k8s.io], resources: [httproutes], verbs: [get, list, watch, create, delete, update]}
- {apiGroups: [route.openshift.io], resources: [routes/custom-host], verbs: [create]}
- {apiGroups: [acme.cert-manager.io], resources: [challenges/finalizers], verbs: [update]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cert-manager-controller-ingress-shim}
rules:
- {apiGroups: [cert-manager.io], resources: [certificates, certificaterequests], verbs: [create, update, delete]}
- {apiGroups: [cert-manager.io], resources: [certificates, certificaterequests, issuers, clusterissuers], verbs: [get, list, watch]}
- {apiGroups: [networking.k8s.io], resources: [ingresses], verbs: [get, list, watch]}
- {apiGroups: [networking.k8s.io], resources: [ingresses/finalizers], verbs: [update]}
- {apiGroups: [gateway.networking.k8s.io], resources: [gateways, httproutes, listenersets], verbs: [get, list, watch]}
- {apiGroups: [gateway.networking.k8s.io], resources: [gateways/finalizers, httproutes/finalizers, listenersets/finalizers], verbs: [update]}
- {apiGroups: [""], resources: [events], verbs: [create, patch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "cert-manager-controller-approve:cert-manager-io"}
rules:
- {apiGroups: [cert-manager.io], resources: [signers], verbs: [approve], resourceNames: ["issuers.cert-manager.io/*", "clusterissuers.cert-manager.io/*"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cert-manager-controller-certificatesigningrequests}
rules:
- {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests], verbs: [get, list, watch, update]}
- {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/status], verbs: [update, patch]}
- {apiGroups: [certificates.k8s.io], resources: [signers], resourceNames: ["issuers.cert-manager.io/*", "clusterissuers.cert-manager.io/*"], verbs: [sign]}
- {apiGroups: [authorization.k8s.io], resources: [subjectaccessreviews], verbs: [create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cert-manager-cainjector}
rules:
- {apiGroups: [cert-manager.io], resources: [certificates], verbs: [get, list, watch]}
- {apiGroups: [""], resources: [secrets], verbs: [get, list, watch]}
- {apiGroups: [""], resources: [events], verbs: [get, create, update, patch]}
- {apiGroups: [admissionregistration.k8s.io], resources: [validatingwebhookconfigurations, mutatingwebhookconfigurations], verbs: [get, list, watch, update, patch]}
- {apiGroups: [apiregistration.k8s.io], resources: [apiservices], verbs: [get, list, watch, update, patch]}
- {apiGroups: [apiextensions.k8s.io], resources: [customresourcedefinitions], verbs: [get, list, watch, update, patch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "cert-manager-webhook:subjectaccessreviews"}
rules:
- {apiGroups: [authorization.k8s.io], resources: [subjectaccessreviews], verbs: [create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: "cert-manager:leaderelection", namespace: $LEASES}
rules:
- {apiGroups: [coordination.k8s.io], resources: [leases], resourceNames: [cert-manager-controller], verbs: [get, update, patch]}
- {apiGroups: [coordination.k8s.io], resources: [leases], verbs: [create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: "cert-manager-cainjector:leaderelection", namespace: $LEASES}
rules:
- {apiGroups: [coordination.k8s.io], resources: [leases], resourceNames: [cert-manager-cainjector-leader-election, cert-manager-cainjector-leader-election-core], verbs: [get, update, patch]}
- {apiGroups: [coordination.k8s.io], resources: [leases], verbs: [create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: cert-manager-tokenrequest, namespace: $NS}
rules:
- {apiGroups: [""], resources: [serviceaccounts/token], resourceNames: [cert-manager], verbs: [create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: "cert-manager-webhook:dynamic-serving", namespace: $NS}
rules:
- {apiGroups: [""], resources: [secrets], resourceNames: [cert-manager-webhook-ca], verbs: [get, list, watch, update]}
- {apiGroups: [""], resources: [secrets], verbs: [create]}
` + certManagerBindings())
}

// certManagerBindings binds each role above to the ServiceAccount of the component it belongs to.
func certManagerBindings() string {
	var b strings.Builder
	for _, r := range []struct{ kind, namespace, role, sa string }{
		{"ClusterRole", "", "cert-manager-controller-issuers", "cert-manager"},
		{"ClusterRole", "", "cert-manager-controller-clusterissuers", "cert-manager"},
		{"ClusterRole", "", "cert-manager-controller-certificates", "cert-manager"},
		{"ClusterRole", "", "cert-manager-controller-orders", "cert-manager"},
		{"ClusterRole", "", "cert-manager-controller-challenges", "cert-manager"},
		{"ClusterRole", "", "cert-manager-controller-ingress-shim", "cert-manager"},
		{"ClusterRole", "", "cert-manager-controller-approve:cert-manager-io", "cert-manager"},
		{"ClusterRole", "", "cert-manager-controller-certificatesigningrequests", "cert-manager"},
		{"ClusterRole", "", "cert-manager-cainjector", "cert-manager-cainjector"},
		{"ClusterRole", "", "cert-manager-webhook:subjectaccessreviews", "cert-manager-webhook"},
		{"Role", CertManagerLeaseNamespace, "cert-manager:leaderelection", "cert-manager"},
		{"Role", CertManagerLeaseNamespace, "cert-manager-cainjector:leaderelection", "cert-manager-cainjector"},
		{"Role", CertManagerNamespace, "cert-manager-tokenrequest", "cert-manager"},
		{"Role", CertManagerNamespace, "cert-manager-webhook:dynamic-serving", "cert-manager-webhook"},
	} {
		kind, ns := "ClusterRoleBinding", ""
		if r.kind == "Role" {
			kind, ns = "RoleBinding", ", namespace: "+r.namespace
		}
		b.WriteString("---\napiVersion: rbac.authorization.k8s.io/v1\nkind: " + kind + "\n")
		b.WriteString(`metadata: {name: "` + r.role + `"` + ns + "}\n")
		b.WriteString("roleRef: {apiGroup: rbac.authorization.k8s.io, kind: " + r.kind + `, name: "` + r.role + "\"}\n")
		b.WriteString("subjects:\n- {kind: ServiceAccount, name: " + r.sa + ", namespace: " + CertManagerNamespace + "}\n")
	}
	return b.String()
}
