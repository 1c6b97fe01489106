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
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// TestEmbeddedEtcdKeepsDataAcrossRestartsOnLoopback starts two members side by side (no port
// collision), writes a key, restarts one on the same data dir and reads the key back.
func TestEmbeddedEtcdKeepsDataAcrossRestartsOnLoopback(t *testing.T) {
	dir := t.TempDir()
	first, err := StartEmbeddedEtcd(dir)
	if err != nil {
		t.Fatal(err)
	}
	second, err := StartEmbeddedEtcd(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	if first.URL == second.URL {
		t.Fatalf("two embedded members share %s", first.URL)
	}
	put(t, first.URL, "k", "v")
	first.Close()

	again, err := StartEmbeddedEtcd(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if got := get(t, again.URL, "k"); got != "v" {
		t.Fatalf("after restart got %q, want v", got)
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
