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

// Command bundle turns the manifests config/ installs into an OLM bundle, as operator-sdk's
// `generate bundle` would (operator-sdk is not served by the module proxy):
//
//	kustomize build config/manifests | go run ./hack/bundle -version v0.1.0 -out bundle -dockerfile bundle.Dockerfile
//
// It writes bundle/manifests (the ClusterServiceVersion and the CRD), bundle/metadata/annotations.yaml and
// bundle.Dockerfile. Everything comes from the input: the CSV base (config/manifests/bases) for what
// OperatorHub shows, the Deployment for the install strategy, the RBAC for permissions, the CRD for the
// owned API and the samples for alm-examples.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	var o options
	flag.StringVar(&o.Version, "version", "v0.1.0", "operator version (the CSV's spec.version, without the v)")
	flag.StringVar(&o.Package, "package", "aggregation-operator", "OLM package name")
	flag.StringVar(&o.Channel, "channel", "stable-v0", "channel the bundle is published in (also the default channel)")
	flag.StringVar(&o.DescriptionFile, "description", "config/manifests/description.md", "markdown for the CSV's spec.description")
	flag.StringVar(&o.IconFile, "icon", "config/manifests/icon.svg", "SVG icon for the CSV")
	flag.StringVar(&o.Out, "out", "bundle", "bundle directory (manifests/ and metadata/ are replaced)")
	flag.StringVar(&o.Dockerfile, "dockerfile", "bundle.Dockerfile", "path of the bundle image's Dockerfile")
	flag.Parse()
	if err := run(os.Stdin, o); err != nil {
		fmt.Fprintln(os.Stderr, "bundle:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, o options) error {
	objs, err := decodeObjects(in)
	if err != nil {
		return err
	}
	if o.Description, err = readFile(o.DescriptionFile); err != nil {
		return err
	}
	icon, err := readFile(o.IconFile)
	if err != nil {
		return err
	}
	o.Icon = []byte(icon)
	b, err := buildBundle(objs, o)
	if err != nil {
		return err
	}
	return b.write(o)
}

func readFile(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	return string(data), nil
}
