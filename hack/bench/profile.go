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
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"k8s.io/client-go/rest"
)

// profiler takes a CPU profile of a server while a path runs (pprof under the benchmark).
type profiler struct {
	dir     string        // where profiles are written; empty: none taken
	seconds time.Duration // length of each profile, from the start of the path
}

// start asks the server behind cfg for a CPU profile and returns a function that waits for it and
// writes it to <dir>/<path name>.pprof.
func (pr profiler) start(ctx context.Context, cfg *rest.Config, path string) func() error {
	if pr.dir == "" {
		return func() error { return nil }
	}
	done := make(chan error, 1)
	go func() { done <- pr.take(ctx, cfg, path) }()
	return func() error { return <-done }
}

func (pr profiler) take(ctx context.Context, cfg *rest.Config, path string) error {
	client, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return fmt.Errorf("profiling %s: %w", path, err)
	}
	ctx, cancel := context.WithTimeout(ctx, pr.seconds+time.Minute)
	defer cancel()
	body, err := get(ctx, client, cfg.Host, fmt.Sprintf("/debug/pprof/profile?seconds=%d", int(pr.seconds.Seconds())))
	if err != nil {
		return fmt.Errorf("profiling %s: %w", path, err)
	}
	defer body.Close()
	file := filepath.Join(pr.dir, regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(path, "-")+".pprof")
	if err := os.MkdirAll(pr.dir, 0o755); err != nil { // a missing -pprof dir lost the profiles at the end of a run
		return err
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, body); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", file, err)
	}
	return f.Close()
}

// get reads path from the server at host with client; the caller closes the body of a 200 answer.
func get(ctx context.Context, client *http.Client, host, path string) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(host, "/")+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("GET %s: HTTP %d", path, resp.StatusCode)
	}
	return resp.Body, nil
}
