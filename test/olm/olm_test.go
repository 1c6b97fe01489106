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
	"archive/tar"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	appsv1 "k8s.io/api/apps/v1"
	"sigs.k8s.io/yaml"
)

var testBed = Bed{OLMVersion: "v0.46.0", OPMVersion: "v1.73.0"}

// TestManifests: OLM's install decodes, and its operators run the OLM image with the opm and util
// images the bundle unpack jobs need.
func TestManifests(t *testing.T) {
	docs := strings.Split(testBed.manifests(), "\n---\n")
	kinds := map[string]int{}
	deployments := map[string]appsv1.Deployment{}
	for _, doc := range docs {
		var meta struct {
			Kind string `json:"kind"`
		}
		if err := yaml.Unmarshal([]byte(doc), &meta); err != nil {
			t.Fatalf("decoding %q: %v", doc, err)
		}
		kinds[meta.Kind]++
		if meta.Kind == "Deployment" {
			var d appsv1.Deployment
			if err := yaml.UnmarshalStrict([]byte(doc), &d); err != nil {
				t.Fatalf("decoding Deployment: %v\n%s", err, doc)
			}
			deployments[d.Name] = d
		}
	}
	for kind, n := range map[string]int{"Namespace": 2, "ClusterRole": 1, "ServiceAccount": 1, "ClusterRoleBinding": 1, "Deployment": 2, "OperatorGroup": 2, "OLMConfig": 1} {
		if kinds[kind] != n {
			t.Errorf("%d %s objects, want %d (all: %v)", kinds[kind], kind, n, kinds)
		}
	}
	catalog := deployments["catalog-operator"].Spec.Template.Spec.Containers
	if len(catalog) != 1 || catalog[0].Image != "local.test/olm:v0.46.0" ||
		!slices.Contains(catalog[0].Args, "--opmImage=local.test/opm:v1.73.0") || !slices.Contains(catalog[0].Args, "local.test/olm:v0.46.0") {
		t.Errorf("catalog-operator container %+v: want the OLM image, --opmImage and --util-image", catalog)
	}
	olm := deployments["olm-operator"].Spec.Template.Spec.Containers
	if len(olm) != 1 || olm[0].Command[0] != "/bin/olm" || !slices.Contains(olm[0].Args, "$(OPERATOR_NAMESPACE)") {
		t.Errorf("olm-operator container %+v", olm)
	}
}

// TestFromDockerfile builds the bundle image from the committed bundle.Dockerfile: its labels, and
// manifests/ and metadata/ at the image root, as `docker build` would make it.
func TestFromDockerfile(t *testing.T) {
	repo := filepath.Join("..", "..")
	img, err := fromDockerfile(filepath.Join(repo, "bundle.Dockerfile"), repo)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if got := cf.Config.Labels["operators.operatorframework.io.bundle.package.v1"]; got != "aggregation-operator" {
		t.Errorf("package label %q, want aggregation-operator (labels %v)", got, cf.Config.Labels)
	}
	files := imageFiles(t, img)
	for _, want := range []string{"manifests/aggregation-operator.clusterserviceversion.yaml", "manifests/aggregation.example.com_customapiservers.yaml", "metadata/annotations.yaml"} {
		if !files[want] {
			t.Errorf("bundle image lacks %s (has %v)", want, files)
		}
	}
}

func TestFromDockerfileRefuses(t *testing.T) {
	for _, c := range []struct{ dockerfile, want string }{
		{"FROM golang:1.26\n", "only FROM scratch"},
		{"FROM scratch\nRUN true\n", "instruction RUN is not supported"},
		{"FROM scratch\nCMD serve\n", "CMD must be in exec form"},
		{"FROM scratch\nLABEL a=1 \\\n  b=2\n", "line continuations"},
	} {
		path := filepath.Join(t.TempDir(), "Dockerfile")
		if err := os.WriteFile(path, []byte(c.dockerfile), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := fromDockerfile(path, t.TempDir()); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.dockerfile, err, c.want)
		}
	}
}

// imageFiles lists the regular files of an image's flattened filesystem.
func imageFiles(t *testing.T, img v1.Image) map[string]bool {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	files := map[string]bool{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			files[h.Name] = true
		}
	}
}
