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

package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// The committed chart is what chartgen makes from the committed config/ (so `make manifests` would change nothing).
func TestChartIsUpToDate(t *testing.T) {
	const chart = "../../charts/aggregation-operator"
	tmp := filepath.Join(t.TempDir(), "chart")
	if err := os.CopyFS(tmp, os.DirFS(chart)); err != nil {
		t.Fatal(err)
	}
	if err := run("../../config", tmp); err != nil {
		t.Fatal(err)
	}
	err := filepath.WalkDir(tmp, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(tmp, path)
		want, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		got, err := os.ReadFile(filepath.Join(chart, rel))
		if err != nil || string(got) != string(want) {
			t.Errorf("%s is stale (or missing): run `make manifests` and commit", filepath.Join("charts/aggregation-operator", rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
