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

package main

import (
	"encoding/json"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

const (
	testBase = `apiVersion: operators.coreos.com/v1alpha1
kind: ClusterServiceVersion
metadata: {name: x.v0.0.0}
spec:
  displayName: X
  customresourcedefinitions:
    owned:
    - name: widgets.example.com
      displayName: Widget
      specDescriptors:
      - {path: size, displayName: Size}
      statusDescriptors:
      - {path: phase, displayName: Phase, description: kept as written}
`
	testCRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Cluster
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        description: |-
          Widget is a test kind.

          Second paragraph, dropped.
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer, description: "Size of the\n widget."}
          status:
            type: object
            properties:
              phase: {type: string, description: Phase from the schema.}
  - name: v0
    served: false
    storage: false
`
	testDeployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: x-manager, namespace: x-system, labels: {app: x}}
spec:
  selector: {matchLabels: {app: x}}
  template:
    metadata: {labels: {app: x}}
    spec:
      serviceAccountName: x-sa
      containers:
      - name: manager
        image: reg.test/x:v1
        args: [--leader-elect, --apiserver-image=reg.test/api:v1, --other=reg.test/not-an-image-flag]
`
	testRBAC = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: x-leader, namespace: x-system}
rules:
- {apiGroups: [coordination.k8s.io], resources: [leases], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: x-leader, namespace: x-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: x-leader}
subjects: [{kind: ServiceAccount, name: x-sa, namespace: x-system}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: x-manager}
rules:
- {apiGroups: [example.com], resources: [widgets], verbs: [get, list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: x-manager}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: x-manager}
subjects: [{kind: ServiceAccount, name: x-sa, namespace: x-system}]
`
	testDropped = `apiVersion: v1
kind: Namespace
metadata: {name: x-system}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: x-sa, namespace: x-system}
`
	testSample = `apiVersion: example.com/v1
kind: Widget
metadata: {name: sample}
spec: {size: 3}
`
	testService = `apiVersion: v1
kind: Service
metadata: {name: x-metrics, namespace: x-system}
spec: {ports: [{port: 8080}]}
`
)

func decode(t *testing.T, docs ...string) []*unstructured.Unstructured {
	t.Helper()
	objs, err := decodeObjects(strings.NewReader(strings.Join(docs, "\n---\n")))
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

var testOptions = options{Version: "v1.2.3", Package: "x", Channel: "stable-v1", Description: "Long text.\n", Icon: []byte("<svg/>")}

func TestBuildBundle(t *testing.T) {
	b, err := buildBundle(decode(t, testSample, testBase, testCRD, testDeployment, testRBAC, testDropped, testService), testOptions)
	if err != nil {
		t.Fatal(err)
	}
	csv := b.CSV
	if csv.Name != "x.v1.2.3" || csv.Spec.Version.String() != "1.2.3" {
		t.Errorf("name %q version %q, want x.v1.2.3 and 1.2.3", csv.Name, csv.Spec.Version.String())
	}
	if csv.Spec.Description != "Long text." || len(csv.Spec.Icon) != 1 || csv.Spec.Icon[0].MediaType != "image/svg+xml" || csv.Spec.Icon[0].Data != "PHN2Zy8+" {
		t.Errorf("description %q icon %+v: want the description file's text and the base64 SVG", csv.Spec.Description, csv.Spec.Icon)
	}
	if csv.Spec.DisplayName != "X" {
		t.Errorf("displayName %q: the base's fields must be kept", csv.Spec.DisplayName)
	}
	deps := csv.Spec.InstallStrategy.StrategySpec.DeploymentSpecs
	if csv.Spec.InstallStrategy.StrategyName != "deployment" || len(deps) != 1 || deps[0].Name != "x-manager" || deps[0].Label["app"] != "x" ||
		deps[0].Spec.Template.Spec.ServiceAccountName != "x-sa" {
		t.Errorf("install strategy %+v: want the x-manager Deployment", csv.Spec.InstallStrategy)
	}
	perms := csv.Spec.InstallStrategy.StrategySpec.Permissions
	if len(perms) != 1 || perms[0].ServiceAccountName != "x-sa" || len(perms[0].Rules) != 1 || perms[0].Rules[0].Resources[0] != "leases" {
		t.Errorf("permissions %+v: want the leader-election Role's rules for x-sa", perms)
	}
	cperms := csv.Spec.InstallStrategy.StrategySpec.ClusterPermissions
	if len(cperms) != 1 || cperms[0].ServiceAccountName != "x-sa" || cperms[0].Rules[0].Resources[0] != "widgets" {
		t.Errorf("clusterPermissions %+v: want the ClusterRole's rules for x-sa", cperms)
	}
	owned := csv.Spec.CustomResourceDefinitions.Owned
	if len(owned) != 1 {
		t.Fatalf("owned CRDs %+v: want one entry (v0 is not served)", owned)
	}
	o := owned[0]
	if o.Version != "v1" || o.Kind != "Widget" || o.DisplayName != "Widget" || o.Description != "Widget is a test kind." {
		t.Errorf("owned CRD %+v: want version, kind from the CRD, displayName from the base, first paragraph of the schema description", o)
	}
	if o.SpecDescriptors[0].Description != "Size of the widget." || o.StatusDescriptors[0].Description != "kept as written" {
		t.Errorf("descriptors %+v %+v: want the schema's description when the base has none", o.SpecDescriptors, o.StatusDescriptors)
	}
	wantImages := map[string]string{"manager": "reg.test/x:v1", "apiserver": "reg.test/api:v1"}
	if len(csv.Spec.RelatedImages) != len(wantImages) {
		t.Errorf("relatedImages %+v, want %v", csv.Spec.RelatedImages, wantImages)
	}
	for _, ri := range csv.Spec.RelatedImages {
		if wantImages[ri.Name] != ri.Image {
			t.Errorf("relatedImage %+v, want %v", ri, wantImages)
		}
	}
	if csv.Annotations["containerImage"] != "reg.test/x:v1" {
		t.Errorf("containerImage annotation %q", csv.Annotations["containerImage"])
	}
	var examples []map[string]any
	if err := json.Unmarshal([]byte(csv.Annotations["alm-examples"]), &examples); err != nil || len(examples) != 1 || examples[0]["kind"] != "Widget" {
		t.Errorf("alm-examples %q (%v): want the sample Widget", csv.Annotations["alm-examples"], err)
	}
	var names []string
	for n := range b.Manifests {
		names = append(names, n)
	}
	if len(b.Manifests) != 2 || b.Manifests["example.com_widgets.yaml"] == nil || b.Manifests["x-metrics_v1_service.yaml"] == nil {
		t.Errorf("manifests %v: want the CRD and the Service (Namespace and ServiceAccount are OLM's)", names)
	}
	if svc := b.Manifests["x-metrics_v1_service.yaml"]; svc != nil && svc.GetNamespace() != "" {
		t.Errorf("the Service keeps namespace %q; OLM installs it in the operator's namespace", svc.GetNamespace())
	}
	if b.Annotations["operators.operatorframework.io.bundle.channel.default.v1"] != "stable-v1" || b.Annotations["operators.operatorframework.io.bundle.package.v1"] != "x" {
		t.Errorf("annotations %v", b.Annotations)
	}
}

func TestBuildBundleRefuses(t *testing.T) {
	cases := []struct {
		name    string
		docs    []string
		version string
		want    string
	}{
		{"no CSV base", []string{testCRD, testDeployment}, "", "no ClusterServiceVersion base"},
		{"no Deployment", []string{testBase, testCRD}, "", "no Deployment"},
		{"a kind OLM cannot install", []string{testBase, testCRD, testDeployment, "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\n"}, "", "Job j: a bundle cannot carry this kind"},
		{"a descriptor for a field the CRD lacks", []string{strings.Replace(testBase, "path: size", "path: colour", 1), testCRD, testDeployment}, "", `specDescriptor "colour": no field "colour"`},
		{"a base entry for a CRD that is not there", []string{testBase, testDeployment}, "", "describes CRD widgets.example.com, which the manifests do not contain"},
		{"a binding to a role config/ does not define", []string{testBase, testCRD, testDeployment, `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: b}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:auth-delegator}
subjects: [{kind: ServiceAccount, name: x-sa, namespace: x-system}]
`}, "", "refers to ClusterRole system:auth-delegator, which the manifests do not define"},
		{"a bad version", []string{testBase, testCRD, testDeployment}, "vX", `parsing version "vX"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := testOptions
			if c.version != "" {
				o.Version = c.version
			}
			_, err := buildBundle(decode(t, c.docs...), o)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestDockerfile(t *testing.T) {
	got := dockerfile(map[string]string{"b.key": "2", "a.key": "1"}, "bundle")
	want := "# Generated by `make bundle` (hack/bundle): the OLM bundle image.\nFROM scratch\n\nLABEL a.key=1\nLABEL b.key=2\n\nCOPY bundle/manifests /manifests/\nCOPY bundle/metadata /metadata/\n"
	if got != want {
		t.Errorf("dockerfile:\n%s\nwant:\n%s", got, want)
	}
}
