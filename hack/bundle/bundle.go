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
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/blang/semver/v4"
	"github.com/operator-framework/api/pkg/lib/version"
	"github.com/operator-framework/api/pkg/operators/v1alpha1"
	appsv1 "k8s.io/api/apps/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// options are the generator's inputs besides the manifests.
type options struct {
	Version, Package, Channel string
	DescriptionFile, IconFile string
	Description               string
	Icon                      []byte // SVG
	Out, Dockerfile           string
}

// bundle is what `make bundle` writes.
type bundle struct {
	CSV         *v1alpha1.ClusterServiceVersion
	Manifests   map[string]*unstructured.Unstructured // file name under manifests/ -> object (CRDs, Services, ...)
	Annotations map[string]string                     // metadata/annotations.yaml, also the image's labels
}

// Kinds OLM installs from a bundle's manifests/ besides the CSV and CRDs; anything else is refused
// rather than silently left out.
var extraKinds = map[string]bool{
	"Service": true, "ConfigMap": true, "Secret": true, "PodDisruptionBudget": true, "PriorityClass": true,
	"NetworkPolicy": true, "ServiceMonitor": true, "PrometheusRule": true,
}

// buildBundle is a pure function of the manifests and options.
func buildBundle(objs []*unstructured.Unstructured, o options) (*bundle, error) {
	ver, err := semver.ParseTolerant(o.Version)
	if err != nil {
		return nil, fmt.Errorf("parsing version %q: %w", o.Version, err)
	}
	b := &bundle{Manifests: map[string]*unstructured.Unstructured{}, Annotations: bundleAnnotations(o)}
	var base *v1alpha1.ClusterServiceVersion
	var crds []apiextensionsv1.CustomResourceDefinition
	var deployments []appsv1.Deployment
	var samples []*unstructured.Unstructured
	rbac := newRBACInput()
	// CRDs first, so samples of their kinds are recognised whatever the input order.
	ownedKinds := map[string]bool{}
	for _, u := range objs {
		if u.GetKind() == "CustomResourceDefinition" {
			var crd apiextensionsv1.CustomResourceDefinition
			if err := convert(u, &crd); err != nil {
				return nil, err
			}
			crds = append(crds, crd)
			ownedKinds[crd.Spec.Group+"/"+crd.Spec.Names.Kind] = true
			b.Manifests[crd.Spec.Group+"_"+crd.Spec.Names.Plural+".yaml"] = u
		}
	}
	for _, u := range objs {
		gvk := u.GroupVersionKind()
		if isRBAC, err := rbac.add(u); err != nil {
			return nil, err
		} else if isRBAC {
			continue
		}
		switch {
		case gvk.Kind == "CustomResourceDefinition":
		case gvk.Kind == "ClusterServiceVersion":
			if base != nil {
				return nil, fmt.Errorf("more than one ClusterServiceVersion base in the manifests")
			}
			base = &v1alpha1.ClusterServiceVersion{}
			if err := convert(u, base); err != nil {
				return nil, err
			}
		case gvk.Kind == "Deployment":
			var d appsv1.Deployment
			if err := convert(u, &d); err != nil {
				return nil, err
			}
			deployments = append(deployments, d)
		case gvk.Kind == "Namespace" || gvk.Kind == "ServiceAccount":
			// OLM creates the install namespace's ServiceAccounts from the CSV; the namespace is the user's.
		case ownedKinds[gvk.Group+"/"+gvk.Kind]:
			samples = append(samples, u)
		case extraKinds[gvk.Kind]:
			c := u.DeepCopy()
			c.SetNamespace("")
			b.Manifests[strings.ToLower(fmt.Sprintf("%s_%s_%s.yaml", c.GetName(), strings.ReplaceAll(gvk.GroupVersion().String(), "/", "_"), gvk.Kind))] = c
		default:
			return nil, fmt.Errorf("%s %s: a bundle cannot carry this kind", gvk.Kind, u.GetName())
		}
	}
	if base == nil {
		return nil, fmt.Errorf("no ClusterServiceVersion base in the manifests (config/manifests/bases)")
	}
	if len(deployments) == 0 {
		return nil, fmt.Errorf("no Deployment in the manifests: nothing to install")
	}
	csv := base.DeepCopy()
	csv.Name = fmt.Sprintf("%s.v%s", o.Package, ver)
	csv.Namespace = ""
	csv.Spec.Version = version.OperatorVersion{Version: ver}
	csv.Spec.Description = strings.TrimSpace(o.Description)
	csv.Spec.Icon = []v1alpha1.Icon{{Data: base64.StdEncoding.EncodeToString(o.Icon), MediaType: "image/svg+xml"}}
	if csv.Spec.InstallStrategy.StrategySpec.Permissions, csv.Spec.InstallStrategy.StrategySpec.ClusterPermissions, err = rbac.permissions(); err != nil {
		return nil, err
	}
	csv.Spec.InstallStrategy.StrategyName = v1alpha1.InstallStrategyNameDeployment
	csv.Spec.InstallStrategy.StrategySpec.DeploymentSpecs = nil
	for _, d := range deployments {
		csv.Spec.InstallStrategy.StrategySpec.DeploymentSpecs = append(csv.Spec.InstallStrategy.StrategySpec.DeploymentSpecs,
			v1alpha1.StrategyDeploymentSpec{Name: d.Name, Spec: d.Spec, Label: d.Labels})
	}
	if csv.Spec.CustomResourceDefinitions.Owned, err = ownedCRDs(base.Spec.CustomResourceDefinitions.Owned, crds); err != nil {
		return nil, err
	}
	csv.Spec.RelatedImages = relatedImages(deployments)
	if csv.Annotations == nil {
		csv.Annotations = map[string]string{}
	}
	csv.Annotations["containerImage"] = deployments[0].Spec.Template.Spec.Containers[0].Image
	if csv.Annotations["alm-examples"], err = almExamples(samples); err != nil {
		return nil, err
	}
	b.CSV = csv
	return b, nil
}

// ownedCRDs describes every served version of every CRD, completing the base's entry of the same name;
// a base entry for a CRD the manifests lack is an error.
func ownedCRDs(base []v1alpha1.CRDDescription, crds []apiextensionsv1.CustomResourceDefinition) ([]v1alpha1.CRDDescription, error) {
	byName := map[string]v1alpha1.CRDDescription{}
	for _, d := range base {
		byName[d.Name] = d
	}
	var out []v1alpha1.CRDDescription
	for _, crd := range crds {
		for _, v := range crd.Spec.Versions {
			if !v.Served {
				continue
			}
			d, err := describeOwned(byName[crd.Name], crd, v)
			if err != nil {
				return nil, err
			}
			out = append(out, d)
		}
		delete(byName, crd.Name)
	}
	for name := range byName {
		return nil, fmt.Errorf("the CSV base describes CRD %s, which the manifests do not contain", name)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name+out[i].Version < out[j].Name+out[j].Version })
	return out, nil
}

// relatedImages lists every image the operator runs or deploys: its containers' images and the values of
// --*-image= flags (the default apiserver image), so disconnected mirrors copy them all.
func relatedImages(deployments []appsv1.Deployment) []v1alpha1.RelatedImage {
	seen := map[string]bool{}
	var out []v1alpha1.RelatedImage
	add := func(name, image string) {
		if image != "" && !seen[image] {
			seen[image] = true
			out = append(out, v1alpha1.RelatedImage{Name: name, Image: image})
		}
	}
	for _, d := range deployments {
		for _, c := range d.Spec.Template.Spec.Containers {
			add(c.Name, c.Image)
			for _, a := range append(append([]string{}, c.Command...), c.Args...) {
				rest, isFlag := strings.CutPrefix(a, "--")
				if flag, value, ok := strings.Cut(rest, "="); isFlag && ok && strings.HasSuffix(flag, "-image") {
					add(strings.TrimSuffix(flag, "-image"), value)
				}
			}
		}
	}
	return out
}

// almExamples is the CSV annotation OLM consoles offer as starting points for each owned kind.
func almExamples(samples []*unstructured.Unstructured) (string, error) {
	objs := make([]map[string]any, 0, len(samples))
	for _, s := range samples {
		objs = append(objs, s.Object)
	}
	data, err := json.MarshalIndent(objs, "", "  ")
	if err != nil {
		return "", fmt.Errorf("encoding alm-examples: %w", err)
	}
	return string(data), nil
}

// bundleAnnotations are metadata/annotations.yaml and the bundle image's labels.
func bundleAnnotations(o options) map[string]string {
	return map[string]string{
		"operators.operatorframework.io.bundle.mediatype.v1":       "registry+v1",
		"operators.operatorframework.io.bundle.manifests.v1":       "manifests/",
		"operators.operatorframework.io.bundle.metadata.v1":        "metadata/",
		"operators.operatorframework.io.bundle.package.v1":         o.Package,
		"operators.operatorframework.io.bundle.channels.v1":        o.Channel,
		"operators.operatorframework.io.bundle.channel.default.v1": o.Channel,
	}
}
