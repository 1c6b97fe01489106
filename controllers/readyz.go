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
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// readyzTimeout bounds one /readyz?verbose request: a k8s.io/apiserver server gives its storage check
// about two seconds before reporting it failed, longer than the kubelet's probe waits (which then only
// says "Client.Timeout exceeded").
const readyzTimeout = 5 * time.Second

// storageChecks are the failing /readyz checks of the running-but-unready pods that concern storage (the
// etcd and etcd-readiness checks of any k8s.io/apiserver server), by pod. The kubelet's probe failure
// says only "statuscode: 500" or a timeout; the server's own verbose answer names the check. Asked of at
// most maxPodsDescribed pods, at once; a pod that cannot be asked is left out.
func storageChecks(ctx context.Context, pods []corev1.Pod) map[string][]string {
	out := map[string][]string{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, p := range unreadyPods(pods) {
		if i == maxPodsDescribed {
			break
		}
		addr := podHTTPSAddress(p)
		if addr == "" || !runningUnready(p) {
			continue
		}
		wg.Go(func() {
			body, err := readyzVerbose(ctx, addr)
			if err != nil {
				return
			}
			if failed := storageFailures(body); len(failed) > 0 {
				mu.Lock()
				out[p.Name] = failed
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return out
}

// podHTTPSAddress is host:port of the pod's port named https ("" when it has no IP or no such port).
func podHTTPSAddress(p corev1.Pod) string {
	if p.Status.PodIP == "" {
		return ""
	}
	for _, c := range p.Spec.Containers {
		for _, port := range c.Ports {
			if port.Name == portName {
				return net.JoinHostPort(p.Status.PodIP, strconv.Itoa(int(port.ContainerPort)))
			}
		}
	}
	return ""
}

// readyzVerbose is the body of GET /readyz?verbose, whatever the status code (503 lists the failures).
// Anonymous, as the kubelet's probe: k8s.io/apiserver always allows /readyz.
func readyzVerbose(ctx context.Context, addr string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, readyzTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+addr+"/readyz?verbose", nil)
	if err != nil {
		return "", err
	}
	client := &http.Client{Transport: &http.Transport{
		// Only the server's health is read, which it tells anyone; nothing is sent.
		TLSClientConfig:   &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}, //nolint:gosec // see above
		DisableKeepAlives: true,
	}}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("GET /readyz?verbose of %s: %w", addr, err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<10))
	return string(b), err
}

// storageFailures are the failed checks ("[-]<name> failed: ...") of a verbose /readyz body that concern
// storage, sorted.
func storageFailures(body string) []string {
	var out []string
	for _, l := range strings.Split(body, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(l), "[-]")
		if !ok {
			continue
		}
		name, _, _ := strings.Cut(rest, " ")
		if strings.Contains(name, "etcd") {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// storageReport is the DeploymentAvailable message's account of failing storage checks.
func storageReport(failed map[string][]string) string {
	pods := make([]string, 0, len(failed))
	for p := range failed {
		pods = append(pods, p)
	}
	sort.Strings(pods)
	parts := make([]string, 0, len(pods))
	for _, p := range pods {
		parts = append(parts, fmt.Sprintf("pod %s fails /readyz %s", p, strings.Join(failed[p], ", ")))
	}
	return "; the apiserver cannot reach its storage (" + strings.Join(parts, "; ") + "): check spec.storage and that etcd runs"
}
