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
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/server/healthz"
	"sigs.k8s.io/controller-runtime/pkg/client"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/internal/testutil"
)

func TestStorageFailures(t *testing.T) {
	body := "[+]ping ok\n[+]log ok\n[-]etcd failed: reason withheld\n[+]poststarthook/start-apiserver ok\n" +
		"[-]etcd-readiness failed: reason withheld\n[-]front-proxy-ca failed: reason withheld\nreadyz check failed\n"
	if got, want := storageFailures(body), []string{"etcd", "etcd-readiness"}; !reflect.DeepEqual(got, want) {
		t.Errorf("storageFailures = %v, want %v", got, want)
	}
	if got := storageFailures("[+]etcd ok\n[-]front-proxy-ca failed: reason withheld\n"); got != nil {
		t.Errorf("storageFailures without a failing etcd check = %v, want none", got)
	}
}

// A pod that runs but is not ready because its server cannot reach etcd: the condition names storage, from
// the server's own /readyz?verbose (k8s.io/apiserver's handler on a loopback port stands in for the pod,
// which envtest cannot run), and goes back to DeploymentUnavailable once the etcd check passes.
func TestDeploymentConditionNamesUnreachableStorage(t *testing.T) {
	startEnv(t)
	ctx := context.Background()
	var etcdDown atomic.Bool
	etcdDown.Store(true)
	mux := http.NewServeMux()
	healthz.InstallReadyzHandler(mux, healthz.PingHealthz, healthz.NamedCheck("etcd", func(*http.Request) error {
		if etcdDown.Load() {
			return errors.New("dial tcp 10.96.0.20:2379: connect: connection refused")
		}
		return nil
	}))
	srv := httptest.NewTLSServer(mux)
	t.Cleanup(srv.Close)
	_, portStr, _ := net.SplitHostPort(srv.Listener.Addr().String())
	port, _ := strconv.Atoi(portStr)

	cas := newCAS("storage-down", "storagedown.example.com", func(c *aggv1alpha1.CustomApiServer) {
		c.Spec.Replicas = 1
		c.Spec.SecurePort = int32(port)
	})
	createCAS(t, cas)
	pod := createPodOf(t, cas, "st0r4")
	pod.Status = corev1.PodStatus{Phase: corev1.PodRunning, PodIP: "127.0.0.1", PodIPs: []corev1.PodIP{{IP: "127.0.0.1"}},
		ContainerStatuses: []corev1.ContainerStatus{{Name: containerName, Image: testImage,
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.Now()}}}}}
	if err := k8s.Status().Update(ctx, pod); err != nil {
		t.Fatal(err)
	}
	waitReason := func(reason string, want ...string) {
		t.Helper()
		testutil.Eventually(t, 30*time.Second, "DeploymentAvailable and Ready "+reason, func(context.Context) error {
			got := &aggv1alpha1.CustomApiServer{}
			if err := k8s.Get(ctx, client.ObjectKey{Name: cas.Name}, got); err != nil {
				return err
			}
			for _, typ := range []string{aggv1alpha1.ConditionDeploymentAvailable, aggv1alpha1.ConditionReady} {
				c := meta.FindStatusCondition(got.Status.Conditions, typ)
				if c == nil || c.Status != metav1.ConditionFalse || c.Reason != reason {
					return fmt.Errorf("%s = %+v", typ, c)
				}
				for _, w := range want {
					if !strings.Contains(c.Message, w) {
						return fmt.Errorf("%s message lacks %q: %s", typ, w, c.Message)
					}
				}
			}
			return nil
		})
	}
	waitReason(aggv1alpha1.ReasonStorageUnavailable, "pod "+pod.Name+" fails /readyz etcd", "check spec.storage")

	// etcd answers again while the pod is still unready (the kubelet has not probed yet): the reason follows
	// at the next reconcile (the pod's status changing is one).
	etcdDown.Store(false)
	pod.Status.ContainerStatuses[0].RestartCount = 1
	if err := k8s.Status().Update(ctx, pod); err != nil {
		t.Fatal(err)
	}
	waitReason(aggv1alpha1.ReasonDeploymentUnavailable, "container apiserver running, not ready")
}

// createPodOf creates, once the operator made the Deployment of cas, a pod as its ReplicaSet would (envtest
// runs no controllers), named <deployment>-<suffix>, with no status yet.
func createPodOf(t *testing.T, cas *aggv1alpha1.CustomApiServer, suffix string) *corev1.Pod {
	t.Helper()
	n := namesFor(cas)
	d := &appsv1.Deployment{}
	testutil.Eventually(t, 30*time.Second, "the Deployment", func(ctx context.Context) error {
		return k8s.Get(ctx, client.ObjectKey{Namespace: n.Namespace, Name: n.Deployment}, d)
	})
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: n.Namespace, Name: n.Deployment + "-" + suffix, Labels: d.Spec.Template.Labels},
		Spec:       *d.Spec.Template.Spec.DeepCopy(),
	}
	if err := k8s.Create(context.Background(), pod); err != nil {
		t.Fatal(err)
	}
	return pod
}
