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

package olm

import (
	"fmt"
	"strconv"
	"strings"
)

// OLM's namespaces, as upstream's chart names them: the operators and catalog sources run in olm; the
// default global OperatorGroup lives in operators.
const (
	Namespace          = "olm"
	OperatorsNamespace = "operators"
)

// manifests is OLM's install (upstream's deploy/chart, values for an upstream cluster): namespaces, the
// operators' ServiceAccount and ClusterRole, the olm and catalog operators, the default OperatorGroups
// and the OLMConfig. Left out: packageserver (the packagemanifests aggregated API; installs do not need
// it), cert-manager and monitoring objects, and NetworkPolicies (the test cluster's CNI does not enforce them).
func (b Bed) manifests() string {
	return fmt.Sprintf(`apiVersion: v1
kind: Namespace
metadata:
  name: %[1]s
  labels: {pod-security.kubernetes.io/enforce: baseline, pod-security.kubernetes.io/enforce-version: latest}
---
apiVersion: v1
kind: Namespace
metadata:
  name: %[2]s
  labels: {pod-security.kubernetes.io/enforce: baseline, pod-security.kubernetes.io/enforce-version: latest}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: system:controller:operator-lifecycle-manager
rules:
- apiGroups: ["*"]
  resources: ["*"]
  verbs: ["watch", "list", "get", "create", "update", "patch", "delete", "deletecollection", "escalate", "bind"]
- nonResourceURLs: ["*"]
  verbs: ["*"]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: olm-operator-serviceaccount, namespace: %[1]s}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: olm-operator-binding-%[1]s
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:controller:operator-lifecycle-manager"}
subjects:
- {kind: ServiceAccount, name: olm-operator-serviceaccount, namespace: %[1]s}
%[3]s%[4]s---
apiVersion: operators.coreos.com/v1
kind: OperatorGroup
metadata: {name: global-operators, namespace: %[2]s}
---
apiVersion: operators.coreos.com/v1
kind: OperatorGroup
metadata: {name: olm-operators, namespace: %[1]s}
spec:
  targetNamespaces: [%[1]s]
---
apiVersion: operators.coreos.com/v1
kind: OLMConfig
metadata: {name: cluster}
`, Namespace, OperatorsNamespace,
		deployment("olm-operator", b.OLMImage(), "/bin/olm", "160Mi",
			"--namespace", "$(OPERATOR_NAMESPACE)", "--writeStatusName", "", "--writePackageServerStatusName", ""),
		deployment("catalog-operator", b.OLMImage(), "/bin/catalog", "80Mi", "--namespace", Namespace, "--opmImage="+b.OPMImage(),
			"--util-image", b.OLMImage(), "--writeStatusName", "", "--set-workload-user-id=true"),
	)
}

// deployment is one of OLM's two operators as upstream's chart deploys it (both run the OLM image; the
// olm operator finds its namespace in OPERATOR_NAMESPACE).
func deployment(name, image, command, memory string, args ...string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = strconv.Quote(a)
	}
	return fmt.Sprintf(`---
apiVersion: apps/v1
kind: Deployment
metadata: {name: %[1]s, namespace: %[2]s, labels: {app: %[1]s}}
spec:
  strategy: {type: Recreate}
  replicas: 1
  selector: {matchLabels: {app: %[1]s}}
  template:
    metadata: {labels: {app: %[1]s}}
    spec:
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      serviceAccountName: olm-operator-serviceaccount
      volumes:
      - {name: tmpfs, emptyDir: {}}
      containers:
      - name: %[1]s
        image: %[3]s
        command: [%[4]s]
        args: [%[5]s]
        env:
        - name: OPERATOR_NAMESPACE
          valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
        - {name: OPERATOR_NAME, value: %[1]s}
        ports: [{containerPort: 8080, name: metrics}]
        livenessProbe: {httpGet: {path: /healthz, port: 8080}}
        readinessProbe: {httpGet: {path: /healthz, port: 8080}}
        resources: {requests: {cpu: 10m, memory: %[6]s}}
        securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
        volumeMounts: [{name: tmpfs, mountPath: /tmp}]
        terminationMessagePolicy: FallbackToLogsOnError
`, name, Namespace, image, command, strings.Join(quoted, ", "), memory)
}
