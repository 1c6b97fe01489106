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
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"example.com/aggregation-operator/internal/poll"
)

// padAnnotation fills every object to the same encoded size, whatever its schema.
const padAnnotation = "bench.example.com/pad"

// objectKind is what a path's objects are: every one is the same spec, named prefix-<i>.
type objectKind struct {
	APIVersion, Kind, Prefix string
	Spec                     map[string]any
}

// object is the i-th object, with pad bytes in its pad annotation.
func (k objectKind) object(i, pad int) *unstructured.Unstructured {
	o := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": k.APIVersion,
		"kind":       k.Kind,
		"metadata":   map[string]any{"name": fmt.Sprintf("%s-%05d", k.Prefix, i), "namespace": objectsNS},
		"spec":       k.Spec,
	}}
	setAnnotation(o, padAnnotation, strings.Repeat("x", pad))
	return o
}

// calibrate finds the padding that makes an object of kind size bytes of JSON as the server returns
// it once settled (server-side metadata, managed fields, and for MetricSnapshot the status the collector
// writes), so every path moves objects of the same size. settled tells when a read object is final;
// nil: when its resourceVersion holds for a second.
func calibrate(ctx context.Context, res dynamic.ResourceInterface, k objectKind, size int, settled func(*unstructured.Unstructured) bool) (int, error) {
	probe := k.object(99999, 0)
	if _, err := res.Create(ctx, probe, metav1.CreateOptions{}); err != nil {
		return 0, fmt.Errorf("creating a probe object: %w", err)
	}
	defer func() { _ = res.Delete(context.Background(), probe.GetName(), metav1.DeleteOptions{}) }()
	var got *unstructured.Unstructured
	last := ""
	err := poll.Until(ctx, "the probe object settled", time.Minute, func(ctx context.Context) error {
		o, err := res.Get(ctx, probe.GetName(), metav1.GetOptions{})
		if err != nil {
			return err
		}
		got = o
		if settled != nil && settled(o) || settled == nil && o.GetResourceVersion() == last {
			return nil
		}
		last = o.GetResourceVersion()
		return errors.New("still changing")
	})
	if err != nil {
		return 0, err
	}
	natural := encodedSize(got)
	if natural > size {
		return 0, fmt.Errorf("an object is %d bytes as read without padding, more than -size %d", natural, size)
	}
	return size - natural, nil
}

// collected is settled for a MetricSnapshot whose server collects: its first collection is in status.
func collected(o *unstructured.Unstructured) bool {
	_, ok, _ := unstructured.NestedString(o.Object, "status", "lastAttemptTime")
	return ok
}

func encodedSize(o *unstructured.Unstructured) int {
	b, _ := json.Marshal(o.Object)
	return len(b)
}

// metricSnapshotSpec is collected once a day, so the collector writes status once per object.
var metricSnapshotSpec = map[string]any{"source": "prometheus", "metrics": []any{"up"}, "interval": "24h"}

// metricSnapshotSpecV2 is the same spec in v2, where a metric is named.
var metricSnapshotSpecV2 = map[string]any{"source": "prometheus", "metrics": []any{map[string]any{"name": "up", "query": "up"}}, "interval": "24h"}

// metricSnapshots is the MetricSnapshot resource and objects in the version the benchmark's clients use:
// v1 (the schema of the CRD it compares with) or v2 (the storage version, the one the collector writes).
func metricSnapshots(version string) (schema.GroupVersionResource, objectKind, error) {
	gvr := schema.GroupVersionResource{Group: metricsGroup, Version: version, Resource: "metricsnapshots"}
	switch version {
	case "v1":
		return gvr, objectKind{metricsGroup + "/v1", "MetricSnapshot", "ms", metricSnapshotSpec}, nil
	case "v2":
		return gvr, objectKind{metricsGroup + "/v2", "MetricSnapshot", "ms", metricSnapshotSpecV2}, nil
	}
	return gvr, objectKind{}, fmt.Errorf("-metricsnapshot-version %q: want v1 or v2", version)
}

// crdManifest serves the MetricSnapshot schema (apiserver/apis/metrics/v1) as a CRD, status subresource
// included, so kube-apiserver does the same work per object as for its own structural types.
const crdManifest = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: metricsnapshots.` + crdGroup + `}
spec:
  group: ` + crdGroup + `
  scope: Namespaced
  names: {plural: metricsnapshots, singular: metricsnapshot, kind: MetricSnapshot, listKind: MetricSnapshotList}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [source, metrics]
            properties:
              source: {type: string, maxLength: 63}
              metrics: {type: array, maxItems: 100, items: {type: string, maxLength: 1024}, x-kubernetes-list-type: atomic}
              interval: {type: string, maxLength: 32}
          status:
            type: object
            properties:
              observedGeneration: {type: integer, format: int64}
              lastCollectionTime: {type: string, format: date-time}
              lastAttemptTime: {type: string, format: date-time}
              data: {type: object, additionalProperties: {type: number}}
              errors: {type: object, additionalProperties: {type: string}}
              conditions:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [type]
                items:
                  type: object
                  required: [type, status, lastTransitionTime, reason, message]
                  properties:
                    type: {type: string}
                    status: {type: string}
                    observedGeneration: {type: integer, format: int64}
                    lastTransitionTime: {type: string, format: date-time}
                    reason: {type: string}
                    message: {type: string}
`
