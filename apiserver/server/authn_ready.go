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
	"errors"
	"net/http"

	"k8s.io/apiserver/pkg/server/dynamiccertificates"
	"k8s.io/apiserver/pkg/server/healthz"
)

// frontProxyCAReady keeps the server not ready until it trusts the aggregator's client certificate.
// k8s.io/apiserver primes the front-proxy (requestheader) CA of kube-system/extension-apiserver-authentication
// from an informer that has not synced when serving starts, so for a moment after start every request the
// aggregator proxies is served as system:anonymous and refused with 403 (seen as a 403 FailedDiscoveryCheck and
// as users' requests forbidden during rollouts). Not ready keeps the pod out of the Service until then.
func frontProxyCAReady(ca dynamiccertificates.CAContentProvider) healthz.HealthChecker {
	return healthz.NamedCheck("front-proxy-ca", func(*http.Request) error {
		if len(ca.CurrentCABundleContent()) == 0 {
			return errors.New("front-proxy client CA not loaded yet from kube-system/extension-apiserver-authentication " +
				"(requestheader-client-ca-file); requests from the aggregator would be served as anonymous")
		}
		return nil
	})
}
