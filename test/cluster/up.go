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
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"example.com/aggregation-operator/internal/poll"
)

// Timings are the durations a person waits for, printed by the cluster command and the e2e suite.
type Timings struct {
	Boot     time.Duration // Up: from a clean machine to node Ready and CoreDNS available
	Teardown time.Duration
}

// Up boots the cluster from a clean state: it first tears down whatever a previous (possibly
// crashed) run left, so a second Up recovers. Every wait is bounded; a failure says which.
func (c Config) Up(ctx context.Context) (time.Duration, error) {
	start := time.Now()
	if os.Geteuid() != 0 {
		return 0, fmt.Errorf("the local cluster needs root (network, mounts, cgroups)")
	}
	if err := ensurePackages(ctx, c.Log); err != nil {
		return 0, err
	}
	if err := c.refuseForeignKubernetes(ctx); err != nil {
		return 0, err
	}
	if _, err := c.Down(ctx); err != nil {
		return 0, fmt.Errorf("cleaning up a previous cluster: %w", err)
	}
	if err := c.recordHost(); err != nil {
		return 0, err
	}
	if err := c.writePKI(); err != nil {
		return 0, err
	}
	if err := c.writeConfigs(); err != nil {
		return 0, err
	}
	if err := c.setupNetwork(ctx); err != nil {
		return 0, err
	}
	steps := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"etcd and kube-apiserver", c.startControlPlane},
		{"containerd", c.startContainerd},
		{"images", c.importImages},
		{"node", c.startNode},
		{"CoreDNS", c.deployCoreDNS},
	}
	for _, s := range steps {
		t := time.Now()
		if err := s.fn(ctx); err != nil {
			return 0, fmt.Errorf("starting %s: %w (logs in %s)", s.name, err, c.path("logs"))
		}
		c.logf("%s up in %s", s.name, time.Since(t).Round(time.Millisecond))
	}
	return time.Since(start), nil
}

func (c Config) startControlPlane(ctx context.Context) error {
	clientPort, peerPort, err := freePort(), freePort(), error(nil)
	if clientPort == 0 || peerPort == 0 {
		return fmt.Errorf("no free loopback port for etcd")
	}
	etcdURL := "http://127.0.0.1:" + strconv.Itoa(clientPort)
	peerURL := "http://127.0.0.1:" + strconv.Itoa(peerPort)
	if err = c.start("etcd", c.bin("etcd"),
		"--name=aggop", "--data-dir="+c.path("etcd"),
		"--listen-client-urls="+etcdURL, "--advertise-client-urls="+etcdURL,
		"--listen-peer-urls="+peerURL, "--initial-advertise-peer-urls="+peerURL,
		"--initial-cluster=aggop="+peerURL, "--log-level=warn",
	); err != nil {
		return err
	}
	if err := poll.Until(ctx, "etcd health", 60*time.Second, poll.HTTPOK(http.DefaultClient, etcdURL+"/health")); err != nil {
		return err
	}
	p := c.pki
	if err := c.start("kube-apiserver", c.bin("kube-apiserver"),
		"--advertise-address="+c.NodeIP, "--bind-address="+c.NodeIP, "--secure-port=6443",
		"--etcd-servers="+etcdURL,
		"--service-cluster-ip-range="+c.ServiceCIDR,
		"--client-ca-file="+p("ca.crt"),
		"--tls-cert-file="+p("apiserver.crt"), "--tls-private-key-file="+p("apiserver.key"),
		"--kubelet-client-certificate="+p("apiserver-kubelet-client.crt"),
		"--kubelet-client-key="+p("apiserver-kubelet-client.key"),
		"--kubelet-certificate-authority="+p("ca.crt"),
		"--kubelet-preferred-address-types=InternalIP",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file="+p("sa.pub"), "--service-account-signing-key-file="+p("sa.key"),
		// PodSecurity is on by default; named so the suite's claim (the apiserver pods pass "restricted") holds.
		"--authorization-mode=Node,RBAC", "--enable-admission-plugins=NodeRestriction,PodSecurity",
		"--allow-privileged=true", "--profiling="+strconv.FormatBool(c.Profiling),
		// The aggregation layer: front-proxy CA and the client certificate the aggregator presents.
		"--requestheader-client-ca-file="+p("front-proxy-ca.crt"),
		"--requestheader-allowed-names=front-proxy-client",
		"--requestheader-username-headers=X-Remote-User",
		"--requestheader-group-headers=X-Remote-Group",
		"--requestheader-uid-headers=X-Remote-Uid",
		"--requestheader-extra-headers-prefix=X-Remote-Extra-",
		"--proxy-client-cert-file="+p("front-proxy-client.crt"),
		"--proxy-client-key-file="+p("front-proxy-client.key"),
		// Real clusters' default: the aggregator dials the Service's ClusterIP through kube-proxy. The
		// rotation test restarts kube-apiserver with true for one step (test/cluster/aggregator.go).
		"--enable-aggregator-routing=false",
	); err != nil {
		return err
	}
	client, err := c.adminHTTPClient()
	if err != nil {
		return err
	}
	if err := poll.Until(ctx, "kube-apiserver /readyz", 90*time.Second, poll.HTTPOK(client, c.APIServerURL()+"/readyz")); err != nil {
		return err
	}
	if err := c.start("kube-controller-manager", c.bin("kube-controller-manager"),
		"--kubeconfig="+c.path("controller-manager.kubeconfig"),
		"--cluster-signing-cert-file="+p("ca.crt"), "--cluster-signing-key-file="+p("ca.key"),
		"--root-ca-file="+p("ca.crt"), "--service-account-private-key-file="+p("sa.key"),
		"--use-service-account-credentials=true", "--leader-elect=false",
		"--service-cluster-ip-range="+c.ServiceCIDR, "--secure-port=0",
	); err != nil {
		return err
	}
	return c.start("kube-scheduler", c.bin("kube-scheduler"),
		"--kubeconfig="+c.path("scheduler.kubeconfig"), "--leader-elect=false", "--secure-port=0")
}

func (c Config) startContainerd(ctx context.Context) error {
	if err := c.start("containerd", "containerd", "--config="+c.path("containerd", "config.toml")); err != nil {
		return err
	}
	return poll.Until(ctx, "containerd socket", 30*time.Second, func(ctx context.Context) error {
		_, err := run(ctx, "ctr", "--address", c.containerdSock(), "version")
		return err
	})
}

func (c Config) startNode(ctx context.Context) error {
	if err := c.start("kubelet", c.bin("kubelet"),
		"--config="+c.path("kubelet.yaml"), "--kubeconfig="+c.path("kubelet.kubeconfig"),
		"--root-dir="+c.kubeletRoot(), "--hostname-override="+c.NodeName, "--node-ip="+c.NodeIP,
	); err != nil {
		return err
	}
	if err := c.start("kube-proxy", c.bin("kube-proxy"), "--config="+c.path("kube-proxy.yaml")); err != nil {
		return err
	}
	return poll.Until(ctx, "node "+c.NodeName+" Ready", 2*time.Minute, func(ctx context.Context) error {
		out, err := c.KubectlOutput(ctx, "", "get", "node", c.NodeName, "-o", `jsonpath={.status.conditions[?(@.type=="Ready")].status}`)
		if err == nil && out != "True" {
			err = fmt.Errorf("node Ready = %q", out)
		}
		return err
	})
}

func (c Config) adminHTTPClient() (*http.Client, error) {
	cert, err := tls.LoadX509KeyPair(c.pki("admin.crt"), c.pki("admin.key"))
	if err != nil {
		return nil, fmt.Errorf("loading admin certificate: %w", err)
	}
	caPEM, err := os.ReadFile(c.pki("ca.crt"))
	if err != nil {
		return nil, fmt.Errorf("reading cluster CA: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: pool},
	}}, nil
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
