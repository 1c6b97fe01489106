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

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	restclient "k8s.io/client-go/rest"
	"k8s.io/client-go/util/flowcontrol"

	metricsv2 "example.com/aggregation-operator/apiserver/apis/metrics/v2"
	"example.com/aggregation-operator/apiserver/generated/clientset/versioned"
)

// groupClient returns the generated clientset talking to <group>/v2 with the server's codecs,
// which know MetricSnapshot in group; JSON only, like the server offers.
//
// The generated client wraps any REST client, but it encodes request options (ListOptions,
// UpdateOptions) with its own parameter codec, which knows them only for metrics.example.com/v2.
// Query parameters of meta options are the same in every group, so the REST client encodes them
// for that version while its path and bodies are those of the served group.
func groupClient(cfg *restclient.Config, group string, codecs serializer.CodecFactory) (versioned.Interface, error) {
	c := restclient.CopyConfig(cfg)
	gv := schema.GroupVersion{Group: group, Version: metricsv2.SchemeGroupVersion.Version}
	c.GroupVersion = &gv
	c.APIPath = "/apis"
	c.ContentType = runtime.ContentTypeJSON
	c.AcceptContentTypes = runtime.ContentTypeJSON
	if c.UserAgent == "" {
		c.UserAgent = restclient.DefaultKubernetesUserAgent()
	}
	base, versionedAPIPath, err := restclient.DefaultServerUrlFor(c)
	if err != nil {
		return nil, fmt.Errorf("loopback URL for %s: %w", gv, err)
	}
	httpClient, err := restclient.HTTPClientFor(c)
	if err != nil {
		return nil, fmt.Errorf("loopback HTTP client for %s: %w", gv, err)
	}
	limiter := c.RateLimiter
	if limiter == nil && c.QPS > 0 {
		limiter = flowcontrol.NewTokenBucketRateLimiter(c.QPS, c.Burst)
	}
	content := restclient.ClientContentConfig{
		AcceptContentTypes: c.AcceptContentTypes,
		ContentType:        c.ContentType,
		GroupVersion:       metricsv2.SchemeGroupVersion,
		Negotiator:         runtime.NewClientNegotiator(codecs.WithoutConversion(), gv),
	}
	rc, err := restclient.NewRESTClient(base, versionedAPIPath, content, limiter, httpClient)
	if err != nil {
		return nil, fmt.Errorf("creating a REST client for %s: %w", gv, err)
	}
	return versioned.New(rc), nil
}
