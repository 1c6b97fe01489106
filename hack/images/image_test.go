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
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// The images written are what -describe says (and hack/dockerfilecheck compares with the Dockerfile):
// entrypoint, user, ports, labels, the copied binary and the base files, CA bundle included.
func TestImagesAreWhatDescribeSays(t *testing.T) {
	dir := t.TempDir()
	binary := filepath.Join(dir, "binary")
	caFile := filepath.Join(dir, "ca.crt")
	must(t, os.WriteFile(binary, []byte("#!static binary"), 0o755))
	must(t, os.WriteFile(caFile, []byte("-----BEGIN CERTIFICATE-----\nbundle\n"), 0o644))
	r := release{Version: "v9.8.7", Source: "https://example.com/src", Revision: "0123abc"}
	descs := describe(r)
	if len(descs) != len(dockerfileTargets) {
		t.Fatalf("%d descriptions for %d targets", len(descs), len(dockerfileTargets))
	}
	for i, tg := range dockerfileTargets {
		d := descs[i]
		path := filepath.Join(dir, tg.Name+".tar")
		must(t, writeImage(tg.spec("local.test/"+tg.Name+":v9.8.7", binary, r), caFile, path))
		img, err := tarball.ImageFromPath(path, nil)
		must(t, err)
		cfg, err := img.ConfigFile()
		must(t, err)
		c := cfg.Config
		if !slices.Equal(c.Entrypoint, d.Entrypoint) || c.User != d.User || c.User != "65532:65532" {
			t.Errorf("%s: entrypoint %v user %s, described %v %s", tg.Name, c.Entrypoint, c.User, d.Entrypoint, d.User)
		}
		if got := slices.Sorted(maps.Keys(c.ExposedPorts)); !slices.Equal(got, d.ExposedPorts) {
			t.Errorf("%s: exposed ports %v, described %v", tg.Name, got, d.ExposedPorts)
		}
		if !maps.Equal(c.Labels, d.Labels) || c.Labels["org.opencontainers.image.version"] != "v9.8.7" {
			t.Errorf("%s: labels %v, described %v", tg.Name, c.Labels, d.Labels)
		}
		if !slices.Contains(c.Env, "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt") {
			t.Errorf("%s: env %v lacks SSL_CERT_FILE", tg.Name, c.Env)
		}
		files := filesOf(t, img)
		want := append(slices.Clone(d.Copied), d.BaseFiles...)
		sort.Strings(want)
		if got := slices.Sorted(maps.Keys(files)); !slices.Equal(got, want) {
			t.Errorf("%s: files %v, described %v", tg.Name, got, want)
		}
		if files["/etc/ssl/certs/ca-certificates.crt"] != "-----BEGIN CERTIFICATE-----\nbundle\n" {
			t.Errorf("%s: the CA bundle is not the build machine's", tg.Name)
		}
		if !strings.Contains(files["/etc/passwd"], "nonroot:x:65532:65532:") || !strings.Contains(files["/etc/group"], "nonroot:x:65532:") {
			t.Errorf("%s: no nonroot user or group:\n%s%s", tg.Name, files["/etc/passwd"], files["/etc/group"])
		}
		if files[tg.Entrypoint] != "#!static binary" {
			t.Errorf("%s: %s is not the binary", tg.Name, tg.Entrypoint)
		}
	}
}

func TestImageNeedsTheCABundle(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "b")
	must(t, os.WriteFile(bin, []byte("x"), 0o755))
	err := writeImage(imageSpec{Ref: "local.test/x:v1", Binary: bin, Entrypoint: "/x"}, "/nonexistent/ca.crt", filepath.Join(t.TempDir(), "x.tar"))
	if err == nil || !strings.Contains(err.Error(), "ca-certificates") {
		t.Errorf("without a CA bundle: %v, want an error naming the ca-certificates package", err)
	}
}

// filesOf maps every regular file of the flattened image to its content, and checks /tmp's mode.
func filesOf(t *testing.T, img v1.Image) map[string]string {
	t.Helper()
	layers, err := img.Layers()
	must(t, err)
	files := map[string]string{}
	sawTmp := false
	for _, l := range layers {
		rc, err := l.Uncompressed()
		must(t, err)
		tr := tar.NewReader(rc)
		for {
			h, err := tr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			must(t, err)
			if h.Name == "tmp/" {
				sawTmp = h.Mode == 0o1777
			}
			if h.Typeflag == tar.TypeReg {
				b, err := io.ReadAll(tr)
				must(t, err)
				files["/"+h.Name] = string(b)
			}
		}
		rc.Close()
	}
	if !sawTmp {
		t.Error("no world-writable /tmp (mode 1777)")
	}
	return files
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
