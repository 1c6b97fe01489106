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
	"fmt"
	"net"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apiserver/pkg/authorization/authorizerfactory"
	"k8s.io/apiserver/pkg/endpoints/openapi"
	genericapiserver "k8s.io/apiserver/pkg/server"
	restclient "k8s.io/client-go/rest"
	basecompatibility "k8s.io/component-base/compatibility"
	baseversion "k8s.io/component-base/version"
	netutils "k8s.io/utils/net"

	generatedopenapi "example.com/aggregation-operator/apiserver/generated/openapi"
)

// StorageVersion is the version MetricSnapshots are written to etcd in.
const StorageVersion = "v2"

// Config is everything the server needs, built from Options.
type Config struct {
	Generic *genericapiserver.RecommendedConfig
	Extra   ExtraConfig
}

// ExtraConfig is the MetricSnapshot-specific part of Config.
type ExtraConfig struct {
	// Group is the served API group (--api-group); Scheme and Codecs know MetricSnapshot in it.
	Group  string
	Scheme *runtime.Scheme
	Codecs serializer.CodecFactory
	// Sources maps --source names to Prometheus URLs.
	Sources map[string]string
	// Collection settings.
	LeaderElect             bool
	LeaderElectionNamespace string
	QueryTimeout            time.Duration
	Workers                 int
	// ShutdownTimeout bounds the graceful shutdown (in-flight requests); see Options.ShutdownTimeout.
	ShutdownTimeout time.Duration
	// Cluster reaches the kube-apiserver for leader election; nil with --local.
	Cluster *restclient.Config
}

// Config builds the server configuration of completed options, with storage on etcdServers
// (--etcd-servers, or the embedded etcd Run started). It starts nothing.
func (o *Options) Config(etcdServers []string) (*Config, error) {
	if err := o.Recommended.SecureServing.MaybeDefaultWithSelfSignedCerts("localhost", nil,
		[]net.IP{netutils.ParseIPSloppy("127.0.0.1"), netutils.ParseIPSloppy("::1")}); err != nil {
		return nil, fmt.Errorf("creating self-signed certificates: %w", err)
	}
	scheme, codecs, err := newScheme(o.APIGroup)
	if err != nil {
		return nil, err
	}

	cfg := genericapiserver.NewRecommendedConfig(codecs)
	cfg.EffectiveVersion = basecompatibility.NewEffectiveVersionFromString(baseversion.DefaultKubeBinaryVersion, "", "")
	// The namer takes GroupVersionKinds from scheme, so the published schemas carry the served
	// group in x-kubernetes-group-version-kind (kubectl explain, server-side apply).
	namer := openapi.NewDefinitionNamer(scheme)
	cfg.OpenAPIConfig = genericapiserver.DefaultOpenAPIConfig(generatedopenapi.GetOpenAPIDefinitions, namer)
	cfg.OpenAPIConfig.Info.Title = "MetricSnapshot"
	cfg.OpenAPIConfig.Info.Version = "v1"
	cfg.OpenAPIV3Config = genericapiserver.DefaultOpenAPIV3Config(generatedopenapi.GetOpenAPIDefinitions, namer)
	cfg.OpenAPIV3Config.Info.Title = "MetricSnapshot"
	cfg.OpenAPIV3Config.Info.Version = "v1"

	recommended := *o.Recommended
	if o.Local {
		// Nothing to delegate to and no cluster to read: see localAuthenticator.
		recommended.Authentication = nil
		recommended.Authorization = nil
		recommended.CoreAPI = nil
		recommended.Admission = nil
	}
	if err := recommended.ApplyTo(cfg); err != nil {
		return nil, fmt.Errorf("applying options: %w", err)
	}
	if o.Local {
		cfg.Authentication.Authenticator = localAuthenticator()
		cfg.Authorization.Authorizer = authorizerfactory.NewAlwaysAllowAuthorizer()
	}
	cfg.ShutdownDelayDuration = o.ShutdownDelay
	if rh := cfg.Authentication.RequestHeaderConfig; rh != nil {
		cfg.AddReadyzChecks(frontProxyCAReady(rh.CAContentProvider))
	}

	// Objects are stored as <group>/v2 (StorageVersion); objects written as v1 by an older server
	// are read as they are and rewritten as v2 on their next write (README "Storage version").
	// Applying etcd options also adds the checks that keep /readyz failing until etcd answers.
	etcd := *o.Etcd
	etcd.StorageConfig.Transport.ServerList = etcdServers
	gv := schema.GroupVersion{Group: o.APIGroup, Version: StorageVersion}
	etcd.StorageConfig.Codec = codecs.LegacyCodec(gv)
	etcd.StorageConfig.EncodeVersioner = runtime.NewMultiGroupVersioner(gv, schema.GroupKind{Group: o.APIGroup})
	if err := etcd.ApplyTo(&cfg.Config); err != nil {
		return nil, fmt.Errorf("configuring etcd storage %v: %w", etcdServers, err)
	}
	return &Config{
		Generic: cfg,
		Extra: ExtraConfig{
			Group:                   o.APIGroup,
			Scheme:                  scheme,
			Codecs:                  codecs,
			Sources:                 o.sources,
			LeaderElect:             o.LeaderElect,
			LeaderElectionNamespace: o.LeaderElectionNamespace,
			QueryTimeout:            o.QueryTimeout,
			Workers:                 o.Workers,
			ShutdownTimeout:         o.ShutdownTimeout,
			Cluster:                 cfg.ClientConfig,
		},
	}, nil
}
