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
