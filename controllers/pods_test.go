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
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/internal/testutil"
)

func testPod(name string, mutate func(*corev1.Pod)) corev1.Pod {
	p := corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name}, Status: corev1.PodStatus{Phase: corev1.PodPending}}
	if mutate != nil {
		mutate(&p)
	}
	return p
}

func withContainer(s corev1.ContainerStatus) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		s.Name = containerName
		p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, s)
	}
}

func readyPod(p *corev1.Pod) {
	p.Status.Phase = corev1.PodRunning
	p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}
	p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: containerName, Ready: true, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}}
}

// The DeploymentAvailable detail names what a person would otherwise dig out of kubectl describe and logs.
func TestWhyUnavailable(t *testing.T) {
	noDeploy := &appsv1.Deployment{}
	tests := []struct {
		name   string
		d      *appsv1.Deployment
		pods   []corev1.Pod
		probes map[string]string
		want   []string
		not    []string
	}{
		{"no pods yet", noDeploy, nil, nil, []string{"; no pods yet"}, nil},
		{"pods refused by Pod Security admission", &appsv1.Deployment{Status: appsv1.DeploymentStatus{Conditions: []appsv1.DeploymentCondition{{
			Type: appsv1.DeploymentReplicaFailure, Status: corev1.ConditionTrue, Reason: "FailedCreate",
			Message: `pods "a-1" is forbidden: violates PodSecurity "restricted:latest": runAsNonRoot != true`,
		}}}}, nil, nil, []string{`pods cannot be created: pods "a-1" is forbidden: violates PodSecurity "restricted:latest"`}, []string{"no pods yet"}},
		{"image pull error", noDeploy, []corev1.Pod{testPod("a-1", withContainer(corev1.ContainerStatus{State: corev1.ContainerState{
			Waiting: &corev1.ContainerStateWaiting{Reason: "ErrImageNeverPull", Message: `Container image "local.test/nope:v1" is not present with pull policy of Never`},
		}}))}, nil, []string{`pod a-1: container apiserver waiting: ErrImageNeverPull: Container image "local.test/nope:v1" is not present`}, nil},
		{"crash loop with restarts and the last log lines", noDeploy, []corev1.Pod{testPod("a-1", withContainer(corev1.ContainerStatus{
			RestartCount: 5,
			State:        corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff", Message: "back-off 2m40s restarting failed container"}},
			LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
				Reason: "Error", ExitCode: 1, Message: "E0101 unable to load\nconfigmap extension-apiserver-authentication: forbidden\n",
			}},
		}))}, nil, []string{
			"waiting: CrashLoopBackOff: back-off 2m40s", "5 restarts",
			"last exit: Error (exit code 1): E0101 unable to load configmap extension-apiserver-authentication: forbidden",
		}, nil},
		{"running, readiness probe failing", noDeploy, []corev1.Pod{testPod("a-1", func(p *corev1.Pod) {
			p.Status.Phase = corev1.PodRunning
			withContainer(corev1.ContainerStatus{State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}})(p)
		})}, map[string]string{"a-1": "Readiness probe failed: HTTP probe failed with statuscode: 500"},
			[]string{"pod a-1: container apiserver running, not ready, last probe failure: Readiness probe failed: HTTP probe failed with statuscode: 500"}, nil},
		{"unschedulable", noDeploy, []corev1.Pod{testPod("a-1", func(p *corev1.Pod) {
			p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable", Message: "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector."}}
		})}, nil, []string{"pod a-1: not scheduled: Unschedulable: 0/1 nodes are available"}, nil},
		{"init container waiting, finished one skipped", noDeploy, []corev1.Pod{testPod("a-1", func(p *corev1.Pod) {
			p.Status.InitContainerStatuses = []corev1.ContainerStatus{
				{Name: "done", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Completed"}}},
				{Name: "init", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "PodInitializing"}}},
			}
		})}, nil, []string{"container init waiting: PodInitializing"}, []string{"container done"}},
		{"ready pods are not described, the unready are, sorted, at most 3", noDeploy, []corev1.Pod{
			testPod("e", nil), testPod("ok", readyPod), testPod("d", nil), testPod("c", nil), testPod("b", nil),
			testPod("gone", func(p *corev1.Pod) { p.DeletionTimestamp = &metav1.Time{Time: time.Now()} }),
		}, nil, []string{"; pod b: not ready (Pending); pod c: not ready (Pending); pod d: not ready (Pending); 1 more unready pods"}, []string{"pod ok", "pod e", "pod gone"}},
		{"a pod without container statuses", noDeploy, []corev1.Pod{testPod("a-1", nil)}, nil, []string{"pod a-1: not ready (Pending)"}, nil},
		{"a long termination message keeps its last log line", noDeploy, []corev1.Pod{testPod("a-1", withContainer(corev1.ContainerStatus{
			State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Error", ExitCode: 1,
				Message: strings.Repeat("I0101 starting\n", 100) + "F0101 storage: dial tcp: connection refused"}},
		}))}, nil, []string{"terminated: Error (exit code 1): ...", "F0101 storage: dial tcp: connection refused"}, nil},
		{"long messages are cut", noDeploy, []corev1.Pod{testPod("a-1", withContainer(corev1.ContainerStatus{State: corev1.ContainerState{
			Waiting: &corev1.ContainerStateWaiting{Reason: "ErrImagePull", Message: strings.Repeat("x", 5000)},
		}}))}, nil, []string{"ErrImagePull: xxx", "..."}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := whyUnavailable(tc.d, tc.pods, tc.probes)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("lacks %q:\n%s", w, got)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(got, n) {
					t.Errorf("has %q:\n%s", n, got)
				}
			}
			if len(got) > 2000 {
				t.Errorf("%d bytes: the message must stay readable", len(got))
			}
		})
	}
	// The pod list is described with no pod missing when there are few.
	if got := whyUnavailable(noDeploy, []corev1.Pod{testPod("a", nil), testPod("b", nil)}, nil); strings.Count(got, "pod ") != 2 {
		t.Errorf("two unready pods described as %q", got)
	}
}

func TestLatestEvent(t *testing.T) {
	at := func(m int) metav1.Time { return metav1.NewTime(time.Date(2026, 1, 1, 0, m, 0, 0, time.UTC)) }
	evs := []corev1.Event{
		{Message: "old", LastTimestamp: at(1)},
		{Message: "series", LastTimestamp: at(2), Series: &corev1.EventSeries{LastObservedTime: metav1.NewMicroTime(at(9).Time)}},
		{Message: "new", LastTimestamp: at(5)},
		{Message: "eventTime", EventTime: metav1.NewMicroTime(at(7).Time)},
	}
	if e := latestEvent(evs); e == nil || e.Message != "series" {
		t.Errorf("latest = %v, want the series last observed at :09", e)
	}
	if e := latestEvent(nil); e != nil {
		t.Errorf("latest of none = %v", e)
	}
}

// DeploymentAvailable carries the pods' own account of why they are not ready. envtest has no kubelet, so the
// test writes pod statuses and the kubelet's probe-failure event itself.
func TestDeploymentConditionSaysWhyPodsAreNotReady(t *testing.T) {
	startEnv(t)
	ctx := context.Background()
	cas := newCAS("unready", "unready.example.com", func(c *aggv1alpha1.CustomApiServer) {
		c.Spec.Storage = &aggv1alpha1.StorageSpec{Embedded: &aggv1alpha1.EmbeddedStorage{}}
		c.Spec.Replicas = 1
	})
	createCAS(t, cas)
	n := namesFor(cas)
	pod := createPodOf(t, cas, "abc12")
	waitMessage := func(want ...string) {
		t.Helper()
		testutil.Eventually(t, 30*time.Second, "DeploymentAvailable says why", func(context.Context) error {
			got := &aggv1alpha1.CustomApiServer{}
			if err := k8s.Get(ctx, client.ObjectKey{Name: cas.Name}, got); err != nil {
				return err
			}
			c := meta.FindStatusCondition(got.Status.Conditions, aggv1alpha1.ConditionDeploymentAvailable)
			if c == nil || c.Status != metav1.ConditionFalse {
				return fmt.Errorf("DeploymentAvailable = %+v", c)
			}
			for _, w := range want {
				if !strings.Contains(c.Message, w) {
					return fmt.Errorf("DeploymentAvailable message lacks %q: %s", w, c.Message)
				}
			}
			return nil
		})
	}

	pod.Status = corev1.PodStatus{Phase: corev1.PodPending, ContainerStatuses: []corev1.ContainerStatus{{
		Name: containerName, Image: testImage,
		State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{
			Reason: "ErrImageNeverPull", Message: `Container image "` + testImage + `" is not present with pull policy of Never`,
		}},
	}}}
	if err := k8s.Status().Update(ctx, pod); err != nil {
		t.Fatal(err)
	}
	waitMessage("pod "+pod.Name+": container apiserver waiting: ErrImageNeverPull", "is not present with pull policy of Never")

	// Running but failing its readiness probe: the kubelet's Unhealthy event is the only account of why.
	ev := &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Namespace: n.Namespace, Name: pod.Name + ".unhealthy"},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: n.Namespace, Name: pod.Name, UID: pod.UID},
		Reason:         "Unhealthy", Type: corev1.EventTypeWarning, Count: 7,
		Message:       "Readiness probe failed: HTTP probe failed with statuscode: 500",
		LastTimestamp: metav1.Now(), FirstTimestamp: metav1.Now(),
		Source: corev1.EventSource{Component: "kubelet"},
	}
	if err := k8s.Create(ctx, ev); err != nil {
		t.Fatal(err)
	}
	pod.Status = corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{{
		Name: containerName, Image: testImage, RestartCount: 2,
		State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.Now()}},
		LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
			Reason: "Error", ExitCode: 255, Message: "E1125 failed to list *v1.FlowSchema: forbidden",
		}},
	}}}
	if err := k8s.Status().Update(ctx, pod); err != nil {
		t.Fatal(err)
	}
	waitMessage("container apiserver running, not ready", "last probe failure: Readiness probe failed: HTTP probe failed with statuscode: 500",
		"2 restarts", "last exit: Error (exit code 255): E1125 failed to list *v1.FlowSchema: forbidden")
}
