//go:build e2e

package e2e

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
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
	eventually(t, 2*time.Minute, "every child of "+sampleName+" gone", func() (bool, string) {
		out, _ := cfg.KubectlOutput(t.Context(), "", "get",
			"deployments,services,serviceaccounts,secrets,roles,rolebindings,clusterroles,clusterrolebindings,apiservices,poddisruptionbudgets",
			"-A", "-l", label, "-o", "name")
		return out == "", out
	})
	if out := kubectl(t, "api-versions"); containsLine(out, groupVer) {
		t.Errorf("kubectl api-versions still lists %s", groupVer)
	}
	// With no unavailable APIService left, namespace deletion completes (no discovery failure).
	start := time.Now()
	kubectl(t, "delete", "namespace", sampleNS, "--timeout=2m")
	record("namespace deletion after CustomApiServer deletion", time.Since(start))
}
