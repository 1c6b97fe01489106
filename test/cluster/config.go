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

// Package cluster boots and tears down a single-node Kubernetes cluster on this machine from
// binaries built from source: etcd, kube-apiserver (with the aggregation layer), controller-manager,
// scheduler, Debian's containerd with a CNI bridge, kubelet, kube-proxy and CoreDNS as a pod.
// Everything lives under one state directory; the node sits on a veth pair the harness creates,
// and pod traffic is kept on the machine. Down leaves the machine as Up found it.
package cluster

import (
	"io"
	"os"
	"path/filepath"
)

// Images of the cluster's own pieces (built by `make images`), under a dotted registry so containerd keeps them local.
const (
	SandboxImage = "local.test/sandbox:v1"
	EtcdImage    = "local.test/etcd:v3.7.3"
	CoreDNSImage = "local.test/coredns:v1.15.0"
)

// Config describes one local cluster. Paths are absolute.
type Config struct {
	StateDir  string // everything the cluster writes: pki, configs, data, logs, pid files
	KubeBin   string // kube-apiserver, kubelet, ..., kubectl, etcd (hack/kube-binaries.sh)
	ImagesDir string // image tarballs imported into containerd (make images)

	NodeName    string
	NodeIP      string // on the harness' veth; every server binds here or to 127.0.0.1
	NodeCIDR    string // NodeIP's prefix length, e.g. "24"
	Veth        string // host side of the veth pair carrying NodeIP
	VethPeer    string
	Bridge      string // CNI bridge
	PodCIDR     string
	ServiceCIDR string
	ServiceIP   string // first service IP (the kubernetes Service)
	DNSIP       string

	SandboxImage string
	CoreDNSImage string

	// Profiling lets kube-apiserver serve /debug/pprof (make bench's profiles); off otherwise, as the
	// CIS benchmark asks of hardened clusters.
	Profiling bool

	Log io.Writer
}

// Default is the configuration `make cluster-up` and the e2e suite use.
func Default(stateDir, kubeBin, imagesDir string) Config {
	return Config{
		StateDir:     abs(stateDir),
		KubeBin:      abs(kubeBin),
		ImagesDir:    abs(imagesDir),
		NodeName:     "aggop-node",
		NodeIP:       "10.250.0.1",
		NodeCIDR:     "24",
		Veth:         "aggop0",
		VethPeer:     "aggop0p",
		Bridge:       "aggopbr0",
		PodCIDR:      "10.244.0.0/24",
		ServiceCIDR:  "10.96.0.0/24",
		ServiceIP:    "10.96.0.1",
		DNSIP:        "10.96.0.10",
		SandboxImage: SandboxImage,
		CoreDNSImage: CoreDNSImage,
		Log:          os.Stderr,
	}
}

func abs(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// Kubeconfig is the admin kubeconfig (system:masters) written by Up.
func (c Config) Kubeconfig() string { return c.path("admin.kubeconfig") }

// Kubectl is the real kubectl built with the cluster.
func (c Config) Kubectl() string { return filepath.Join(c.KubeBin, "kubectl") }

// APIServerURL is where kube-apiserver listens.
func (c Config) APIServerURL() string { return "https://" + c.NodeIP + ":6443" }

func (c Config) path(elem ...string) string {
	return filepath.Join(append([]string{c.StateDir}, elem...)...)
}

func (c Config) pki(name string) string          { return c.path("pki", name) }
func (c Config) bin(name string) string          { return filepath.Join(c.KubeBin, name) }
func (c Config) containerdSock() string          { return c.path("containerd", "containerd.sock") }
func (c Config) kubeletRoot() string             { return c.path("kubelet") }
func (c Config) logFile(component string) string { return c.path("logs", component+".log") }
func (c Config) pidFile(component string) string { return c.path("run", component+".pid") }
