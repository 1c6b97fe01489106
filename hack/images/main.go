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

// Command images builds the project's container images without a daemon: a base layer standing in for
// distroless/static:nonroot (CA certificates, passwd/group with nonroot) and a layer holding a static
// binary, user 65532, written as docker-format tarballs that `ctr images import` loads. The operator and
// apiserver images are the Dockerfile's targets of the same names (targets.go); -describe prints their
// definitions as JSON for hack/dockerfilecheck, which compares them with the Dockerfile.
//
//	go run ./hack/images -out bin/images -operator-image IMG -apiserver-image IMG -ldflags "..." -kube-bin bin/k8s/<version> \
//	    -version v0.1.0 -source URL -revision COMMIT
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"example.com/aggregation-operator/test/cluster"
)

type options struct {
	out, operatorImage, apiserverImage, ldflags, kubeBin, caFile string
	// sampleBin, when set, adds an image of k8s.io/sample-apiserver (the e2e suite runs it).
	sampleBin, sampleImage string
	// metricsBin, when set, adds an image of metrics-server (the e2e suite runs and adopts it).
	metricsBin, metricsImage string
	// certManagerBin, when set, adds cert-manager's multi-call binary as cluster.CertManagerImage.
	certManagerBin string
	release        release
}

func main() {
	var o options
	flag.StringVar(&o.out, "out", "bin/images", "directory for the image tarballs")
	flag.StringVar(&o.operatorImage, "operator-image", "local.test/aggregation-operator:v0.1.0", "operator image reference")
	flag.StringVar(&o.apiserverImage, "apiserver-image", "local.test/metricsnapshot-apiserver:v0.1.0", "MetricSnapshot apiserver image reference")
	flag.StringVar(&o.ldflags, "ldflags", "", "extra -ldflags for the operator (the Makefile's GO_LDFLAGS)")
	flag.StringVar(&o.kubeBin, "kube-bin", "", "directory holding the etcd and coredns binaries built by hack/kube-binaries.sh")
	flag.StringVar(&o.caFile, "ca-certificates", "/etc/ssl/certs/ca-certificates.crt", "CA bundle put into every image (Debian's ca-certificates)")
	flag.StringVar(&o.release.Version, "version", "v0.1.0", "release version (label org.opencontainers.image.version)")
	flag.StringVar(&o.release.Source, "source", "https://example.com/aggregation-operator", "source location (label org.opencontainers.image.source)")
	flag.StringVar(&o.release.Revision, "revision", "unknown", "commit built (label org.opencontainers.image.revision)")
	flag.StringVar(&o.sampleBin, "sample-apiserver", "", "static k8s.io/sample-apiserver binary (make sample-apiserver); its image is built only when set")
	flag.StringVar(&o.sampleImage, "sample-apiserver-image", "local.test/sample-apiserver:v0.37.2", "sample-apiserver image reference")
	flag.StringVar(&o.metricsBin, "metrics-server", "", "static metrics-server binary (make metrics-server); its image is built only when set")
	flag.StringVar(&o.metricsImage, "metrics-server-image", "local.test/metrics-server:v0.9.0", "metrics-server image reference")
	flag.StringVar(&o.certManagerBin, "cert-manager-bin", "", "directory holding the cert-manager binary (make cert-manager-binaries); its image is built only when set")
	describeOnly := flag.Bool("describe", false, "print the Dockerfile targets' image definitions as JSON and exit")
	flag.Parse()
	var err error
	if *describeOnly {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(describe(o.release))
	} else {
		err = run(o)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "images:", err)
		os.Exit(1)
	}
}

// prebuilt is the image of a binary built elsewhere, or none when binary is empty.
func prebuilt(ref, binary, entrypoint string) []imageSpec {
	if binary == "" {
		return nil
	}
	return []imageSpec{{Ref: ref, Binary: binary, Entrypoint: entrypoint}}
}

func run(o options) error {
	start := time.Now()
	binDir := filepath.Join(o.out, "bin")
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", binDir, err)
	}
	refs := map[string]string{"operator": o.operatorImage, "apiserver": o.apiserverImage}
	var specs []imageSpec
	for _, t := range dockerfileTargets {
		bin := filepath.Join(binDir, filepath.Base(t.Entrypoint))
		ldflags := ""
		if t.Versioned {
			ldflags = o.ldflags
		}
		if err := goBuild(t.Pkg, ldflags, bin); err != nil {
			return err
		}
		specs = append(specs, t.spec(refs[t.Name], bin, o.release))
	}
	// The cluster's own pieces (test/cluster): not Dockerfile targets, so no OCI labels of this project.
	sandbox := filepath.Join(binDir, "pause")
	if err := goBuild("./hack/sandbox", "", sandbox); err != nil {
		return err
	}
	specs = append(specs, imageSpec{Ref: cluster.SandboxImage, Binary: sandbox, Entrypoint: "/pause"})
	if o.kubeBin != "" {
		specs = append(specs,
			imageSpec{Ref: cluster.EtcdImage, Binary: filepath.Join(o.kubeBin, "etcd"), Entrypoint: "/etcd"},
			imageSpec{Ref: cluster.CoreDNSImage, Binary: filepath.Join(o.kubeBin, "coredns"), Entrypoint: "/coredns"},
		)
	}
	specs = append(specs, prebuilt(o.sampleImage, o.sampleBin, "/sample-apiserver")...)
	specs = append(specs, prebuilt(o.metricsImage, o.metricsBin, "/metrics-server")...)
	if o.certManagerBin != "" {
		specs = append(specs, prebuilt(cluster.CertManagerImage, filepath.Join(o.certManagerBin, "cert-manager"), "/cert-manager")...)
	}
	for _, s := range specs {
		path := filepath.Join(o.out, cluster.TarballName(s.Ref))
		if err := writeImage(s, o.caFile, path); err != nil {
			return err
		}
		fmt.Printf("images: %s -> %s\n", s.Ref, path)
	}
	fmt.Printf("images: %d images in %s\n", len(specs), time.Since(start).Round(time.Millisecond))
	return nil
}
