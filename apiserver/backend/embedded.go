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
	"context"
	"fmt"
	"net/url"
	"sync"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
)

// startTimeout bounds how long a single-member etcd may take to elect itself.
const startTimeout = 60 * time.Second

// EmbeddedEtcd is a single-member etcd inside the process. Its only listener is a unix socket in a
// directory only this user may enter (see dataDir), so nothing else in the pod's network namespace
// reaches the data: a TCP listener, even on loopback, would serve anyone there without
// authentication. It has no peer listener: the only member never talks to another.
type EmbeddedEtcd struct {
	// URL is the client endpoint, what --etcd-servers would name: unix://<socket path>.
	URL  string
	etcd *embed.Etcd
	dir  *dataDir
	once sync.Once
}

// StartEmbeddedEtcd starts etcd with its data in dataDir and waits until it serves or ctx ends.
// A data dir in use by another server is refused at once (ErrDataDirInUse).
func StartEmbeddedEtcd(ctx context.Context, dataDir string) (*EmbeddedEtcd, error) {
	dir, err := openDataDir(dataDir)
	if err != nil {
		return nil, err
	}
	etcd, err := embed.StartEtcd(etcdConfig(dir))
	if err != nil {
		dir.close()
		return nil, fmt.Errorf("starting embedded etcd in %s: %w", dir.path, err)
	}
	client := dir.clientURL()
	e := &EmbeddedEtcd{URL: client.String(), etcd: etcd, dir: dir}
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case <-etcd.Server.ReadyNotify():
		return e, nil
	case err = <-etcd.Err():
		err = fmt.Errorf("embedded etcd in %s failed: %w", dir.path, err)
	case <-timer.C:
		err = fmt.Errorf("embedded etcd in %s not ready after %s", dir.path, startTimeout)
	case <-ctx.Done():
		err = fmt.Errorf("starting embedded etcd in %s: %w", dir.path, ctx.Err())
	}
	e.Close()
	return nil, err
}

// etcdConfig is a single member serving clients on dir's socket only.
func etcdConfig(dir *dataDir) *embed.Config {
	cfg := embed.NewConfig()
	cfg.Name = "metricsnapshot"
	cfg.Dir = dir.path
	// Startup failures come back from StartEtcd; at "error" etcd also logs its normal shutdown.
	cfg.LogLevel = "fatal"
	client := dir.clientURL()
	cfg.ListenClientUrls = []url.URL{client}
	cfg.AdvertiseClientUrls = []url.URL{client}
	// No peer listener. The advertised peer URL only names the member (its ID is derived from it);
	// nothing dials it in a one-member cluster. It is the value earlier versions advertised, so a
	// data dir they wrote keeps the same member.
	cfg.ListenPeerUrls = nil
	cfg.AdvertisePeerUrls = []url.URL{{Scheme: "http", Host: "127.0.0.1:0"}}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.ListenMetricsUrls = nil
	return cfg
}

// Close stops etcd and releases the data dir; later calls do nothing.
func (e *EmbeddedEtcd) Close() {
	e.once.Do(func() {
		e.etcd.Close()
		e.dir.close()
	})
}
