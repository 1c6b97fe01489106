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

package server

import (
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"example.com/aggregation-operator/internal/contract"
)

func TestParseSources(t *testing.T) {
	got, err := parseSources([]string{"prometheus=http://prometheus:9090", "thanos=https://thanos.example:10902/prefix"})
	if err != nil || len(got) != 2 || got["thanos"] != "https://thanos.example:10902/prefix" {
		t.Fatalf("got %v %v", got, err)
	}
	for _, bad := range [][]string{
		{"prometheus"},
		{"=http://x:9090"},
		{"Prom=http://x:9090"},
		{"p=ftp://x"},
		{"p=http://"},
		{"p=http://a:1", "p=http://b:1"},
	} {
		if _, err := parseSources(bad); err == nil || !strings.Contains(err.Error(), "--source") {
			t.Errorf("%v: want an error naming --source, got %v", bad, err)
		}
	}
}

func parse(t *testing.T, args ...string) *Options {
	t.Helper()
	o := NewOptions()
	o.LeaderElectionNamespace = ""
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	o.AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return o
}

func TestOptions(t *testing.T) {
	local := parse(t, "--local")
	if err := local.Complete(false); err != nil {
		t.Fatal(err)
	}
	if err := local.Validate(); err != nil {
		t.Fatalf("--local alone must be valid (embedded etcd, no leader election): %v", err)
	}
	if !local.embedded() || local.DataDir != "" || local.LeaderElect || local.Recommended.SecureServing.BindAddress.String() != "127.0.0.1" {
		t.Fatalf("--local: want embedded etcd in a temporary dir (made by Run), no leader election, on 127.0.0.1; "+
			"got embedded=%v dir=%q leader-elect=%v bind=%s",
			local.embedded(), local.DataDir, local.LeaderElect, local.Recommended.SecureServing.BindAddress)
	}

	cluster := parse(t, "--etcd-servers=http://etcd:2379")
	_ = cluster.Complete(false)
	if cluster.embedded() || cluster.DataDir != "" {
		t.Fatalf("--etcd-servers must select external storage, got embedded=%v dir=%q", cluster.embedded(), cluster.DataDir)
	}
	if err := cluster.Validate(); err == nil || !strings.Contains(err.Error(), "POD_NAMESPACE") {
		t.Fatalf("leader election without a namespace must be rejected, got %v", err)
	}

	embedded := parse(t, "--leader-election-namespace=ns")
	_ = embedded.Complete(false)
	if embedded.DataDir != contract.DataDir {
		t.Fatalf("in-cluster embedded etcd: want %s, got %q", contract.DataDir, embedded.DataDir)
	}
	if got := embedded.Recommended.SecureServing.ServerCert.PairName; got != "tls" {
		t.Fatalf("cert pair name %q, want tls (tls.crt/tls.key)", got)
	}
	if err := embedded.Validate(); err != nil {
		t.Fatalf("embedded etcd stands in for --etcd-servers, got %v", err)
	}
	badEtcd := parse(t, "--leader-election-namespace=ns", "--storage-media-type=text/plain")
	_ = badEtcd.Complete(false)
	if err := badEtcd.Validate(); err == nil || !strings.Contains(err.Error(), "--storage-media-type") {
		t.Fatalf("the other --etcd-* flags must still be checked with embedded etcd, got %v", err)
	}

	if err := parse(t, "--local", "--source=bad").Complete(false); err == nil || !strings.Contains(err.Error(), "--source") {
		t.Fatalf("a malformed --source must be rejected naming the flag, got %v", err)
	}
}

func TestAPIGroupOption(t *testing.T) {
	for _, tc := range []struct {
		args       []string
		wantPrefix string
	}{
		{nil, "/registry/metrics.example.com"},
		{[]string{"--api-group=widgets.example.com"}, "/registry/widgets.example.com"},
		{[]string{"--api-group=widgets.example.com", "--etcd-prefix=/team-a"}, "/team-a"},
	} {
		o := parse(t, append([]string{"--local", "--data-dir=" + t.TempDir()}, tc.args...)...)
		if err := o.Complete(false); err != nil {
			t.Fatal(err)
		}
		if err := o.Validate(); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if got := o.Etcd.StorageConfig.Prefix; got != tc.wantPrefix {
			t.Errorf("%v: etcd prefix %q, want %q", tc.args, got, tc.wantPrefix)
		}
	}
	for _, bad := range []string{"", "widgets", "Widgets.example.com", "widgets_x.example.com", "-widgets.example.com", "widgets.example.com."} {
		o := parse(t, "--local", "--data-dir="+t.TempDir(), "--api-group="+bad)
		if err := o.Complete(false); err != nil {
			t.Fatal(err)
		}
		if err := o.Validate(); err == nil || !strings.Contains(err.Error(), "--api-group") {
			t.Errorf("--api-group=%q: want an error naming --api-group, got %v", bad, err)
		}
	}
}

// TestLocalBindAddress: --local serves everyone as an all-powerful user, so an address other hosts
// reach is refused, naming the flag that allows it, unless that flag is given.
func TestLocalBindAddress(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		wantErr bool
	}{
		{[]string{"--local"}, false},
		{[]string{"--local", "--bind-address=127.0.0.2"}, false},
		{[]string{"--local", "--bind-address=::1"}, false},
		{[]string{"--local", "--bind-address=0.0.0.0"}, true},
		{[]string{"--local", "--bind-address=::"}, true},
		{[]string{"--local", "--bind-address=10.1.2.3"}, true},
		{[]string{"--local", "--bind-address=0.0.0.0", "--local-allow-non-loopback"}, false},
		{[]string{"--leader-election-namespace=ns", "--bind-address=0.0.0.0"}, false}, // in a cluster: authenticated
	} {
		o := parse(t, tc.args...)
		bindSet := strings.Contains(strings.Join(tc.args, " "), "--bind-address")
		if err := o.Complete(bindSet); err != nil {
			t.Fatal(err)
		}
		err := o.Validate()
		if !tc.wantErr {
			if err != nil {
				t.Errorf("%v: %v", tc.args, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "--local-allow-non-loopback") || !strings.Contains(err.Error(), "--bind-address") {
			t.Errorf("%v: want an error naming --bind-address and --local-allow-non-loopback, got %v", tc.args, err)
		}
	}
}
