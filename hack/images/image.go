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
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// nonRoot is the user every image runs as (distroless' "nonroot", as in the Dockerfile).
const nonRoot = "65532:65532"

// imageSpec says which static binary goes where in an image of two layers: the base (base.go) and the binary.
type imageSpec struct {
	Ref        string            // e.g. local.test/aggregation-operator:v0.1.0
	Binary     string            // path of the static binary on this machine
	Entrypoint string            // path of the binary inside the image
	Args       []string          // default arguments (Cmd)
	Ports      []string          // exposed ports, e.g. 8080/tcp
	Labels     map[string]string // OCI labels
}

// writeImage writes spec as a docker-format tarball (what `ctr images import` reads) to path.
func writeImage(spec imageSpec, caFile, path string) error {
	img, err := buildImage(spec, caFile)
	if err != nil {
		return err
	}
	ref, err := name.ParseReference(spec.Ref)
	if err != nil {
		return fmt.Errorf("parsing image reference %q: %w", spec.Ref, err)
	}
	tmp := path + ".tmp"
	if err := tarball.WriteToFile(tmp, ref, img); err != nil {
		return fmt.Errorf("writing image %s to %s: %w", spec.Ref, tmp, err)
	}
	return os.Rename(tmp, path)
}

// buildImage assembles the image of spec in memory.
func buildImage(spec imageSpec, caFile string) (v1.Image, error) {
	base, err := baseLayer(caFile)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(spec.Binary)
	if err != nil {
		return nil, fmt.Errorf("reading binary for %s: %w", spec.Ref, err)
	}
	app := []layerEntry{{hdr: tar.Header{Name: spec.Entrypoint[1:], Typeflag: tar.TypeReg, Mode: 0o755, Size: int64(len(data))}, body: data}}
	img := empty.Image
	for _, entries := range [][]layerEntry{base, app} {
		layerTar, err := tarOf(entries)
		if err != nil {
			return nil, fmt.Errorf("making a layer of %s: %w", spec.Ref, err)
		}
		layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(layerTar)), nil
		})
		if err != nil {
			return nil, fmt.Errorf("making a layer of %s: %w", spec.Ref, err)
		}
		if img, err = mutate.AppendLayers(img, layer); err != nil {
			return nil, fmt.Errorf("appending a layer to %s: %w", spec.Ref, err)
		}
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading config of %s: %w", spec.Ref, err)
	}
	cfg = cfg.DeepCopy()
	// containerd only unpacks images whose platform matches the node's.
	cfg.OS, cfg.Architecture = "linux", runtime.GOARCH
	cfg.Created = v1.Time{Time: time.Unix(0, 0).UTC()}
	cfg.Config = v1.Config{
		Entrypoint: []string{spec.Entrypoint},
		Cmd:        spec.Args,
		User:       nonRoot,
		WorkingDir: "/",
		Env:        baseEnv,
		Labels:     spec.Labels,
	}
	if len(spec.Ports) > 0 {
		cfg.Config.ExposedPorts = map[string]struct{}{}
		for _, p := range spec.Ports {
			cfg.Config.ExposedPorts[p] = struct{}{}
		}
	}
	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		return nil, fmt.Errorf("setting config of %s: %w", spec.Ref, err)
	}
	return img, nil
}

// tarOf writes entries as a tar with fixed times, so the same inputs give the same layer digest.
func tarOf(entries []layerEntry) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	epoch := time.Unix(0, 0)
	for _, e := range entries {
		hdr := e.hdr
		hdr.ModTime = epoch
		if err := tw.WriteHeader(&hdr); err != nil {
			return nil, fmt.Errorf("writing tar header %s: %w", hdr.Name, err)
		}
		if _, err := tw.Write(e.body); err != nil {
			return nil, fmt.Errorf("writing tar entry %s: %w", hdr.Name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("closing tar: %w", err)
	}
	return buf.Bytes(), nil
}
