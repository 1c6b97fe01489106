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
