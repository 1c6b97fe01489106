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

package storage

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	genericapiserver "k8s.io/apiserver/pkg/server"
	genericoptions "k8s.io/apiserver/pkg/server/options"
)

// startTimeout bounds how long a single-member etcd may take to elect itself.
const startTimeout = 60 * time.Second

// EmbeddedEtcd runs a single-member etcd inside the process, with its data in DataDir.
// It listens on 127.0.0.1 with ports picked by the kernel, so several servers on one
// machine never collide, and nothing outside the machine can reach it.
type EmbeddedEtcd struct {
	DataDir string
	// Options carries the storage settings (prefix, codecs, compaction); its server list is
	// replaced with the embedded member's address.
	Options *genericoptions.EtcdOptions

	once sync.Once
	etcd *embed.Etcd
}

var _ Backend = &EmbeddedEtcd{}

// Start launches etcd and waits until it serves. Returns the client URL.
func (e *EmbeddedEtcd) Start() (string, error) {
	if err := os.MkdirAll(e.DataDir, 0o700); err != nil {
		return "", fmt.Errorf("creating embedded etcd data dir %s: %w", e.DataDir, err)
	}
	cfg := embed.NewConfig()
	cfg.Name = "metricsnapshot"
	cfg.Dir = e.DataDir
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
		return "", fmt.Errorf("starting embedded etcd in %s: %w", e.DataDir, err)
	}
	select {
	case <-etcd.Server.ReadyNotify():
	case err := <-etcd.Err():
		etcd.Close()
		return "", fmt.Errorf("embedded etcd in %s failed: %w", e.DataDir, err)
	case <-time.After(startTimeout):
		etcd.Close()
		return "", fmt.Errorf("embedded etcd in %s not ready after %s", e.DataDir, startTimeout)
	}
	if len(etcd.Clients) == 0 {
		etcd.Close()
		return "", errors.New("embedded etcd has no client listener")
	}
	e.etcd = etcd
	return "http://" + etcd.Clients[0].Addr().String(), nil
}

// ApplyTo starts etcd (once) and configures storage on it like an external etcd.
func (e *EmbeddedEtcd) ApplyTo(cfg *genericapiserver.Config) error {
	if e.etcd == nil {
		endpoint, err := e.Start()
		if err != nil {
			return err
		}
		e.Options.StorageConfig.Transport.ServerList = []string{endpoint}
	}
	return (&Etcd{Options: e.Options}).ApplyTo(cfg)
}

// Close stops etcd.
func (e *EmbeddedEtcd) Close() error {
	e.once.Do(func() {
		if e.etcd != nil {
			e.etcd.Close()
		}
	})
	return nil
}
