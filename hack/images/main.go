// Command images builds the project's container images without a daemon: one layer holding
// a static binary, user 65532, written as docker-format tarballs that `ctr images import` loads.
//
//	go run ./hack/images -out bin/images -operator-image IMG -apiserver-image IMG -ldflags "..." -kube-bin bin/k8s/v1.37.2
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"example.com/aggregation-operator/test/cluster"
)

func main() {
	out := flag.String("out", "bin/images", "directory for the image tarballs")
	operatorImage := flag.String("operator-image", "local.test/aggregation-operator:v0.1.0", "operator image reference")
	apiserverImage := flag.String("apiserver-image", "local.test/metricsnapshot-apiserver:v0.1.0", "MetricSnapshot apiserver image reference")
	ldflags := flag.String("ldflags", "", "extra -ldflags for the operator (the Makefile's GO_LDFLAGS)")
	kubeBin := flag.String("kube-bin", "", "directory holding the etcd and coredns binaries built by hack/kube-binaries.sh")
	certManagerBin := flag.String("cert-manager-bin", "", "directory holding the cert-manager binary (make cert-manager-binaries); adds the cert-manager image")
	flag.Parse()
	if err := run(*out, *operatorImage, *apiserverImage, *ldflags, *kubeBin); err != nil {
		fmt.Fprintln(os.Stderr, "images:", err)
		os.Exit(1)
	}
	if *certManagerBin != "" {
		if err := writeCertManagerImage(*out, *certManagerBin); err != nil {
			fmt.Fprintln(os.Stderr, "images:", err)
			os.Exit(1)
		}
	}
}

func run(out, operatorImage, apiserverImage, ldflags, kubeBin string) error {
	start := time.Now()
	binDir := filepath.Join(out, "bin")
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", binDir, err)
	}
	var specs []imageSpec
	goImages := []struct{ ref, pkg, entry, ldflags string }{
		{operatorImage, "./cmd/operator", "/operator", ldflags},
		{apiserverImage, "./cmd/apiserver", "/apiserver", ""},
		{cluster.SandboxImage, "./hack/sandbox", "/pause", ""},
	}
	for _, g := range goImages {
		if _, err := os.Stat(g.pkg); err != nil {
			// The operator and apiserver land separately; build what exists and say what is missing.
			fmt.Printf("images: skipping %s: %s does not exist yet\n", g.ref, g.pkg)
			continue
		}
		bin := filepath.Join(binDir, filepath.Base(g.entry))
		if err := goBuild(g.pkg, g.ldflags, bin); err != nil {
			return err
		}
		specs = append(specs, imageSpec{Ref: g.ref, Binary: bin, Entrypoint: g.entry})
	}
	if kubeBin != "" {
		specs = append(specs,
			imageSpec{Ref: cluster.EtcdImage, Binary: filepath.Join(kubeBin, "etcd"), Entrypoint: "/etcd"},
			imageSpec{Ref: cluster.CoreDNSImage, Binary: filepath.Join(kubeBin, "coredns"), Entrypoint: "/coredns"},
		)
	}
	for _, s := range specs {
		path := filepath.Join(out, cluster.TarballName(s.Ref))
		if err := writeImage(s, path); err != nil {
			return err
		}
		fmt.Printf("images: %s -> %s\n", s.Ref, path)
	}
	fmt.Printf("images: %d images in %s\n", len(specs), time.Since(start).Round(time.Millisecond))
	return nil
}
