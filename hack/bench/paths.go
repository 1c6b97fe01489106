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
	"net/http"
	"sync/atomic"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
)

// Path is one way to serve the benchmarked objects: a server and the route to it.
type Path struct {
	Name   string
	Config *rest.Config // the route: kube-apiserver, or straight to a pod
	GVR    schema.GroupVersionResource
	Kind   objectKind
	// Settled tells when a new object is final, for calibrate (nil: its resourceVersion holds).
	Settled func(*unstructured.Unstructured) bool
	// Meters read the servers on the route: the aggregated server ("server") and kube-apiserver.
	Meters map[string]Meter
	// Profile names the server that answers /debug/pprof on Config as an admin (the aggregated
	// server straight to its pod, or kube-apiserver on the routes through it); "": none is taken.
	Profile string
	// Before and After run around the path (not measured), e.g. to stop and restart collection.
	Before func(ctx context.Context, res dynamic.ResourceInterface) error
	After  func(ctx context.Context) error
	// Requests counts the requests the path's client sent (at its transport).
	Requests *atomic.Int64
	// StatusWrites counts the collector's status writes on a MetricSnapshot server (nil: none).
	StatusWrites statusWrites
}

// client is a dynamic client for the path's resource in objectsNS and a lister of it, both counting
// their requests.
func (p Path) client() (dynamic.ResourceInterface, rawLister, error) {
	cfg := p.countingConfig()
	c, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, rawLister{}, fmt.Errorf("creating client of %s: %w", p.Name, err)
	}
	l, err := newRawLister(cfg, p.GVR)
	return c.Resource(p.GVR).Namespace(objectsNS), l, err
}

func (p Path) countingConfig() *rest.Config {
	cfg := rest.CopyConfig(p.Config)
	cfg.QPS, cfg.Burst = -1, 0 // no client-side rate limit: the servers are measured
	cfg.WarningHandler = rest.NoWarnings{}
	wrap := cfg.WrapTransport
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		if wrap != nil {
			rt = wrap(rt)
		}
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			p.Requests.Add(1)
			return rt.RoundTrip(r)
		})
	}
	return cfg
}

// serverPort is the secure port both aggregated servers listen on in their pods (spec.securePort).
const serverPort = 6443

// direct is the route straight to a server pod, as the aggregator takes it: the front-proxy client
// certificate and the X-Remote-* headers of the user (the cluster admin).
func direct(pod Pod, frontProxyCert, frontProxyKey string) *rest.Config {
	return &rest.Config{
		Host: fmt.Sprintf("https://%s:%d", pod.IP, serverPort),
		// The serving certificate is the operator's; the server's identity is not what is measured.
		TLSClientConfig: rest.TLSClientConfig{Insecure: true, CertFile: frontProxyCert, KeyFile: frontProxyKey},
		WrapTransport: func(rt http.RoundTripper) http.RoundTripper {
			return roundTripFunc(func(r *http.Request) (*http.Response, error) {
				r = r.Clone(r.Context())
				r.Header.Set("X-Remote-User", "kubernetes-admin")
				r.Header.Set("X-Remote-Group", "system:masters")
				return rt.RoundTrip(r)
			})
		},
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
