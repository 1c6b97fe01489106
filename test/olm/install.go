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

package olm

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/operator-framework/api/crds"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Install applies OLM's CRDs (operator-framework/api's, as OLM's release ships them) and its install,
// and waits until the olm and catalog operators are available.
func (b Bed) Install(ctx context.Context) error {
	var names []string
	for _, asset := range crds.AssetNames() {
		if !strings.HasSuffix(asset, ".yaml") {
			continue
		}
		data, err := crds.Asset(asset)
		if err != nil {
			return fmt.Errorf("reading OLM CRD %s: %w", asset, err)
		}
		// Server-side: the CSV CRD is too large for client-side apply's last-applied annotation.
		if _, err := b.kubectl(ctx, string(data), "apply", "--server-side", "-f", "-"); err != nil {
			return fmt.Errorf("applying OLM CRD %s: %w", asset, err)
		}
		names = append(names, "crd/"+strings.TrimPrefix(strings.TrimSuffix(asset, ".yaml"), "operators.coreos.com_")+".operators.coreos.com")
	}
	if _, err := b.kubectl(ctx, "", append([]string{"wait", "--for=condition=Established", "--timeout=60s"}, names...)...); err != nil {
		return fmt.Errorf("waiting for OLM's CRDs: %w", err)
	}
	if _, err := b.kubectl(ctx, b.manifests(), "apply", "--server-side", "-f", "-"); err != nil {
		return fmt.Errorf("applying OLM: %w", err)
	}
	for _, d := range []string{"olm-operator", "catalog-operator"} {
		if _, err := b.kubectl(ctx, "", "-n", Namespace, "rollout", "status", "deployment/"+d, "--timeout=100s"); err != nil {
			return fmt.Errorf("waiting for OLM's %s: %w", d, err)
		}
	}
	return nil
}

// Uninstall removes OLM as its docs say (operators' resources first, while OLM still runs to clean up
// after them, then OLM itself and its CRDs), then whatever OLM made that outlives it: the cluster-scoped
// objects labelled olm.owner / olm.managed and the OperatorGroup labels on namespaces. It returns what it
// had to sweep, so a caller can tell OLM's own cleanup from this one's.
func (b Bed) Uninstall(ctx context.Context) ([]string, error) {
	var errs []string
	keep := func(what string, err error) {
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", what, err))
		}
	}
	const olmKinds = "subscriptions.operators.coreos.com,clusterserviceversions.operators.coreos.com,installplans.operators.coreos.com,catalogsources.operators.coreos.com,operatorgroups.operators.coreos.com"
	if _, err := b.kubectl(ctx, "", "get", "crd", "operatorgroups.operators.coreos.com"); err == nil {
		_, err := b.kubectl(ctx, "", "delete", olmKinds, "--all", "--all-namespaces", "--ignore-not-found", "--timeout=100s")
		keep("deleting OLM's objects", err)
	}
	_, err := b.kubectl(ctx, b.manifests(), "delete", "--ignore-not-found", "--timeout=100s", "-f", "-")
	keep("deleting OLM", err)
	for _, asset := range crds.AssetNames() {
		if data, err := crds.Asset(asset); err == nil && strings.HasSuffix(asset, ".yaml") {
			_, err := b.kubectl(ctx, string(data), "delete", "--ignore-not-found", "--timeout=100s", "-f", "-")
			keep("deleting OLM CRD "+asset, err)
		}
	}
	swept, err := b.sweep(ctx)
	keep("sweeping what OLM left", err)
	if len(errs) > 0 {
		return swept, fmt.Errorf("uninstalling OLM: %s", strings.Join(errs, "; "))
	}
	return swept, nil
}

// sweep deletes the cluster-scoped objects OLM labels as its own and the OperatorGroup labels it puts on
// namespaces, and returns their names.
func (b Bed) sweep(ctx context.Context) ([]string, error) {
	var swept []string
	for _, sel := range []string{"olm.owner", "olm.managed=true"} {
		out, err := b.kubectl(ctx, "", "get", "clusterroles,clusterrolebindings", "-l", sel, "-o", "name")
		if err != nil {
			return swept, err
		}
		for _, o := range strings.Fields(out) {
			if _, err := b.kubectl(ctx, "", "delete", o, "--ignore-not-found"); err != nil {
				return swept, err
			}
			swept = append(swept, o)
		}
	}
	out, err := b.kubectl(ctx, "", "get", "namespaces", "-o", "json")
	if err != nil {
		return swept, err
	}
	var list struct {
		Items []metav1.PartialObjectMetadata `json:"items"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		return swept, fmt.Errorf("decoding namespaces: %w", err)
	}
	for _, ns := range list.Items {
		for key := range ns.Labels {
			if strings.HasPrefix(key, "olm.operatorgroup.uid/") {
				if _, err := b.kubectl(ctx, "", "label", "namespace", ns.Name, key+"-"); err != nil {
					return swept, err
				}
				swept = append(swept, "namespace/"+ns.Name+" label "+key)
			}
		}
	}
	sort.Strings(swept)
	return swept, nil
}

// kubectl runs the real kubectl as the cluster admin (each call is bounded at 2 minutes; waits inside
// stay below that).
func (b Bed) kubectl(ctx context.Context, stdin string, args ...string) (string, error) {
	return b.Cluster.KubectlOutput(ctx, stdin, args...)
}
