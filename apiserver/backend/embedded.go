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

// Package backend runs the storage the server brings itself. The registry only sees a
// generic.RESTOptionsGetter made from the etcd options, so another store (the tutorial's
// "custom storage") is one more endpoint for them and needs no change to the registry.
package backend

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
)

// startTimeout bounds how long a single-member etcd may take to elect itself.
const startTimeout = 60 * time.Second

// EmbeddedEtcd is a single-member etcd inside the process. It listens on 127.0.0.1 with ports
// picked by the kernel, so several servers on one machine never collide, and nothing outside
// the machine can reach it.
type EmbeddedEtcd struct {
	// URL is the client endpoint, what --etcd-servers would name.
	URL  string
	etcd *embed.Etcd
}

// StartEmbeddedEtcd starts etcd with its data in dataDir and waits until it serves.
func StartEmbeddedEtcd(dataDir string) (*EmbeddedEtcd, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating embedded etcd data dir %s: %w", dataDir, err)
	}
	cfg := embed.NewConfig()
	cfg.Name = "metricsnapshot"
	cfg.Dir = dataDir
	// Startup failures come back from StartEtcd; at "error" etcd also logs its normal shutdown.
	cfg.LogLevel = "fatal"
	loopback := url.URL{Scheme: "http", Host: "127.0.0.1:0"}
	cfg.ListenClientUrls = []url.URL{loopback}
	cfg.AdvertiseClientUrls = []url.URL{loopback}
	cfg.ListenPeerUrls = []url.URL{loopback}
	cfg.AdvertisePeerUrls = []url.URL{loopback}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.ListenMetricsUrls = nil

	etcd, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, fmt.Errorf("starting embedded etcd in %s: %w", dataDir, err)
	}
	select {
	case <-etcd.Server.ReadyNotify():
	case err := <-etcd.Err():
		etcd.Close()
		return nil, fmt.Errorf("embedded etcd in %s failed: %w", dataDir, err)
	case <-time.After(startTimeout):
		etcd.Close()
		return nil, fmt.Errorf("embedded etcd in %s not ready after %s", dataDir, startTimeout)
	}
	if len(etcd.Clients) == 0 {
		etcd.Close()
		return nil, errors.New("embedded etcd has no client listener")
	}
	return &EmbeddedEtcd{URL: "http://" + etcd.Clients[0].Addr().String(), etcd: etcd}, nil
}

// Close stops etcd.
func (e *EmbeddedEtcd) Close() { e.etcd.Close() }
