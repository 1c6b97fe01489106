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

package chart

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"example.com/aggregation-operator/internal/version"
)

var (
	everyValue = filepath.Join("testdata", "every-value.yaml")
	offValues  = filepath.Join("testdata", "off-values.yaml")
)

func TestChartLints(t *testing.T) {
	helm := tool(t, "HELM", "helm-*")
	for _, args := range [][]string{nil, {"-f", everyValue}, {"-f", offValues}} {
		out, err := run(t, helm, append([]string{"lint", "--strict", chartDir}, args...)...)
		if err != nil {
			t.Errorf("helm lint %v: %v\n%s", args, err, out)
		}
	}
}

func TestChartDefaults(t *testing.T) {
	objs := mustHelmTemplate(t)
	want := []string{
		"ServiceAccount/aggregation-operator-system/aggregation-operator-controller-manager",
		"ClusterRole//aggregation-operator-manager-role",
		"ClusterRole//aggregation-operator-grantable-rules",
		"ClusterRole//aggregation-operator-metrics-auth-role",
		"ClusterRole//aggregation-operator-metrics-reader",
		"ClusterRoleBinding//aggregation-operator-manager-rolebinding",
		"ClusterRoleBinding//aggregation-operator-grantable-rules-rolebinding",
		"ClusterRoleBinding//aggregation-operator-metrics-auth-rolebinding",
		"Role/aggregation-operator-system/aggregation-operator-leader-election-role",
		"RoleBinding/aggregation-operator-system/aggregation-operator-leader-election-rolebinding",
		"Service/aggregation-operator-system/aggregation-operator-metrics-service",
		"Deployment/aggregation-operator-system/aggregation-operator-controller-manager",
	}
	if got := names(objs); !slices.Equal(got, want) {
		t.Errorf("rendered objects:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var chart struct{ AppVersion string }
	readYAML(t, filepath.Join(chartDir, "Chart.yaml"), &chart)
	if chart.AppVersion != version.Version {
		t.Errorf("Chart.yaml appVersion %s, want the release's version %s (internal/version, the Makefile's VERSION)", chart.AppVersion, version.Version)
	}
	var d appsv1.Deployment
	typed(t, find(t, objs, "Deployment", "aggregation-operator-controller-manager"), &d)
	c := d.Spec.Template.Spec.Containers[0]
	if !slices.Contains(c.Args, "--etcd-image="+version.EtcdImage()) {
		t.Errorf("args %v: want --etcd-image=%s", c.Args, version.EtcdImage())
	}
	if c.Image != version.OperatorImage() || !slices.Contains(c.Args, "--apiserver-image="+version.APIServerImage()) {
		t.Errorf("image %s, args %v: want %s and --apiserver-image=%s (both tags default to appVersion)", c.Image, c.Args, version.OperatorImage(), version.APIServerImage())
	}
}

// every-value.yaml sets every value; each must show in what is rendered.
func TestChartEveryValue(t *testing.T) {
	checkCoversValues(t)
	objs := mustHelmTemplate(t, "-f", everyValue)
	var d appsv1.Deployment
	typed(t, find(t, objs, "Deployment", "aggop-controller-manager"), &d)
	pod := d.Spec.Template.Spec
	c := pod.Containers[0]
	wantArgs := []string{"--leader-elect", "--health-probe-bind-address=:8081", "--metrics-bind-address=:9090",
		"--apiserver-image=registry.example.com/team/metricsnapshot-apiserver:v9.9.8", "--etcd-image=registry.example.com/team/etcd:v9.9.7", "--zap-log-level=debug"}
	checks := []struct {
		what      string
		got, want any
	}{
		{"replicas", *d.Spec.Replicas, int32(3)},
		{"image", c.Image, "registry.example.com/team/aggregation-operator:v9.9.9"},
		{"pullPolicy", c.ImagePullPolicy, corev1.PullAlways},
		{"pullSecrets", pod.ImagePullSecrets, []corev1.LocalObjectReference{{Name: "registry-credentials"}}},
		{"args", c.Args, wantArgs},
		{"metrics port", c.Ports[0], corev1.ContainerPort{Name: "metrics", ContainerPort: 9090}},
		{"resources", c.Resources.Limits.Memory().String() + " " + c.Resources.Limits.Cpu().String() + " " + c.Resources.Requests.Cpu().String(), "512Mi 1 50m"},
		{"nodeSelector", pod.NodeSelector, map[string]string{"kubernetes.io/os": "linux"}},
		{"tolerations", pod.Tolerations, []corev1.Toleration{{Key: "dedicated", Operator: "Equal", Value: "operators", Effect: "NoSchedule"}}},
		{"affinity", pod.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms[0].MatchExpressions[0].Values, []string{"amd64", "arm64"}},
		{"priorityClassName", pod.PriorityClassName, "system-cluster-critical"},
		{"podSecurityContext.fsGroup", *pod.SecurityContext.FSGroup, int64(65532)},
		{"securityContext.runAsGroup", *c.SecurityContext.RunAsGroup, int64(65532)},
		{"podAnnotations", d.Spec.Template.Annotations["example.com/team"], "platform"},
		{"podLabels", d.Spec.Template.Labels["example.com/tier"], "control"},
		{"serviceAccountName", pod.ServiceAccountName, "operator"},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: rendered %v, want %v", c.what, c.got, c.want)
		}
	}
	sa := find(t, objs, "ServiceAccount", "operator")
	if sa.GetAnnotations()["example.com/role"] != "aggregation" {
		t.Errorf("ServiceAccount annotations %v", sa.GetAnnotations())
	}
	var binding rbacv1.ClusterRoleBinding
	typed(t, find(t, objs, "ClusterRoleBinding", "aggop-manager-rolebinding"), &binding)
	if s := binding.Subjects; len(s) != 1 || s[0].Name != "operator" || s[0].Namespace != namespace || binding.RoleRef.Name != "aggop-manager-role" {
		t.Errorf("ClusterRoleBinding binds %v to %v, want ServiceAccount %s/operator to aggop-manager-role", binding.RoleRef, s, namespace)
	}
	var svc corev1.Service
	typed(t, find(t, objs, "Service", "aggop-metrics-service"), &svc)
	if p := svc.Spec.Ports[0]; p.Port != 9090 || p.TargetPort.StrVal != "metrics" {
		t.Errorf("metrics Service port %+v, want 9090 -> metrics", p)
	}
	var sm struct {
		Spec struct {
			Endpoints []struct {
				Interval  string         `json:"interval"`
				TLSConfig map[string]any `json:"tlsConfig"`
			} `json:"endpoints"`
		} `json:"spec"`
	}
	monitor := find(t, objs, "ServiceMonitor", "aggop-metrics-monitor")
	typed(t, monitor, &sm)
	if e := sm.Spec.Endpoints; len(e) != 1 || e[0].Interval != "15s" || e[0].TLSConfig["serverName"] != "aggop-metrics-service.aggregation-operator-system.svc" || e[0].TLSConfig["insecureSkipVerify"] != nil {
		t.Errorf("ServiceMonitor endpoints %+v: want interval 15s and every-value.yaml's tlsConfig", e)
	}
	if monitor.GetLabels()["release"] != "kube-prometheus-stack" {
		t.Errorf("ServiceMonitor labels %v", monitor.GetLabels())
	}
	rule := find(t, objs, "PrometheusRule", "aggop-alerts")
	if l := rule.GetLabels(); l["role"] != "alert-rules" {
		t.Errorf("PrometheusRule labels %v", l)
	}
	cas := find(t, objs, "CustomApiServer", "widgets")
	if cas.GetAnnotations()["helm.sh/resource-policy"] != "keep" {
		t.Errorf("sample CustomApiServer annotations %v: want helm.sh/resource-policy keep", cas.GetAnnotations())
	}
	if args, _, _ := unstructured.NestedStringSlice(cas.Object, "spec", "args"); !slices.Equal(args, []string{"--api-group=widgets.example.com"}) {
		t.Errorf("sample spec.args %v", args)
	}
}

// off-values.yaml turns leader election, metrics and the ServiceAccount off.
func TestChartOffValues(t *testing.T) {
	objs := mustHelmTemplate(t, "-f", offValues)
	for _, o := range objs {
		switch o.GetKind() {
		case "Role", "RoleBinding", "Service", "ServiceAccount", "ServiceMonitor", "PrometheusRule":
			t.Errorf("%s %s rendered with it switched off", o.GetKind(), o.GetName())
		}
	}
	var d appsv1.Deployment
	typed(t, find(t, objs, "Deployment", "aggregation-operator-controller-manager"), &d)
	c := d.Spec.Template.Spec.Containers[0]
	if slices.Contains(c.Args, "--leader-elect") || !slices.Contains(c.Args, "--metrics-bind-address=0") {
		t.Errorf("args %v: want no --leader-elect and --metrics-bind-address=0", c.Args)
	}
	if len(c.Ports) != 1 || c.Ports[0].Name != "probes" {
		t.Errorf("ports %v: want only probes", c.Ports)
	}
	if got := d.Spec.Template.Spec.ServiceAccountName; got != "existing-operator-account" {
		t.Errorf("serviceAccountName %s, want the existing one", got)
	}
}

// A wrong value fails rendering (and so `helm install` and `helm upgrade`) with a message naming it.
func TestChartRefusesWrongValues(t *testing.T) {
	for _, tc := range []struct{ set, names string }{
		{"replicas=0", "'/replicas': minimum: got 0, want 1"},
		{"image.pullPolicy=Sometimes", "'/image/pullPolicy': value must be one of 'Always', 'IfNotPresent', 'Never'"},
		{"logLevel=verbose", "'/logLevel'"},
		{"resources.limits.memory=lots", "'/resources/limits/memory'"},
		{"metrics.port=80", "'/metrics/port': minimum: got 80"},
		{"metrics.serviceMonitor.interval=30 seconds", "'/metrics/serviceMonitor/interval'"},
		{"imagee.tag=v1", "additional properties 'imagee' not allowed"},
		{"sample.name=Not_A_Name", "'/sample/name'"},
		{"replicas=2,leaderElection.enabled=false", "'/leaderElection/enabled': value must be true"},
	} {
		_, err := helmTemplate(t, "--set", tc.set)
		if err == nil || !strings.Contains(err.Error(), tc.names) {
			t.Errorf("--set %s: error %v\nwant it to say %s", tc.set, err, tc.names)
		}
	}
}

// checkCoversValues fails when a value of values.yaml keeps its default in both test files.
func checkCoversValues(t *testing.T) {
	t.Helper()
	var defaults, every, off map[string]any
	readYAML(t, filepath.Join(chartDir, "values.yaml"), &defaults)
	readYAML(t, everyValue, &every)
	readYAML(t, offValues, &off)
	for path, def := range leaves("", defaults) {
		e, o := lookup(every, path), lookup(off, path)
		if cmp.Equal(e, def) && (o == nil || cmp.Equal(o, def)) {
			t.Errorf("value %s is not exercised: set it in %s or %s", path, everyValue, offValues)
		}
	}
}

// leaves maps the dotted path of every value of v to it, stopping at objects given as a whole
// (empty in values.yaml, or below the keys whose schema has no properties).
func leaves(prefix string, v map[string]any) map[string]any {
	out := map[string]any{}
	for k, x := range v {
		if m, ok := x.(map[string]any); ok && len(m) > 0 && !wholeObject[prefix+k] {
			for p, y := range leaves(prefix+k+".", m) {
				out[p] = y
			}
			continue
		}
		out[prefix+k] = x
	}
	return out
}

// Values that are Kubernetes objects passed through as they are.
var wholeObject = map[string]bool{"resources": true, "podSecurityContext": true, "securityContext": true, "sample.spec": true,
	"metrics.serviceMonitor.tlsConfig": true}

func lookup(v map[string]any, path string) any {
	var cur any = v
	for _, k := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[k]
	}
	return cur
}

func readYAML(t *testing.T, path string, out any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, out); err != nil {
		t.Fatalf("decoding %s: %v", path, err)
	}
}
