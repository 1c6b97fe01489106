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
	"os"
	"strings"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"
)

// The install manifest is typed Kubernetes objects (strict decoding catches a misspelt field), and
// everything it refers to is in it: each binding's role and ServiceAccount, each Deployment's
// ServiceAccount, the image the test bed builds.
func TestCertManagerManifest(t *testing.T) {
	typed := map[string]func() any{
		"Namespace":                      func() any { return &corev1.Namespace{} },
		"ServiceAccount":                 func() any { return &corev1.ServiceAccount{} },
		"Service":                        func() any { return &corev1.Service{} },
		"Deployment":                     func() any { return &appsv1.Deployment{} },
		"ClusterRole":                    func() any { return &rbacv1.ClusterRole{} },
		"ClusterRoleBinding":             func() any { return &rbacv1.ClusterRoleBinding{} },
		"Role":                           func() any { return &rbacv1.Role{} },
		"RoleBinding":                    func() any { return &rbacv1.RoleBinding{} },
		"ValidatingWebhookConfiguration": func() any { return &admissionregistrationv1.ValidatingWebhookConfiguration{} },
		"MutatingWebhookConfiguration":   func() any { return &admissionregistrationv1.MutatingWebhookConfiguration{} },
	}
	defined := map[string]bool{} // "Kind namespace/name"
	var bindings []rbacv1.RoleBinding
	var deployments []*appsv1.Deployment
	for i, doc := range strings.Split(Default("/tmp/x", "/tmp/x", "/tmp/x").certManagerManifest(), "\n---\n") {
		var meta struct {
			Kind     string `json:"kind"`
			Metadata struct{ Name, Namespace string }
		}
		if err := yaml.Unmarshal([]byte(doc), &meta); err != nil {
			t.Fatalf("document %d: %v\n%s", i, err, doc)
		}
		newObj, ok := typed[meta.Kind]
		if !ok {
			t.Fatalf("document %d: unexpected kind %q", i, meta.Kind)
		}
		obj := newObj()
		if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
			t.Errorf("%s %s: %v", meta.Kind, meta.Metadata.Name, err)
		}
		key := fmt.Sprintf("%s %s/%s", meta.Kind, meta.Metadata.Namespace, meta.Metadata.Name)
		if defined[key] {
			t.Errorf("%s is defined twice", key)
		}
		defined[key] = true
		switch o := obj.(type) {
		case *rbacv1.ClusterRoleBinding:
			bindings = append(bindings, rbacv1.RoleBinding{ObjectMeta: o.ObjectMeta, RoleRef: o.RoleRef, Subjects: o.Subjects})
		case *rbacv1.RoleBinding:
			bindings = append(bindings, *o)
		case *appsv1.Deployment:
			deployments = append(deployments, o)
		}
	}
	for _, b := range bindings {
		if role := fmt.Sprintf("%s %s/%s", b.RoleRef.Kind, b.Namespace, b.RoleRef.Name); !defined[role] {
			t.Errorf("binding %s refers to %s, which the manifest does not define", b.Name, role)
		}
		for _, s := range b.Subjects {
			if sa := "ServiceAccount " + s.Namespace + "/" + s.Name; !defined[sa] {
				t.Errorf("binding %s binds %s, which the manifest does not define", b.Name, sa)
			}
		}
	}
	if len(deployments) != 3 {
		t.Fatalf("%d Deployments, want controller, cainjector and webhook", len(deployments))
	}
	for _, d := range deployments {
		spec := d.Spec.Template.Spec
		if sa := "ServiceAccount " + d.Namespace + "/" + spec.ServiceAccountName; !defined[sa] {
			t.Errorf("Deployment %s runs as %s, which the manifest does not define", d.Name, sa)
		}
		if c := spec.Containers[0]; c.Image != CertManagerImage || c.Args[0] != d.Labels["app.kubernetes.io/component"] {
			t.Errorf("Deployment %s runs %s %v, want %s with its component as first argument", d.Name, c.Image, c.Args, CertManagerImage)
		}
	}
}

// CertManagerVersion names the directory the Makefile builds into, so it must be the version the
// tool module builds.
func TestCertManagerVersionMatchesToolModule(t *testing.T) {
	mod, err := os.ReadFile("../../hack/tools/cert-manager/go.mod")
	if err != nil {
		t.Fatal(err)
	}
	if want := "github.com/cert-manager/cert-manager " + CertManagerVersion; !strings.Contains(string(mod), want) {
		t.Errorf("hack/tools/cert-manager/go.mod does not require %s", want)
	}
}
