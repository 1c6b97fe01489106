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
	"crypto/x509"
	"testing"

	"k8s.io/apiserver/pkg/server/dynamiccertificates"
)

// caContent is a CA provider whose bundle the test sets, as the ConfigMap-backed one fills after its informer syncs.
type caContent struct{ bundle []byte }

func (c *caContent) Name() string                   { return "test-ca" }
func (c *caContent) CurrentCABundleContent() []byte { return c.bundle }
func (c *caContent) VerifyOptions() (x509.VerifyOptions, bool) {
	return x509.VerifyOptions{}, len(c.bundle) > 0
}
func (c *caContent) AddListener(dynamiccertificates.Listener) {}

func TestFrontProxyCAReadyWaitsForTheCA(t *testing.T) {
	ca := &caContent{}
	check := frontProxyCAReady(ca)
	if check.Name() != "front-proxy-ca" {
		t.Errorf("check name %q, want front-proxy-ca (it shows in /readyz?verbose)", check.Name())
	}
	if err := check.Check(nil); err == nil {
		t.Fatal("ready with no front-proxy CA loaded: the aggregator's requests would be served as anonymous")
	}
	ca.bundle = []byte("-----BEGIN CERTIFICATE-----\n...")
	if err := check.Check(nil); err != nil {
		t.Fatalf("not ready once the CA is loaded: %v", err)
	}
}
