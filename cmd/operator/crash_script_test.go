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
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
)

// maxServers bounds how many CustomApiServers the script creates.
const maxServers = 8

// server is what the script last asked of one CustomApiServer.
type server struct {
	name     string
	replicas int32
	groups   []string // one APIService v1.<group> each
	args     []string
	rotated  bool // aggregation.example.com/rotate-ca was set (once)
	// rotatedCA: the CA Secret existed when the rotation was asked. Asked earlier, the first CA, made after
	// the request, answers it.
	rotatedCA bool
	renewals  int // values of aggregation.example.com/renew-serving-cert set
	deleted   bool
}

func (s *server) apiServices() []aggv1alpha1.APIServiceSpec {
	out := make([]aggv1alpha1.APIServiceSpec, 0, len(s.groups))
	for _, g := range s.groups {
		out = append(out, aggv1alpha1.APIServiceSpec{Group: g, Version: "v1"})
	}
	return out
}

// script creates, updates and deletes CustomApiServers with choices drawn from rng, remembering what it
// asked and counting its requests.
type script struct {
	rng          *rand.Rand
	servers      []*server
	steps        int
	sent, failed int
	recent       []string
}

func (s *script) live() []*server {
	var out []*server
	for _, v := range s.servers {
		if !v.deleted {
			out = append(out, v)
		}
	}
	return out
}

func (s *script) names() []string {
	out := make([]string, 0, len(s.servers))
	for _, v := range s.servers {
		out = append(out, v.name)
	}
	return out
}

// lastOps describes the changes made since it was last called.
func (s *script) lastOps() string {
	if len(s.recent) == 0 {
		return "no change"
	}
	out := strings.Join(s.recent, ", ")
	s.recent = nil
	return out
}

// step makes one change: a create while fewer than three run (and now and then up to maxServers), a delete
// every fifth step while more than two run, otherwise an update of a random server.
func (s *script) step(ctx context.Context, t *testing.T, c client.Client) {
	s.steps++
	live := s.live()
	switch {
	case len(s.servers) < maxServers && (len(live) < 3 || s.rng.IntN(4) == 0):
		s.create(ctx, t, c)
	case s.steps%5 == 0 && len(live) > 2:
		v := live[s.rng.IntN(len(live))]
		v.deleted = true
		s.do(t, "delete "+v.name, c.Delete(ctx, &aggv1alpha1.CustomApiServer{ObjectMeta: metav1.ObjectMeta{Name: v.name}}))
	default:
		s.update(ctx, t, c, live[s.rng.IntN(len(live))])
	}
}

func (s *script) create(ctx context.Context, t *testing.T, c client.Client) {
	i := len(s.servers)
	v := &server{name: fmt.Sprintf("crash-%d", i), replicas: int32(1 + s.rng.IntN(2)), groups: []string{fmt.Sprintf("crash%d.example.com", i)}}
	s.servers = append(s.servers, v)
	cas := &aggv1alpha1.CustomApiServer{
		ObjectMeta: metav1.ObjectMeta{Name: v.name},
		Spec: aggv1alpha1.CustomApiServerSpec{
			Replicas:    v.replicas,
			APIServices: v.apiServices(),
			Storage:     &aggv1alpha1.StorageSpec{Etcd: &aggv1alpha1.EtcdStorage{Servers: []string{"http://etcd:2379"}}},
		},
	}
	s.do(t, "create "+v.name, c.Create(ctx, cas))
}

// update changes one thing: replicas (1 <-> 2: the PodDisruptionBudget comes and goes), a second APIService
// added or removed, the args, a forced CA rotation (once per server) or a forced serving renewal.
func (s *script) update(ctx context.Context, t *testing.T, c client.Client, v *server) {
	var what string
	var patch map[string]any
	switch k := s.rng.IntN(5); {
	case k == 0:
		v.replicas = 3 - v.replicas
		what, patch = fmt.Sprintf("replicas=%d", v.replicas), map[string]any{"spec": map[string]any{"replicas": v.replicas}}
	case k == 1:
		if len(v.groups) == 1 {
			v.groups = append(v.groups, "b."+v.groups[0])
		} else {
			v.groups = v.groups[:1]
		}
		what, patch = fmt.Sprintf("%d APIServices", len(v.groups)), map[string]any{"spec": map[string]any{"apiServices": v.apiServices()}}
	case k == 2:
		v.args = []string{fmt.Sprintf("--source=prometheus=http://prometheus-%d:9090", s.steps)}
		what, patch = "args", map[string]any{"spec": map[string]any{"args": v.args}}
	case k == 3 && !v.rotated:
		v.rotated = true
		v.rotatedCA = c.Get(ctx, client.ObjectKey{Namespace: v.name, Name: v.name + "-ca"}, &corev1.Secret{}) == nil
		what, patch = "rotate CA", map[string]any{"metadata": map[string]any{"annotations": map[string]any{aggv1alpha1.AnnotationRotateCA: "crash"}}}
	default:
		v.renewals++
		what, patch = "renew serving cert", map[string]any{"metadata": map[string]any{"annotations": map[string]any{aggv1alpha1.AnnotationRenewServingCert: fmt.Sprint(s.steps)}}}
	}
	b, err := json.Marshal(patch)
	if err != nil {
		t.Fatal(err)
	}
	cas := &aggv1alpha1.CustomApiServer{ObjectMeta: metav1.ObjectMeta{Name: v.name}}
	s.do(t, "update "+v.name+" ("+what+")", c.Patch(ctx, cas, client.RawPatch(types.MergePatchType, b)))
}

func (s *script) do(t *testing.T, what string, err error) {
	s.sent++
	s.recent = append(s.recent, what)
	if err != nil {
		s.failed++
		t.Logf("%s: %v", what, err)
	}
}

func (s *script) deleteAll(ctx context.Context, t *testing.T, c client.Client) {
	for _, v := range s.live() {
		v.deleted = true
		s.do(t, "delete "+v.name, c.Delete(ctx, &aggv1alpha1.CustomApiServer{ObjectMeta: metav1.ObjectMeta{Name: v.name}}))
	}
}
