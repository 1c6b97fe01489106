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

package controllers

import (
	"fmt"

	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
)

// CheckAggregationServed fails with a clear message when the cluster does not serve
// apiregistration.k8s.io/v1: without the aggregation layer there is nothing to register APIServices with.
func CheckAggregationServed(cfg *rest.Config) error {
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return fmt.Errorf("creating discovery client: %w", err)
	}
	res, err := dc.ServerResourcesForGroupVersion("apiregistration.k8s.io/v1")
	if err != nil {
		return fmt.Errorf("the cluster does not serve apiregistration.k8s.io/v1 (the API aggregation layer), which this operator needs: %w", err)
	}
	for _, r := range res.APIResources {
		if r.Name == "apiservices" {
			return nil
		}
	}
	return fmt.Errorf("the cluster serves apiregistration.k8s.io/v1 but not its apiservices resource")
}
