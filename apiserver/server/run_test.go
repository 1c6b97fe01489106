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

package server_test

import (
	"path/filepath"
	"testing"

	"example.com/aggregation-operator/apiserver/internal/testserver"
)

// TestLocalRunRemovesItsTemporaryDataDir: --local without --data-dir keeps the embedded etcd in a
// temporary directory while it runs and leaves nothing behind when it stops.
func TestLocalRunRemovesItsTemporaryDataDir(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	dataDirs := func() []string {
		dirs, err := filepath.Glob(filepath.Join(tmp, "metricsnapshot-apiserver-*"))
		if err != nil {
			t.Fatal(err)
		}
		return dirs
	}

	s := testserver.Start(t)
	if dirs := dataDirs(); len(dirs) != 1 {
		t.Fatalf("while serving: want one temporary data dir in %s, got %v", tmp, dirs)
	}
	s.Stop()
	if dirs := dataDirs(); len(dirs) != 0 {
		t.Fatalf("after stop: temporary data dir left behind: %v", dirs)
	}
}
