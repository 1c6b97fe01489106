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
	"fmt"
	"strings"
)

// certManagerWorkloads is cert-manager's namespace, ServiceAccounts, Deployments, Services and
// webhook configurations, shaped as its Helm chart makes them with default values. All three
// components run from one multi-call image, picked by the first argument.
//
// The webhook serves with a certificate of its own CA, which it keeps in the Secret
// cert-manager-webhook-ca (--dynamic-serving-ca-secret-*); cainjector copies that CA into both
// webhook configurations (annotation cert-manager.io/inject-ca-from-secret), so until it has,
// the kube-apiserver cannot call the webhook and cert-manager objects cannot be written.
func certManagerWorkloads(image string) string {
	ns := CertManagerNamespace
	webhookDNS := fmt.Sprintf("cert-manager-webhook,cert-manager-webhook.%[1]s,cert-manager-webhook.%[1]s.svc", ns)
	docs := []string{
		certManagerServiceAccount("cert-manager"),
		certManagerServiceAccount("cert-manager-cainjector"),
		certManagerServiceAccount("cert-manager-webhook"),
		certManagerDeployment(image, "cert-manager", "controller", []string{
			"--v=2", "--cluster-resource-namespace=$(POD_NAMESPACE)", "--leader-election-namespace=" + CertManagerLeaseNamespace,
			"--max-concurrent-challenges=60",
		}, `        ports:
        - {name: http-metrics, containerPort: 9402}
        - {name: http-healthz, containerPort: 9403}
        livenessProbe:
          httpGet: {path: /livez, port: http-healthz}
          initialDelaySeconds: 10
          periodSeconds: 10
          timeoutSeconds: 15
          failureThreshold: 8
`),
		certManagerDeployment(image, "cert-manager-cainjector", "cainjector", []string{
			"--v=2", "--leader-election-namespace=" + CertManagerLeaseNamespace,
		}, `        ports:
        - {name: http-metrics, containerPort: 9402}
`),
		certManagerDeployment(image, "cert-manager-webhook", "webhook", []string{
			"--v=2", "--secure-port=10250",
			"--dynamic-serving-ca-secret-namespace=$(POD_NAMESPACE)", "--dynamic-serving-ca-secret-name=cert-manager-webhook-ca",
			"--dynamic-serving-dns-names=" + webhookDNS,
		}, `        ports:
        - {name: https, containerPort: 10250}
        - {name: healthcheck, containerPort: 6080}
        - {name: http-metrics, containerPort: 9402}
        livenessProbe:
          httpGet: {path: /livez, port: healthcheck}
          initialDelaySeconds: 60
          periodSeconds: 10
          timeoutSeconds: 1
          failureThreshold: 3
        readinessProbe:
          httpGet: {path: /healthz, port: healthcheck}
          initialDelaySeconds: 5
          periodSeconds: 5
          timeoutSeconds: 1
          failureThreshold: 3
`),
		certManagerService("cert-manager", "controller", "{name: tcp-prometheus-servicemonitor, port: 9402, targetPort: http-metrics}"),
		certManagerService("cert-manager-webhook", "webhook", "{name: https, port: 443, targetPort: https}"),
		certManagerWebhookConfiguration("ValidatingWebhookConfiguration", "/validate", `  namespaceSelector:
    matchExpressions:
    - {key: cert-manager.io/disable-validation, operator: NotIn, values: ["true"]}
  rules:
  - {apiGroups: [cert-manager.io, acme.cert-manager.io], apiVersions: [v1], operations: [CREATE, UPDATE], resources: ["*/*"]}
`),
		certManagerWebhookConfiguration("MutatingWebhookConfiguration", "/mutate", `  rules:
  - {apiGroups: [cert-manager.io], apiVersions: [v1], operations: [CREATE], resources: [certificaterequests]}
`),
	}
	return strings.Join(docs, "---\n")
}

func certManagerLabels(component string) string {
	return fmt.Sprintf("{app.kubernetes.io/name: %[1]s, app.kubernetes.io/instance: cert-manager, app.kubernetes.io/component: %[1]s}", component)
}

func certManagerServiceAccount(name string) string {
	return fmt.Sprintf("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: %s, namespace: %s}\nautomountServiceAccountToken: true\n", name, CertManagerNamespace)
}

// certManagerDeployment runs one component (the image's first argument) as non-root with a
// read-only root filesystem and no capabilities, as the chart does; containerSpec holds its ports
// and probes.
func certManagerDeployment(image, name, component string, args []string, containerSpec string) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: %[1]s, namespace: %[2]s, labels: %[3]s}
spec:
  replicas: 1
  selector: {matchLabels: %[3]s}
  template:
    metadata: {labels: %[3]s}
    spec:
      serviceAccountName: %[1]s
      enableServiceLinks: false
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      containers:
      - name: cert-manager-%[4]s
        image: %[5]s
        imagePullPolicy: Never
        args: ["%[4]s", "%[6]s"]
        env:
        - name: POD_NAMESPACE
          valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities: {drop: [ALL]}
%[7]s`, name, CertManagerNamespace, certManagerLabels(component), component, image, strings.Join(args, `", "`), containerSpec)
}

func certManagerService(name, component, port string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Service
metadata: {name: %[1]s, namespace: %[2]s, labels: %[3]s}
spec:
  selector: %[3]s
  ports:
  - %[4]s
`, name, CertManagerNamespace, certManagerLabels(component), port)
}

// certManagerWebhookConfiguration sends cert-manager's resources to the webhook Service; its
// caBundle is left to cainjector, which reads the webhook's CA Secret.
func certManagerWebhookConfiguration(kind, path, rules string) string {
	return fmt.Sprintf(`apiVersion: admissionregistration.k8s.io/v1
kind: %[1]s
metadata:
  name: cert-manager-webhook
  labels: %[2]s
  annotations: {cert-manager.io/inject-ca-from-secret: %[3]s/cert-manager-webhook-ca}
webhooks:
- name: webhook.cert-manager.io
%[4]s  admissionReviewVersions: [v1]
  matchPolicy: Equivalent
  timeoutSeconds: 30
  failurePolicy: Fail
  sideEffects: None
  clientConfig:
    service: {name: cert-manager-webhook, namespace: %[3]s, path: %[5]s}
`, kind, certManagerLabels("webhook"), CertManagerNamespace, rules, path)
}
