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
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// tarEntry is one file or directory of a layer, at an absolute path inside the image.
type tarEntry struct {
	Path string // e.g. /bin/opm, /configs/
	Mode int64
	Data []byte // nil for a directory
	UID  int    // owner (and group); 0 unless a build step ran as another user
}

// layer packs entries, parents first, with fixed owners and times so the same input gives the same digest.
func layer(entries []tarEntry) (v1.Layer, error) {
	sort.Slice(entries, func(i, j int) bool { return entries[i].Path < entries[j].Path })
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	epoch := time.Unix(0, 0)
	for _, e := range entries {
		hdr := &tar.Header{Name: strings.TrimPrefix(e.Path, "/"), Mode: e.Mode, ModTime: epoch, Typeflag: tar.TypeReg,
			Size: int64(len(e.Data)), Uid: e.UID, Gid: e.UID}
		if e.Data == nil {
			hdr.Typeflag, hdr.Size = tar.TypeDir, 0
			hdr.Name = strings.TrimSuffix(hdr.Name, "/") + "/"
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, fmt.Errorf("writing tar header %s: %w", e.Path, err)
		}
		if _, err := tw.Write(e.Data); err != nil {
			return nil, fmt.Errorf("writing %s: %w", e.Path, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("closing layer: %w", err)
	}
	data := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
}

// binaries are host files placed at image paths, executable.
func binaries(files map[string]string) ([]tarEntry, error) {
	var out []tarEntry
	for dst, src := range files {
		data, err := os.ReadFile(src)
		if err != nil {
			return nil, fmt.Errorf("reading %s for %s: %w", src, dst, err)
		}
		out = append(out, tarEntry{Path: dst, Mode: 0o755, Data: data})
	}
	return withParents(out), nil
}

// tree copies the host directory src to dst inside the image (as Dockerfile's COPY src dst/ does).
func tree(src, dst string) ([]tarEntry, error) {
	var out []tarEntry
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := path.Join(dst, filepath.ToSlash(rel))
		if d.IsDir() {
			out = append(out, tarEntry{Path: target, Mode: 0o755})
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out = append(out, tarEntry{Path: target, Mode: 0o644, Data: data})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("copying %s to %s: %w", src, dst, err)
	}
	return withParents(out), nil
}

// withParents adds the missing parent directories of entries (tar readers differ on implicit ones).
func withParents(entries []tarEntry) []tarEntry {
	have := map[string]bool{}
	for _, e := range entries {
		have[path.Clean(e.Path)] = true
	}
	out := entries
	for _, e := range entries {
		for dir := path.Dir(path.Clean(e.Path)); dir != "/" && dir != "."; dir = path.Dir(dir) {
			if !have[dir] {
				have[dir] = true
				out = append(out, tarEntry{Path: dir, Mode: 0o755})
			}
		}
	}
	return out
}
