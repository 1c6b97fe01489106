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
	"fmt"
	"os"
	"path/filepath"
)

// writeConfigs writes every component's configuration under the state directory.
func (c Config) writeConfigs() error {
	files := map[string]string{
		c.Kubeconfig():                              c.kubeconfig("admin"),
		c.path("controller-manager.kubeconfig"):     c.kubeconfig("controller-manager"),
		c.path("scheduler.kubeconfig"):              c.kubeconfig("scheduler"),
		c.path("kubelet.kubeconfig"):                c.kubeconfig("kubelet-client"),
		c.path("kube-proxy.kubeconfig"):             c.kubeconfig("kube-proxy"),
		c.path("kubelet.yaml"):                      c.kubeletConfig(),
		c.path("kube-proxy.yaml"):                   c.kubeProxyConfig(),
		c.path("containerd", "config.toml"):         c.containerdConfig(),
		c.containerdHostsFile():                     c.containerdHosts(),
		c.path("cni", "net.d", "10-aggop.conflist"): c.cniConfig(),
		// Pods with dnsPolicy Default (CoreDNS) get this, never the host's resolvers.
		c.path("resolv.conf"): "nameserver 127.0.0.1\n",
	}
	for path, content := range files {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("creating %s: %w", filepath.Dir(path), err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
	}
	return nil
}

// kubeconfig authenticates with pki/<cert>.crt against the cluster CA.
func (c Config) kubeconfig(cert string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: aggop
  cluster:
    server: %s
    certificate-authority: %s
users:
- name: %s
  user:
    client-certificate: %s
    client-key: %s
contexts:
- name: aggop
  context: {cluster: aggop, user: %s}
current-context: aggop
`, c.APIServerURL(), c.pki("ca.crt"), cert, c.pki(cert+".crt"), c.pki(cert+".key"), cert)
}

func (c Config) kubeletConfig() string {
	return fmt.Sprintf(`apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: %[1]s
port: 10250
readOnlyPort: 0
healthzPort: 0
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: %[2]s}
authorization: {mode: Webhook}
tlsCertFile: %[3]s
tlsPrivateKeyFile: %[4]s
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://%[5]s
clusterDomain: cluster.local
clusterDNS: [%[6]s]
resolvConf: %[7]s
podLogsDir: %[8]s
volumePluginDir: %[9]s
evictionHard: {memory.available: 100Mi, nodefs.available: 1%%, nodefs.inodesFree: 1%%, imagefs.available: 1%%}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
maxPods: 60
# Mounted Secrets follow their object within ~10 s instead of the default ~1 min, so each certificate step of
# the suite (renewal, rotation, Secret deleted) takes seconds; what is tested (trust before use, no failed
# request while pods still serve the old chain) does not depend on how long the kubelet takes.
syncFrequency: 10s
`, c.NodeIP, c.pki("ca.crt"), c.pki("kubelet.crt"), c.pki("kubelet.key"), c.containerdSock(), c.DNSIP,
		c.path("resolv.conf"), c.path("pod-logs"), c.path("kubelet-plugins"))
}

func (c Config) kubeProxyConfig() string {
	// conntrack zeros leave the host's conntrack sysctls alone.
	return fmt.Sprintf(`apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: %[1]s}
mode: iptables
bindAddress: %[2]s
healthzBindAddress: %[2]s:10256
metricsBindAddress: %[2]s:10249
clusterCIDR: %[3]s
hostnameOverride: %[4]s
nodePortAddresses: [%[2]s/32]
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
`, c.path("kube-proxy.kubeconfig"), c.NodeIP, c.PodCIDR, c.NodeName)
}

func (c Config) containerdConfig() string {
	// restrict_oom_score_adj: processes here lack CAP_SYS_RESOURCE; without it every sandbox
	// fails with "can't get final child's PID from pipe: EOF".
	return fmt.Sprintf(`version = 2
root = "%[1]s"
state = "%[2]s"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]
[grpc]
  address = "%[3]s"
[ttrpc]
  address = "%[3]s.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "%[4]s"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "%[5]s"
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "%[6]s"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "%[7]s"
`, c.path("containerd", "root"), c.path("containerd", "state"), c.containerdSock(), c.path("containerd", "opt"),
		c.SandboxImage, c.path("cni", "net.d"), c.path("containerd", "certs.d"))
}

// containerdHostsFile is where containerd looks up how to reach MirroredRegistry.
func (c Config) containerdHostsFile() string {
	return c.path("containerd", "certs.d", MirroredRegistry, "hosts.toml")
}

func (c Config) cniConfig() string {
	// ipMasq false: pod traffic is never NATed out of the machine; IPAM state stays in our dir.
	return fmt.Sprintf(`{
  "cniVersion": "1.0.0",
  "name": "aggop",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "%s",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{"subnet": "%s"}]],
        "routes": [{"dst": "0.0.0.0/0"}],
        "dataDir": "%s"
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
`, c.Bridge, c.PodCIDR, c.path("cni", "ipam"))
}
