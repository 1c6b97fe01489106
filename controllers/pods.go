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
	"sort"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
)

// Pods are cached (ours only, by label) so their state changes reach the condition; probe failures live only
// in the kubelet's events, read uncached and only for pods that run but are not ready.
// +kubebuilder:rbac:groups="",resources=pods,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=events,verbs=list

const (
	// maxPodsDescribed bounds the condition message: the first few unready pods say enough.
	maxPodsDescribed = 3
	// maxDetail cuts one kubelet or event message (image pull errors quote whole registry responses).
	maxDetail = 300
)

// podsReport says why the apiserver's pods are not ready, for the DeploymentAvailable reason and message:
// storage the running pods cannot reach (StorageUnavailable), the ReplicaSet's failure to create pods
// (quota, Pod Security admission), then each unready pod's state.
func (r *Reconciler) podsReport(ctx context.Context, cas *aggv1alpha1.CustomApiServer, n names, d *appsv1.Deployment) (reason, detail string) {
	pods := &corev1.PodList{}
	if err := r.Client.List(ctx, pods, client.InNamespace(n.Namespace), client.MatchingLabels(selectorLabels(cas))); err != nil {
		return aggv1alpha1.ReasonDeploymentUnavailable, fmt.Sprintf("; listing pods: %v", err)
	}
	detail = whyUnavailable(d, pods.Items, r.probeFailures(ctx, pods.Items))
	if failed := storageChecks(ctx, pods.Items); len(failed) > 0 {
		return aggv1alpha1.ReasonStorageUnavailable, storageReport(failed) + detail
	}
	return aggv1alpha1.ReasonDeploymentUnavailable, detail
}

// probeFailures maps a pod name to the kubelet's latest probe-failure event of a pod that runs but is not
// ready (the event reason is Unhealthy). Only with an uncached reader: events are not worth a cache.
func (r *Reconciler) probeFailures(ctx context.Context, pods []corev1.Pod) map[string]string {
	out := map[string]string{}
	if r.APIReader == nil {
		return out
	}
	for _, p := range unreadyPods(pods) {
		if !runningUnready(p) {
			continue
		}
		evs := &corev1.EventList{}
		err := r.APIReader.List(ctx, evs, client.InNamespace(p.Namespace),
			client.MatchingFields{"involvedObject.name": p.Name, "involvedObject.kind": "Pod", "reason": "Unhealthy"})
		if err != nil {
			continue // the condition does without; the pods' own state is still reported
		}
		if e := latestEvent(evs.Items); e != nil {
			out[p.Name] = e.Message
		}
	}
	return out
}

// whyUnavailable is the detail appended to "n/m replicas available": the Deployment's ReplicaFailure and up to
// maxPodsDescribed unready pods with their containers' states, restarts and last probe failure.
func whyUnavailable(d *appsv1.Deployment, pods []corev1.Pod, probeFailures map[string]string) string {
	var parts []string
	for _, c := range d.Status.Conditions {
		if c.Type == appsv1.DeploymentReplicaFailure && c.Status == corev1.ConditionTrue {
			parts = append(parts, "pods cannot be created: "+cut(c.Message))
		}
	}
	unready := unreadyPods(pods)
	if len(pods) == 0 && len(parts) == 0 {
		parts = append(parts, "no pods yet")
	}
	for i, p := range unready {
		if i == maxPodsDescribed {
			parts = append(parts, fmt.Sprintf("%d more unready pods", len(unready)-maxPodsDescribed))
			break
		}
		parts = append(parts, describePod(p, probeFailures[p.Name]))
	}
	if len(parts) == 0 {
		return ""
	}
	return "; " + strings.Join(parts, "; ")
}

// unreadyPods are the pods not Ready and not being deleted, by name.
func unreadyPods(pods []corev1.Pod) []corev1.Pod {
	var out []corev1.Pod
	for _, p := range pods {
		if p.DeletionTimestamp == nil && !podReady(p) {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func podReady(p corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// runningUnready: some container runs but is not ready, so its readiness probe is what fails.
func runningUnready(p corev1.Pod) bool {
	for _, s := range p.Status.ContainerStatuses {
		if s.State.Running != nil && !s.Ready {
			return true
		}
	}
	return false
}

// describePod: "pod <name>: <scheduling problem>; container <c>: <state>, N restarts, last exit ..., <probe>".
func describePod(p corev1.Pod, probeFailure string) string {
	var states []string
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse {
			states = append(states, "not scheduled: "+cut(joinNonEmpty(": ", c.Reason, c.Message)))
		}
	}
	statuses := append(append([]corev1.ContainerStatus{}, p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...)
	for _, s := range statuses {
		if s.Ready || (s.State.Terminated != nil && s.State.Terminated.ExitCode == 0) {
			continue // ready, or an init container that finished
		}
		states = append(states, "container "+s.Name+" "+containerState(s, probeFailure))
	}
	if len(states) == 0 {
		states = append(states, "not ready ("+string(p.Status.Phase)+")")
	}
	return "pod " + p.Name + ": " + strings.Join(states, ", ")
}

// containerState: waiting/terminated reason and message, running-but-unready with the last probe failure,
// then restarts and how the last run ended (its termination message holds the last log lines).
func containerState(s corev1.ContainerStatus, probeFailure string) string {
	var b []string
	switch st := s.State; {
	case st.Waiting != nil:
		b = append(b, "waiting: "+cut(joinNonEmpty(": ", st.Waiting.Reason, st.Waiting.Message)))
	case st.Terminated != nil:
		b = append(b, "terminated: "+terminated(st.Terminated))
	case st.Running != nil:
		b = append(b, "running, not ready")
		if probeFailure != "" {
			b = append(b, "last probe failure: "+cut(probeFailure))
		}
	default:
		b = append(b, "not started")
	}
	if s.RestartCount > 0 {
		b = append(b, fmt.Sprintf("%d restarts", s.RestartCount))
	}
	if last := s.LastTerminationState.Terminated; last != nil && s.State.Terminated == nil {
		b = append(b, "last exit: "+terminated(last))
	}
	return strings.Join(b, ", ")
}

func terminated(t *corev1.ContainerStateTerminated) string {
	s := fmt.Sprintf("%s (exit code %d)", t.Reason, t.ExitCode)
	if m := strings.TrimSpace(t.Message); m != "" {
		s += ": " + cutHead(m)
	}
	return s
}

// latestEvent is the event seen last (a repeated probe failure is one event with a count or a series).
func latestEvent(evs []corev1.Event) *corev1.Event {
	var best *corev1.Event
	for i := range evs {
		if best == nil || eventTime(evs[i]).After(eventTime(*best)) {
			best = &evs[i]
		}
	}
	return best
}

// eventTime is when an event was last seen, whichever of the core/v1 and events.k8s.io fields is set.
func eventTime(e corev1.Event) time.Time {
	t := e.LastTimestamp.Time
	if e.Series != nil && e.Series.LastObservedTime.After(t) {
		t = e.Series.LastObservedTime.Time
	}
	if e.EventTime.After(t) {
		t = e.EventTime.Time
	}
	return t
}

// cut keeps one line of at most maxDetail bytes: condition messages are read in `kubectl get -o wide`.
func cut(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > maxDetail {
		return strings.ToValidUTF8(s[:maxDetail], "") + "..."
	}
	return s
}

// cutHead is cut keeping the end: a termination message holds the last log lines, and the last is the fatal one.
func cutHead(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > maxDetail {
		return "..." + strings.ToValidUTF8(s[len(s)-maxDetail:], "")
	}
	return s
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// customApiServerOfPod maps a pod to the CustomApiServer named in its label (pods carry selectorLabels).
func customApiServerOfPod(_ context.Context, o client.Object) []reconcile.Request {
	name := o.GetLabels()[LabelOwner]
	if name == "" {
		return nil
	}
	return []reconcile.Request{{NamespacedName: types.NamespacedName{Name: name}}}
}
