//go:build e2e

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

package e2e

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/aggregation-operator/internal/testutil"
)

func deletion(t *testing.T) {
	// Watch the APIService and the Deployment while the CustomApiServer goes: the Deployment must
	// never be seen gone while the APIService is still there (that is when discovery breaks).
	ctx, cancel := context.WithCancel(t.Context())
	var mu sync.Mutex
	var violation string
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 2000 && ctx.Err() == nil; i++ {
			out, err := cfg.KubectlOutput(ctx, "", "get", "apiservice/"+apiService, "-n", sampleNS,
				"deployment/"+sampleName, "--ignore-not-found", "-o", "name")
			if err != nil {
				continue
			}
			hasAPIService := strings.Contains(out, "apiservice")
			hasDeployment := strings.Contains(out, "deployment")
			if hasAPIService && !hasDeployment {
				mu.Lock()
				violation = "the Deployment was gone while the APIService was still registered"
				mu.Unlock()
			}
			if !hasAPIService && !hasDeployment {
				return
			}
		}
	}()
	kubectl(t, "delete", "customapiserver", sampleName, "--timeout=3m")
	cancel()
	wg.Wait()
	if violation != "" {
		t.Error(violation)
	}
	if out := kubectl(t, "get", "apiservice", apiService, "--ignore-not-found", "-o", "name"); out != "" {
		t.Errorf("APIService %s still exists after the CustomApiServer was deleted", apiService)
	}
	label := "aggregation.example.com/customapiserver=" + sampleName
	testutil.Eventually(t, 2*time.Minute, "every child of "+sampleName+" gone", func(ctx context.Context) error {
		out, _ := cfg.KubectlOutput(ctx, "", "get",
			"deployments,services,serviceaccounts,secrets,roles,rolebindings,clusterroles,clusterrolebindings,apiservices,poddisruptionbudgets",
			"-A", "-l", label, "-o", "name")
		return gone(out)
	})
	if out := kubectl(t, "api-versions"); containsLine(out, groupVer) {
		t.Errorf("kubectl api-versions still lists %s", groupVer)
	}
	// With no unavailable APIService left, namespace deletion completes (no discovery failure).
	start := time.Now()
	failure := watchDiscoveryFailure(t, sampleNS)
	if out, err := cfg.KubectlOutput(t.Context(), "", "delete", "namespace", sampleNS, "--timeout=110s"); err != nil {
		status, _ := cfg.KubectlOutput(t.Context(), "", "get", "namespace", sampleNS, "-o",
			`jsonpath={range .status.conditions[*]}{.type}={.status} {.reason}: {.message}{"\n"}{end}`)
		left, _ := cfg.KubectlOutput(t.Context(), "", "-n", sampleNS, "get", "all", "-o", "wide")
		t.Fatalf("deleting namespace %s: %v %s\nnamespace conditions:\n%s\nleft in it:\n%s", sampleNS, err, out, status, left)
	}
	record("namespace deletion after CustomApiServer deletion", time.Since(start))
	if msg := failure(); msg != "" {
		t.Errorf("namespace %s reported NamespaceDeletionDiscoveryFailure while deleting: %s", sampleNS, msg)
	}
}

// watchDiscoveryFailure polls namespace ns until it is gone and returns a function reporting the
// first NamespaceDeletionDiscoveryFailure seen (the symptom of an unavailable APIService left behind).
func watchDiscoveryFailure(t *testing.T, ns string) func() string {
	var mu sync.Mutex
	var seen string
	done := make(chan struct{})
	go func() {
		defer close(done)
		deadline := time.Now().Add(3 * time.Minute)
		for time.Now().Before(deadline) {
			out, err := cfg.KubectlOutput(t.Context(), "", "get", "namespace", ns, "--ignore-not-found", "-o",
				`jsonpath={.metadata.name} {.status.conditions[?(@.type=="NamespaceDeletionDiscoveryFailure")].status} {.status.conditions[?(@.type=="NamespaceDeletionDiscoveryFailure")].message}`)
			if err != nil || strings.TrimSpace(out) == "" {
				return
			}
			if f := strings.Fields(out); len(f) > 1 && f[1] == "True" {
				mu.Lock()
				if seen == "" {
					seen = out
				}
				mu.Unlock()
			}
			time.Sleep(200 * time.Millisecond)
		}
	}()
	return func() string {
		<-done
		mu.Lock()
		defer mu.Unlock()
		return seen
	}
}
