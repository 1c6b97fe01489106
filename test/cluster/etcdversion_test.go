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
	"os"
	"path/filepath"
	"strings"
	"testing"

	"example.com/aggregation-operator/internal/kubeversion"
	"example.com/aggregation-operator/internal/version"
)

// The operator's default etcd image (--etcd-image, the managed etcd) is the one `make images` builds: same
// tag as the cluster's etcd image and as the etcd module hack/tools/etcd builds.
func TestEtcdImageFollowsTheBuiltEtcd(t *testing.T) {
	if want := "local.test/etcd:" + version.EtcdVersion; EtcdImage != want {
		t.Errorf("cluster.EtcdImage %s, version.EtcdVersion gives %s", EtcdImage, want)
	}
	mod, err := os.ReadFile(filepath.Join(kubeversion.Root(), "hack", "tools", "etcd", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(mod), "go.etcd.io/etcd/server/v3 "+version.EtcdVersion+"\n") {
		t.Errorf("hack/tools/etcd/go.mod does not build etcd %s (internal/version.EtcdVersion)", version.EtcdVersion)
	}
}
