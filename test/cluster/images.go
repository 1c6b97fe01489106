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
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// importImages loads every tarball of ImagesDir into containerd's k8s.io namespace.
func (c Config) importImages(ctx context.Context) error {
	return c.ImportImages(ctx, c.ImagesDir)
}

// ImportImages loads the *.tar image archives of dir into the running cluster's containerd
// (used again after `make images` to refresh the operator and apiserver images).
func (c Config) ImportImages(ctx context.Context, dir string) error {
	tars, err := filepath.Glob(filepath.Join(dir, "*.tar"))
	if err != nil {
		return fmt.Errorf("listing images in %s: %w", dir, err)
	}
	if len(tars) == 0 {
		return fmt.Errorf("no image archives in %s: run `make images` first", dir)
	}
	for _, t := range tars {
		if _, err := run(ctx, "ctr", "--address", c.containerdSock(), "-n", "k8s.io", "images", "import", t); err != nil {
			return fmt.Errorf("importing %s: %w", t, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, TarballName(c.SandboxImage))); err != nil {
		return fmt.Errorf("the sandbox image %s is missing from %s: run `make images`", c.SandboxImage, dir)
	}
	c.logf("imported %d images: %s", len(tars), strings.Join(baseNames(tars), " "))
	return nil
}

func baseNames(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = filepath.Base(p)
	}
	return out
}

// TarballName maps an image reference to its archive's file name: local.test/etcd:v3.7.3 -> etcd_v3.7.3.tar.
func TarballName(ref string) string {
	base := ref[strings.LastIndex(ref, "/")+1:]
	return strings.ReplaceAll(base, ":", "_") + ".tar"
}
