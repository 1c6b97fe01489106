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
	"errors"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"example.com/aggregation-operator/internal/poll"
)

var (
	casGVR        = schema.GroupVersionResource{Group: "aggregation.example.com", Version: "v1alpha1", Resource: "customapiservers"}
	apiServiceGVR = schema.GroupVersionResource{Group: "apiregistration.k8s.io", Version: "v1", Resource: "apiservices"}
)

// applyPollInterval is how often the APIService is read while waiting: the measured time is at most
// this much late.
const applyPollInterval = 50 * time.Millisecond

// applyObject is run i's CustomApiServer: embedded storage, one replica, its own group, so no run
// waits for the previous one's namespace to go.
func applyObject(i int) (*unstructured.Unstructured, string) {
	name := fmt.Sprintf("bench-apply-%d", i)
	group := fmt.Sprintf("apply%d.bench.example.com", i)
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": casGVR.GroupVersion().String(), "kind": "CustomApiServer",
		"metadata": map[string]any{"name": name},
		"spec": map[string]any{
			"namespace": name, "replicas": int64(1),
			"storage":     map[string]any{"embedded": map[string]any{}},
			"args":        []any{"--api-group=" + group},
			"apiServices": []any{map[string]any{"group": group, "version": "v1"}},
		},
	}}, "v1." + group
}

// applyToAvailable creates a CustomApiServer runs times, one after the other, and returns how long
// each took from the create to its APIService turning Available; each is deleted (and gone) before
// the next.
func applyToAvailable(ctx context.Context, client dynamic.Interface, runs int) ([]time.Duration, error) {
	var out []time.Duration
	for i := range runs {
		cas, svc := applyObject(i)
		start := time.Now()
		if _, err := client.Resource(casGVR).Create(ctx, cas, metav1.CreateOptions{}); err != nil {
			return out, fmt.Errorf("creating CustomApiServer %s: %w", cas.GetName(), err)
		}
		err := waitAvailable(ctx, client, svc)
		took := time.Since(start)
		if derr := deleteAndWait(ctx, client, cas.GetName()); err == nil {
			err = derr
		}
		if err != nil {
			return out, err
		}
		out = append(out, took)
		fmt.Printf("bench: apply -> Available, run %d: %s\n", i+1, took.Round(time.Millisecond))
	}
	return out, nil
}

func waitAvailable(ctx context.Context, client dynamic.Interface, svc string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	ticker := time.NewTicker(applyPollInterval)
	defer ticker.Stop()
	for {
		got, err := client.Resource(apiServiceGVR).Get(ctx, svc, metav1.GetOptions{})
		if err == nil {
			if available(got) {
				return nil
			}
			err = errors.New("not Available")
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for APIService %s Available: %w (last: %w)", svc, ctx.Err(), err)
		case <-ticker.C:
		}
	}
}

func available(apiService *unstructured.Unstructured) bool {
	conditions, _, _ := unstructured.NestedSlice(apiService.Object, "status", "conditions")
	for _, c := range conditions {
		if m, ok := c.(map[string]any); ok && m["type"] == "Available" && m["status"] == "True" {
			return true
		}
	}
	return false
}

// deleteAndWait deletes the CustomApiServer and waits until it is gone (the operator removes its
// children, namespace included, first).
func deleteAndWait(ctx context.Context, client dynamic.Interface, name string) error {
	if err := client.Resource(casGVR).Delete(ctx, name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("deleting CustomApiServer %s: %w", name, err)
	}
	return poll.Until(ctx, "CustomApiServer "+name+" deleted", 3*time.Minute, func(ctx context.Context) error {
		_, err := client.Resource(casGVR).Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err == nil {
			err = errors.New("still there")
		}
		return err
	})
}

// applyPhase runs applyToAvailable and summarizes it for the report.
func applyPhase(ctx context.Context, client dynamic.Interface, runs int) *ApplyResult {
	lat, err := applyToAvailable(ctx, client, runs)
	r := &ApplyResult{Runs: len(lat)}
	if err != nil {
		r.Error = err.Error()
	}
	if len(lat) == 0 {
		return r
	}
	sum := summarize("apply", lat, 0, time.Second)
	r.P50S, r.P99S = sum.P50Ms/1000, sum.P99Ms/1000
	for _, d := range lat {
		r.Seconds = append(r.Seconds, float64(d.Milliseconds())/1000)
	}
	return r
}
