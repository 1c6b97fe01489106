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

package server

import (
	"context"
	"fmt"

	promapi "github.com/prometheus/client_golang/api"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apiserver/pkg/registry/rest"
	genericapiserver "k8s.io/apiserver/pkg/server"
	restclient "k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"

	metricsv1 "example.com/aggregation-operator/apiserver/apis/metrics/v1"
	metricsv2 "example.com/aggregation-operator/apiserver/apis/metrics/v2"
	"example.com/aggregation-operator/apiserver/collector"
	"example.com/aggregation-operator/apiserver/registry/metricsnapshot"
)

// Server is a MetricSnapshot apiserver, ready to run.
type Server struct {
	Generic *genericapiserver.GenericAPIServer
	extra   ExtraConfig
	querier *collector.Querier
	// loopback dials the collector's connections to this server; stopCollector closes them.
	loopback *stoppableDialer
	// stopping is closed when the server is told to stop.
	stopping chan struct{}
	// source is what the collector reads MetricSnapshots from: the server's own storage.
	source cache.ListerWatcher
}

// CompletedConfig is a Config whose defaults are filled in.
type CompletedConfig struct {
	generic genericapiserver.CompletedConfig
	extra   ExtraConfig
}

// Complete fills in defaults.
func (c *Config) Complete() CompletedConfig {
	return CompletedConfig{generic: c.Generic.Complete(), extra: c.Extra}
}

// New installs <group>/v2 and <group>/v1 (metrics.example.com by default) and registers the collector to start after the server.
func (c CompletedConfig) New() (*Server, error) {
	generic, err := c.generic.New("metricsnapshot-apiserver", genericapiserver.NewEmptyDelegate())
	if err != nil {
		return nil, fmt.Errorf("creating generic server: %w", err)
	}
	// k8s.io/apiserver derives it from the request timeout; --shutdown-timeout sets it.
	if c.extra.ShutdownTimeout > 0 {
		generic.ShutdownTimeout = c.extra.ShutdownTimeout
	}
	snapshots, status, err := metricsnapshot.NewStorage(c.extra.Scheme, c.extra.Group, c.generic.RESTOptionsGetter, sets.KeySet(c.extra.Sources))
	if err != nil {
		return nil, err
	}
	group := genericapiserver.NewDefaultAPIGroupInfo(c.extra.Group, c.extra.Scheme, metav1.ParameterCodec, c.extra.Codecs)
	group.NegotiatedSerializer = withoutProtobuf{group.NegotiatedSerializer}
	// Both versions are served from the same storage, which holds internal objects; the scheme
	// converts each request and response (v1 is deprecated: its responses carry a Warning).
	for _, version := range []string{metricsv2.SchemeGroupVersion.Version, metricsv1.SchemeGroupVersion.Version} {
		group.VersionedResourcesStorageMap[version] = map[string]rest.Storage{
			"metricsnapshots":        snapshots,
			"metricsnapshots/status": status,
		}
	}
	if err := generic.InstallAPIGroup(&group); err != nil {
		return nil, fmt.Errorf("installing %s (v2, v1): %w", c.extra.Group, err)
	}

	querier, err := newQuerier(c.extra)
	if err != nil {
		return nil, err
	}
	s := &Server{Generic: generic, extra: c.extra, querier: querier, loopback: newStoppableDialer(), stopping: make(chan struct{}),
		source: storageSource(snapshots.Store)}
	generic.AddPostStartHookOrDie("metricsnapshot-collector", s.startCollector)
	generic.AddPreShutdownHookOrDie("metricsnapshot-collector", s.stopCollector)
	return s, nil
}

func newQuerier(extra ExtraConfig) (*collector.Querier, error) {
	apis := make(map[string]promv1.API, len(extra.Sources))
	for name, url := range extra.Sources {
		client, err := promapi.NewClient(promapi.Config{Address: url})
		if err != nil {
			return nil, fmt.Errorf("creating Prometheus client for source %s (%s): %w", name, url, err)
		}
		apis[name] = promv1.NewAPI(client)
	}
	return &collector.Querier{Sources: apis, Timeout: extra.QueryTimeout, Retain: 2 * extra.QueryTimeout}, nil
}

// startCollector runs the collector: it reads the server's own storage in process and writes
// through the loopback client, so status writes take the same path (authorization, status strategy,
// validation, managed fields) as any client's.
func (s *Server) startCollector(hook genericapiserver.PostStartHookContext) error {
	loopback := restclient.CopyConfig(hook.LoopbackClientConfig)
	loopback.Dial = s.loopback.DialContext
	// The loopback config's 50 requests/s throttled the status writes after a burst of creates
	// (1000 new objects: 20 s of writes overlapping whatever came next); the collector's workers
	// already bound how many are in flight.
	loopback.QPS, loopback.Burst, loopback.RateLimiter = -1, 0, nil
	client, err := groupClient(loopback, s.extra.Group, s.extra.Codecs)
	if err != nil {
		return fmt.Errorf("creating loopback client: %w", err)
	}
	c := collector.New(client, s.source, s.querier, s.extra.Workers)
	// hook.Context ends only once the HTTP server has stopped; the collector stops when the
	// server is told to (stopCollector).
	ctx, cancel := context.WithCancel(hook.Context)
	go func() {
		select {
		case <-s.stopping:
		case <-ctx.Done():
		}
		cancel()
	}()
	go func() {
		defer cancel()
		var err error
		if s.extra.LeaderElect {
			err = runLeaderElected(ctx, s.extra.Cluster, s.extra.LeaderElectionNamespace, c.Run)
		} else {
			err = c.Run(ctx)
		}
		if err != nil && ctx.Err() == nil {
			klog.FromContext(ctx).Error(err, "collector stopped")
		}
	}()
	return nil
}

// stopCollector runs when the server is told to stop, before the shutdown delay: it stops the
// collector and closes its connections to this server, refusing new ones. The HTTP server's
// shutdown waits for every connection; an HTTP/2 connection opened while it shuts down is never
// sent its GOAWAY, so a collector request racing a stop kept the process up for --shutdown-timeout.
// Another replica takes the collector's Lease over sooner, too.
func (s *Server) stopCollector() error {
	close(s.stopping)
	s.loopback.stop()
	return nil
}
