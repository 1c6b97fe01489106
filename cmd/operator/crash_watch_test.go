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
	"crypto/x509"
	"fmt"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"example.com/aggregation-operator/controllers"
	"example.com/aggregation-operator/controllers/certs"
)

// certHistory counts, per CustomApiServer, the distinct CA and serving certificates its Secrets ever held.
type certHistory struct {
	ca, serving map[string]int
}

// certWatch records every version of the operator's Secrets, from a watch that starts before the operator
// does, so a CA that was replaced and replaced back would still count twice.
type certWatch struct {
	mu   sync.Mutex
	seen map[string]map[string]bool // Secret name -> certificates (PEM) it held
}

func watchCertificates(ctx context.Context, t *testing.T, cfg *rest.Config) *certWatch {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	w := &certWatch{seen: map[string]map[string]bool{}}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		opts := metav1.ListOptions{LabelSelector: controllers.LabelOwner}
		for ctx.Err() == nil {
			list, err := cs.CoreV1().Secrets("").List(ctx, opts)
			if err != nil {
				select { // the API server is busy or going away: try again shortly, until ctx ends
				case <-ctx.Done():
				case <-time.After(100 * time.Millisecond):
				}
				continue
			}
			for i := range list.Items {
				w.record(&list.Items[i])
			}
			watch, err := cs.CoreV1().Secrets("").Watch(ctx, metav1.ListOptions{LabelSelector: opts.LabelSelector, ResourceVersion: list.ResourceVersion})
			if err != nil {
				continue
			}
			for ev := range watch.ResultChan() {
				if s, ok := ev.Object.(*corev1.Secret); ok {
					w.record(s)
				}
			}
			watch.Stop()
		}
	}()
	return w
}

func (w *certWatch) record(s *corev1.Secret) {
	crt := string(s.Data[corev1.TLSCertKey])
	if crt == "" {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.seen[s.Name] == nil {
		w.seen[s.Name] = map[string]bool{}
	}
	w.seen[s.Name][crt] = true
}

// snapshot counts what was seen for each server: Secrets <name>-ca and <name>-serving-cert.
func (w *certWatch) snapshot(names []string) certHistory {
	w.mu.Lock()
	defer w.mu.Unlock()
	h := certHistory{ca: map[string]int{}, serving: map[string]int{}}
	for _, n := range names {
		h.ca[n] = len(w.seen[n+"-ca"])
		h.serving[n] = len(w.seen[n+"-serving-cert"])
	}
	return h
}

// secretCert is the certificate of the TLS Secret ns/name.
func secretCert(ctx context.Context, c client.Client, ns, name string) (*x509.Certificate, error) {
	s := &corev1.Secret{}
	if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, s); err != nil {
		return nil, err
	}
	crts, err := certs.ParseCerts(s.Data[corev1.TLSCertKey])
	if err != nil || len(crts) == 0 {
		return nil, fmt.Errorf("Secret %s/%s holds no certificate (%v)", ns, name, err)
	}
	return crts[0], nil
}
