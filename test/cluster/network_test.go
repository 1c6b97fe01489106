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
	"reflect"
	"strings"
	"testing"
)

func TestUnquoteSplitsLikeIptablesSave(t *testing.T) {
	line := `-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD`
	got := unquote(strings.Fields(line)[1:])
	want := []string{"FORWARD", "-m", "comment", "--comment", "kubernetes forwarding rules", "-j", "KUBE-FORWARD"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("unquote = %q, want %q", got, want)
	}
}

func TestOnlyClusterChainsAreRemoved(t *testing.T) {
	cases := []struct {
		rule string
		ours bool
	}{
		{`-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD`, true},
		{`-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT`, true},
		{`-A FORWARD -s 10.0.0.0/8 -j DROP`, false},
		{`-A DOCKER-USER -j RETURN`, false},
		{`-A INPUT -g KUBE-FIREWALL`, true},
	}
	for _, c := range cases {
		if got := jumpsToCluster(strings.Fields(c.rule)); got != c.ours {
			t.Errorf("jumpsToCluster(%q) = %v, want %v", c.rule, got, c.ours)
		}
	}
}

func TestSnapshotDiffNamesWhatChanged(t *testing.T) {
	before := HostSnapshot{Items: map[string][]string{"links": {"eth0", "lo"}, "sysctls": {"net/ipv4/ip_forward=0"}}}
	after := HostSnapshot{Items: map[string][]string{"links": {"aggopbr0", "eth0", "lo"}, "sysctls": {"net/ipv4/ip_forward=1"}}}
	want := []string{"links: added aggopbr0", "sysctls: added net/ipv4/ip_forward=1", "sysctls: removed net/ipv4/ip_forward=0"}
	if got := before.Diff(after); !reflect.DeepEqual(got, want) {
		t.Errorf("Diff = %q, want %q", got, want)
	}
	if got := before.Diff(before); len(got) != 0 {
		t.Errorf("Diff of a snapshot with itself = %q, want none", got)
	}
}

func TestUnescapeMount(t *testing.T) {
	if got := unescapeMount(`/run/a\040b`); got != "/run/a b" {
		t.Errorf("unescapeMount = %q", got)
	}
}

func TestRuleEntriesIgnoreAcceptPolicies(t *testing.T) {
	out := "-P INPUT ACCEPT\n-P FORWARD DROP\n-N KUBE-FIREWALL\n-A FORWARD -s 10.244.0.0/24 -j DROP\n"
	want := []string{
		"iptables filter -P FORWARD DROP",
		"iptables filter -N KUBE-FIREWALL",
		"iptables filter -A FORWARD -s 10.244.0.0/24 -j DROP",
	}
	if got := ruleEntries("iptables", "filter", out); !reflect.DeepEqual(got, want) {
		t.Errorf("ruleEntries = %q, want %q", got, want)
	}
	if got := ruleEntries("iptables", "nat", ""); len(got) != 0 {
		t.Errorf("ruleEntries of no output = %q, want none", got)
	}
}

func TestClusterChainsInListsOnlyKubernetesChains(t *testing.T) {
	out := "-P FORWARD ACCEPT\n-N DOCKER\n-N KUBE-FIREWALL\n-N CNI-HOSTPORT-DNAT\n-A FORWARD -j KUBE-FORWARD\n"
	want := []string{"KUBE-FIREWALL", "CNI-HOSTPORT-DNAT"}
	if got := clusterChainsIn(out); !reflect.DeepEqual(got, want) {
		t.Errorf("clusterChainsIn = %q, want %q", got, want)
	}
}
