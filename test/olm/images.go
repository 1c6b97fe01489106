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
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"example.com/aggregation-operator/test/cluster"
)

// olmUID is the user OLM's and opm's upstream images run as.
const olmUID = 1001

// withConfig sets an image's runtime config for the node's platform (containerd only unpacks images
// whose platform matches), with a fixed creation time.
func withConfig(img v1.Image, c v1.Config) (v1.Image, error) {
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading image config: %w", err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", runtime.GOARCH
	cf.Created = v1.Time{Time: time.Unix(0, 0).UTC()}
	cf.Config = c
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, fmt.Errorf("setting image config: %w", err)
	}
	return img, nil
}

// binaryImage is a one-layer image of static binaries under /bin (its PATH) and a world-writable /tmp,
// run as olmUID.
func binaryImage(files map[string]string, c v1.Config) (v1.Image, error) {
	c.Env, c.User = []string{"PATH=/bin"}, strconv.Itoa(olmUID)
	entries, err := binaries(files)
	if err != nil {
		return nil, err
	}
	entries = append(entries, tarEntry{Path: "/tmp", Mode: 0o1777})
	l, err := layer(entries)
	if err != nil {
		return nil, err
	}
	img, err := mutate.AppendLayers(empty.Image, l)
	if err != nil {
		return nil, fmt.Errorf("appending layer: %w", err)
	}
	return withConfig(img, c)
}

// olmImage is OLM's image as its Dockerfile lays it out: olm and catalog, cpb (copied into bundle unpack
// pods) and /bin/cp (the unpack job's util container runs `/bin/cp -Rv /bin/cpb /util/cpb`).
func (b Bed) olmImage() (v1.Image, error) {
	files := map[string]string{}
	for _, n := range []string{"olm", "catalog", "cpb", "cp"} {
		files["/bin/"+n] = filepath.Join(b.OLMBin, n)
	}
	return binaryImage(files, v1.Config{Entrypoint: []string{"/bin/olm"}})
}

// opmImage is operator-registry's opm image: opm (the catalog pod's server and the unpack job's
// `opm alpha bundle extract`) and grpc_health_probe (the catalog pod's probes).
func (b Bed) opmImage() (v1.Image, error) {
	return binaryImage(map[string]string{
		"/bin/opm":               b.OPM,
		"/bin/grpc_health_probe": filepath.Join(b.OLMBin, "grpc_health_probe"),
	}, v1.Config{Entrypoint: []string{"/bin/opm"}})
}

// catalogImage is the image `opm generate dockerfile catalog` defines, built here: the opm image plus the
// catalog at /configs, its serve cache pre-built at /tmp/cache (the Dockerfile's builder stage runs
// `opm serve /configs --cache-dir=/tmp/cache --cache-only`; the same opm does it here) and the label
// OLM reads the catalog's location from.
func (b Bed) catalogImage(ctx context.Context, base v1.Image, catalogDir string) (v1.Image, error) {
	configs, err := tree(catalogDir, "/configs")
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "olm-catalog-cache-")
	if err != nil {
		return nil, fmt.Errorf("creating a cache dir: %w", err)
	}
	defer os.RemoveAll(tmp)
	cacheDir := filepath.Join(tmp, "cache")
	cmd := exec.CommandContext(ctx, b.OPM, "serve", catalogDir, "--cache-dir="+cacheDir, "--cache-only")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pre-building the catalog's serve cache: %w: %s", err, out)
	}
	cache, err := tree(cacheDir, "/tmp/cache")
	if err != nil {
		return nil, err
	}
	// The builder stage runs opm as the opm image's user and COPY --from keeps the owner: the server
	// takes a lock file in its cache at start.
	for i := range cache {
		if cache[i].Path == "/tmp" {
			cache[i].Mode = 0o1777 // the parent this layer repeats keeps the base image's mode
		} else {
			cache[i].UID = olmUID
		}
	}
	l, err := layer(append(configs, cache...))
	if err != nil {
		return nil, err
	}
	img, err := mutate.AppendLayers(base, l)
	if err != nil {
		return nil, fmt.Errorf("appending the catalog layer: %w", err)
	}
	return withConfig(img, v1.Config{
		Entrypoint: []string{"/bin/opm"},
		Cmd:        []string{"serve", "/configs", "--cache-dir=/tmp/cache"},
		User:       strconv.Itoa(olmUID),
		Env:        []string{"PATH=/bin"},
		Labels:     map[string]string{"operators.operatorframework.io.index.configs.v1": "/configs"},
	})
}

// PushImages builds OLM's and opm's images and the repository's bundle (bundle.Dockerfile) and catalog
// (catalog/) images, and pushes them to the node's registry under the names the cluster pulls them by
// (MirroredRegistry resolves through it).
func (b Bed) PushImages(ctx context.Context) error {
	olmImg, err := b.olmImage()
	if err != nil {
		return fmt.Errorf("building the OLM image: %w", err)
	}
	if err := b.push(ctx, b.OLMImage(), olmImg); err != nil {
		return err
	}
	if err := b.PushBundle(ctx, b.BundleImage, b.RepoDir); err != nil {
		return err
	}
	return b.PushCatalog(ctx, b.CatalogImage, filepath.Join(b.RepoDir, "catalog"))
}

// PushBundle builds the bundle image dir/bundle.Dockerfile defines (dir is its build context) and pushes it as ref.
func (b Bed) PushBundle(ctx context.Context, ref, dir string) error {
	img, err := fromDockerfile(filepath.Join(dir, "bundle.Dockerfile"), dir)
	if err != nil {
		return fmt.Errorf("building bundle image %s: %w", ref, err)
	}
	return b.push(ctx, ref, img)
}

// PushCatalog builds a catalog image of catalogDir on the opm image and pushes both (the opm image is also
// what OLM's bundle unpack jobs run).
func (b Bed) PushCatalog(ctx context.Context, ref, catalogDir string) error {
	opmImg, err := b.opmImage()
	if err != nil {
		return fmt.Errorf("building the opm image: %w", err)
	}
	if err := b.push(ctx, b.OPMImage(), opmImg); err != nil {
		return err
	}
	img, err := b.catalogImage(ctx, opmImg, catalogDir)
	if err != nil {
		return fmt.Errorf("building catalog image %s: %w", ref, err)
	}
	return b.push(ctx, ref, img)
}

// push writes img to the node's registry under ref's repository and tag (ref must be in MirroredRegistry).
func (b Bed) push(ctx context.Context, ref string, img v1.Image) error {
	repoTag, ok := strings.CutPrefix(ref, cluster.MirroredRegistry+"/")
	if !ok {
		return fmt.Errorf("image %s is not in %s, which the node pulls from its registry", ref, cluster.MirroredRegistry)
	}
	target, err := name.ParseReference(b.Cluster.RegistryHost()+"/"+repoTag, name.Insecure)
	if err != nil {
		return fmt.Errorf("parsing %s: %w", ref, err)
	}
	if err := remote.Write(target, img, remote.WithContext(ctx)); err != nil {
		return fmt.Errorf("pushing %s to %s: %w", ref, target, err)
	}
	return nil
}
