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
	"strings"
)

// guardComment marks the harness' own iptables rule so Down removes exactly it.
const guardComment = "aggop-cluster-guard"

// setupNetwork creates the veth pair holding the node IP and the rule keeping pod traffic on the machine.
func (c Config) setupNetwork(ctx context.Context) error {
	steps := [][]string{
		{"ip", "link", "add", c.Veth, "type", "veth", "peer", "name", c.VethPeer},
		{"ip", "addr", "add", c.NodeIP + "/" + c.NodeCIDR, "dev", c.Veth},
		{"ip", "link", "set", c.Veth, "up"},
		{"ip", "link", "set", c.VethPeer, "up"},
	}
	for _, s := range steps {
		if _, err := run(ctx, s[0], s[1:]...); err != nil {
			return fmt.Errorf("setting up node network: %w", err)
		}
	}
	if _, err := run(ctx, "iptables", append([]string{"-I", "FORWARD", "1"}, c.guardRule()...)...); err != nil {
		return fmt.Errorf("adding pod containment rule: %w", err)
	}
	return nil
}

// guardRule drops anything from the pod CIDR headed outside it: pods reach each other, services
// (DNATed to pods or to the node IP, which is local) and the node, never the outside world.
func (c Config) guardRule() []string {
	return []string{"-s", c.PodCIDR, "!", "-d", c.PodCIDR, "-m", "comment", "--comment", guardComment, "-j", "DROP"}
}

// teardownNetwork deletes our links, our guard rule and the chains kubelet, kube-proxy and the
// CNI plugins leave behind. It only touches names the cluster owns.
func (c Config) teardownNetwork(ctx context.Context) []error {
	var errs []error
	for _, link := range []string{c.Bridge, c.Veth} {
		if _, err := run(ctx, "ip", "link", "show", link); err == nil {
			if _, err := run(ctx, "ip", "link", "del", link); err != nil {
				errs = append(errs, err)
			}
		}
	}
	for i := 0; i < 10; i++ {
		if _, err := run(ctx, "iptables", append([]string{"-D", "FORWARD"}, c.guardRule()...)...); err != nil {
			break
		}
	}
	for _, ipt := range []string{"iptables", "ip6tables"} {
		for _, table := range []string{"filter", "nat", "mangle"} {
			errs = append(errs, removeChains(ctx, ipt, table)...)
		}
	}
	return errs
}

// clusterChain reports chains created by kubelet, kube-proxy (KUBE-*) and the CNI portmap plugin (CNI-*).
func clusterChain(name string) bool {
	return strings.HasPrefix(name, "KUBE-") || strings.HasPrefix(name, "CNI-")
}

// clusterChainsIn lists the cluster chains `iptables -S` output declares.
func clusterChainsIn(out string) []string {
	var chains []string
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "-N" && clusterChain(f[1]) {
			chains = append(chains, f[1])
		}
	}
	return chains
}

// refuseForeignKubernetes stops Up on a machine whose iptables already hold Kubernetes chains that no
// cluster of ours made (no host record in the state dir): teardown removes every KUBE-*/CNI-* chain, which
// would break the networking of a real node.
func (c Config) refuseForeignKubernetes(ctx context.Context) error {
	if _, err := os.Stat(c.hostStateFile()); err == nil {
		return nil // our own earlier (maybe crashed) cluster made them; Down cleans them up
	}
	for _, ipt := range []string{"iptables", "ip6tables"} {
		for _, table := range []string{"filter", "nat", "mangle"} {
			out, err := run(ctx, ipt, "-t", table, "-S")
			if err != nil {
				continue
			}
			if chains := clusterChainsIn(out); len(chains) > 0 {
				return fmt.Errorf("this machine already has Kubernetes networking (%s %s chain %s) that the local cluster did not "+
					"create; its teardown removes every KUBE-*/CNI-* chain, so it refuses to run here", ipt, table, chains[0])
			}
		}
	}
	return nil
}

// removeChains deletes every rule jumping to a cluster chain, then flushes and deletes those chains.
func removeChains(ctx context.Context, ipt, table string) []error {
	out, err := run(ctx, ipt, "-t", table, "-S")
	if err != nil {
		return nil // table or binary absent: nothing of ours there
	}
	chains := clusterChainsIn(out)
	var errs []error
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 2 && f[0] == "-A" && !clusterChain(f[1]) && jumpsToCluster(f):
			del := append([]string{"-t", table, "-D"}, unquote(f[1:])...)
			if _, err := run(ctx, ipt, del...); err != nil {
				errs = append(errs, err)
			}
		}
	}
	for _, ch := range chains {
		_, _ = run(ctx, ipt, "-t", table, "-F", ch)
	}
	for _, ch := range chains {
		if _, err := run(ctx, ipt, "-t", table, "-X", ch); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

func jumpsToCluster(f []string) bool {
	for i := 0; i+1 < len(f); i++ {
		if (f[i] == "-j" || f[i] == "-g") && clusterChain(f[i+1]) {
			return true
		}
	}
	return false
}

// unquote strips the quotes iptables -S puts around comments; exec passes arguments verbatim.
func unquote(f []string) []string {
	out := make([]string, 0, len(f))
	joined := strings.Join(f, " ")
	var cur strings.Builder
	inQuote := false
	for _, r := range joined {
		switch {
		case r == '"':
			inQuote = !inQuote
		case r == ' ' && !inQuote:
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}
