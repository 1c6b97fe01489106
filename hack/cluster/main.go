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

// Command cluster boots or tears down the local single-node cluster (see test/cluster).
//
//	go run ./hack/cluster [-state DIR] [-kube-bin DIR] [-images DIR] up|down|import|sample
//
// sample runs config/samples' CustomApiServer with the etcd and Prometheus it expects (`make run`
// without KUBECONFIG, after cluster-up and deploy) and prints commands to try.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"example.com/aggregation-operator/internal/kubeversion"
	"example.com/aggregation-operator/test/cluster"
)

func main() {
	state := flag.String("state", "/tmp/aggop-cluster", "state directory (pki, configs, data, logs)")
	kubeBin := flag.String("kube-bin", defaultKubeBin(), "directory of the Kubernetes binaries, etcd and kubectl")
	images := flag.String("images", "bin/images", "directory of the image archives to import")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: cluster [flags] up|down|import|sample")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg := cluster.Default(*state, *kubeBin, *images)
	if err := run(ctx, cfg, flag.Arg(0)); err != nil {
		fmt.Fprintln(os.Stderr, "cluster:", err)
		os.Exit(1)
	}
}

// defaultKubeBin is where `make kube-binaries` puts the version the project is built for; empty (and
// -kube-bin required) when this binary was built away from the source tree.
func defaultKubeBin() string {
	dir, err := kubeversion.BinDir()
	if err != nil {
		return ""
	}
	return dir
}

func run(ctx context.Context, cfg cluster.Config, cmd string) error {
	switch cmd {
	case "up":
		d, err := cfg.Up(ctx)
		if err != nil {
			return err
		}
		fmt.Printf("cluster: boot took %s\ncluster: export KUBECONFIG=%s\n", d.Round(1e6), cfg.Kubeconfig())
	case "down":
		d, err := cfg.Down(ctx)
		if err != nil {
			return err
		}
		fmt.Printf("cluster: teardown took %s\n", d.Round(1e6))
	case "import":
		return cfg.ImportImages(ctx, cfg.ImagesDir)
	case "sample":
		return sample(ctx, cfg)
	default:
		return fmt.Errorf("unknown command %q (want up, down, import or sample)", cmd)
	}
	return nil
}
