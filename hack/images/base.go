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
	"fmt"
	"os"
)

// distrolessStandIn is the base image the Dockerfile's targets use; the base layer below holds what of it
// a static Go binary relies on.
const distrolessStandIn = "gcr.io/distroless/static:nonroot"

// baseEnv is distroless' environment: Go and OpenSSL-style clients find the CA bundle through SSL_CERT_FILE.
var baseEnv = []string{
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	"SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
}

// Users and groups as distroless has them: root, nobody, and nonroot (65532), the user every image runs as.
const (
	passwd = "root:x:0:0:root:/root:/sbin/nologin\n" +
		"nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n" +
		"nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"
	group = "root:x:0:\nnobody:x:65534:\ntty:x:5:\nstaff:x:50:\nnonroot:x:65532:\n"
	// Go's resolver honours it: /etc/hosts before DNS, as in distroless.
	nsswitch = "hosts: files dns\n"
)

// layerEntry is one file or directory of a layer.
type layerEntry struct {
	hdr  tar.Header
	body []byte
}

// baseLayer is the distroless stand-in: directories, passwd/group, nsswitch.conf and the CA bundle of the
// build machine (Debian's ca-certificates, caFile), so a binary can verify https:// servers (e.g. Prometheus).
func baseLayer(caFile string) ([]layerEntry, error) {
	ca, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("reading the CA bundle (Debian package ca-certificates): %w", err)
	}
	dir := func(name string, mode int64, uid int) layerEntry {
		return layerEntry{hdr: tar.Header{Name: name, Typeflag: tar.TypeDir, Mode: mode, Uid: uid, Gid: uid}}
	}
	file := func(name string, body []byte) layerEntry {
		return layerEntry{hdr: tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(body))}, body: body}
	}
	return []layerEntry{
		dir("etc/", 0o755, 0),
		file("etc/passwd", []byte(passwd)),
		file("etc/group", []byte(group)),
		file("etc/nsswitch.conf", []byte(nsswitch)),
		dir("etc/ssl/", 0o755, 0),
		dir("etc/ssl/certs/", 0o755, 0),
		file("etc/ssl/certs/ca-certificates.crt", ca),
		dir("home/", 0o755, 0),
		dir("home/nonroot/", 0o700, 65532),
		dir("root/", 0o700, 0),
		dir("tmp/", 0o1777, 0),
	}, nil
}

// baseFileNames lists the base layer's regular files as absolute paths.
func baseFileNames() []string {
	entries, _ := baseLayer(os.DevNull)
	var out []string
	for _, e := range entries {
		if e.hdr.Typeflag == tar.TypeReg {
			out = append(out, "/"+e.hdr.Name)
		}
	}
	return out
}
