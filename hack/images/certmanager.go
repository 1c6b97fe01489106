package main

import (
	"fmt"
	"path/filepath"

	"example.com/aggregation-operator/test/cluster"
)

// writeCertManagerImage writes the cert-manager test bed's image: the multi-call binary
// `make cert-manager-binaries` built in binDir, whose first argument picks the component
// (controller, cainjector, webhook).
func writeCertManagerImage(out, binDir string) error {
	spec := imageSpec{Ref: cluster.CertManagerImage, Binary: filepath.Join(binDir, "cert-manager"), Entrypoint: "/cert-manager"}
	path := filepath.Join(out, cluster.TarballName(spec.Ref))
	if err := writeImage(spec, path); err != nil {
		return err
	}
	fmt.Printf("images: %s -> %s\n", spec.Ref, path)
	return nil
}
