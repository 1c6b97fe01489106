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

package backend

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"example.com/aggregation-operator/internal/testutil"
)

func start(t *testing.T, dir string) *EmbeddedEtcd {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	e, err := StartEmbeddedEtcd(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e
}

// TestEmbeddedEtcdKeepsDataAcrossRestarts starts two members side by side (no collision), writes a
// key, restarts one on the same data dir and reads the key back.
func TestEmbeddedEtcdKeepsDataAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	first := start(t, dir)
	second := start(t, t.TempDir())
	if first.URL == second.URL {
		t.Fatalf("two embedded members share %s", first.URL)
	}
	put(t, first.URL, "k", "v")
	first.Close()

	again := start(t, dir)
	if got := get(t, again.URL, "k"); got != "v" {
		t.Fatalf("after restart got %q, want v", got)
	}
}

// TestEmbeddedEtcdListensOnAPrivateUnixSocketOnly: the process has no listening TCP socket while
// etcd serves (anything in the pod's network namespace could reach one), and the socket's
// directory is this user's alone, even when it was not before.
func TestEmbeddedEtcdListensOnAPrivateUnixSocketOnly(t *testing.T) {
	before := testutil.ListeningTCPPorts(t, 0)
	dir := t.TempDir()
	// A socket dir left world-writable (by hand, or an older version) is made private again.
	if err := os.Mkdir(filepath.Join(dir, socketDir), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, socketDir), 0o777); err != nil {
		t.Fatal(err)
	}
	e := start(t, dir)
	put(t, e.URL, "k", "v")
	if after := testutil.ListeningTCPPorts(t, 0); len(after) != len(before) {
		t.Fatalf("listening TCP ports: %v before etcd started, %v while it serves; want no new one", before, after)
	}
	socket := filepath.Join(dir, socketDir, socketName)
	if e.URL != "unix://"+socket {
		t.Fatalf("client URL %s, want unix://%s", e.URL, socket)
	}
	info, err := os.Stat(filepath.Dir(socket))
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o700 {
		t.Fatalf("socket dir mode %v, want 0700", perm)
	}
}

// TestEmbeddedEtcdRefusesADataDirInUse: a second member on a data dir in use fails at once, naming
// the dir, instead of waiting forever on etcd's database lock; once the first stops, the dir is free.
func TestEmbeddedEtcdRefusesADataDirInUse(t *testing.T) {
	dir := t.TempDir()
	first := start(t, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	second, err := StartEmbeddedEtcd(ctx, dir)
	if err == nil {
		second.Close()
		t.Fatal("a second member started on a data dir in use")
	}
	if !errors.Is(err, ErrDataDirInUse) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("want ErrDataDirInUse naming %s, got %v", dir, err)
	}
	first.Close()
	start(t, dir)
}

// TestEmbeddedEtcdServesFromADataDirTooLongForASocketPath: etcd serves from a data dir whose
// socket path is longer than a unix socket takes (a long TMPDIR or --data-dir), through the
// socket dir held open.
func TestEmbeddedEtcdServesFromADataDirTooLongForASocketPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), strings.Repeat("d", maxSocketPath))
	e := start(t, dir)
	put(t, e.URL, "k", "v")
	if got := get(t, e.URL, "k"); got != "v" {
		t.Fatalf("got %q, want v", got)
	}
	if _, err := os.Stat(filepath.Join(dir, socketDir, socketName)); err != nil {
		t.Fatalf("the socket is not in the data dir's socket dir: %v", err)
	}
}

func client(t *testing.T, url string) *clientv3.Client {
	t.Helper()
	c, err := clientv3.New(clientv3.Config{Endpoints: []string{url}, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func put(t *testing.T, url, k, v string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := client(t, url).Put(ctx, k, v); err != nil {
		t.Fatal(err)
	}
}

func get(t *testing.T, url, k string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := client(t, url).Get(ctx, k)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Kvs) == 0 {
		return ""
	}
	return string(resp.Kvs[0].Value)
}
