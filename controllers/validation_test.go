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
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
)

// Every invalid CustomApiServer is rejected by the real API server (CRD schema + CEL) with a message that
// names the field, and nothing is stored.
func TestInvalidCustomApiServersAreRejected(t *testing.T) {
	startEnv(t)
	ctx := context.Background()
	dur := func(s string) *metav1.Duration {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatal(err)
		}
		return &metav1.Duration{Duration: d}
	}
	api := func(c *aggv1alpha1.CustomApiServer) *aggv1alpha1.APIServiceSpec { return &c.Spec.APIServices[0] }
	// rule sets spec.rbac.rules to a valid rule followed by r, so errors must name rules[1].
	rule := func(r aggv1alpha1.PolicyRule) func(*aggv1alpha1.CustomApiServer) {
		return func(c *aggv1alpha1.CustomApiServer) {
			ok := aggv1alpha1.PolicyRule{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get"}}
			c.Spec.RBAC = &aggv1alpha1.RBACSpec{Rules: []aggv1alpha1.PolicyRule{ok, r}}
		}
	}
	core := []string{""}
	many := func(n int, s string) []string { return slices.Repeat([]string{s}, n) }
	tests := []struct {
		name   string
		mutate func(*aggv1alpha1.CustomApiServer)
		want   []string // substrings of the error: the field path and what is allowed
	}{
		{"group without a dot", func(c *aggv1alpha1.CustomApiServer) { api(c).Group = "metrics" },
			[]string{"spec.apiServices[0].group", "should match"}},
		{"group with capitals", func(c *aggv1alpha1.CustomApiServer) { api(c).Group = "Metrics.Example.com" },
			[]string{"spec.apiServices[0].group"}},
		{"built-in group *.k8s.io", func(c *aggv1alpha1.CustomApiServer) { api(c).Group = "apps.k8s.io" },
			[]string{"spec.apiServices[0].group", "built-in Kubernetes group"}},
		{"built-in group *.kubernetes.io", func(c *aggv1alpha1.CustomApiServer) { api(c).Group = "foo.kubernetes.io" },
			[]string{"spec.apiServices[0].group", "built-in Kubernetes group"}},
		{"version without v", func(c *aggv1alpha1.CustomApiServer) { api(c).Version = "1" },
			[]string{"spec.apiServices[0].version", "should match"}},
		{"version v0", func(c *aggv1alpha1.CustomApiServer) { api(c).Version = "v0" },
			[]string{"spec.apiServices[0].version"}},
		{"version beta without number", func(c *aggv1alpha1.CustomApiServer) { api(c).Version = "v1beta" },
			[]string{"spec.apiServices[0].version"}},
		{"no apiServices", func(c *aggv1alpha1.CustomApiServer) { c.Spec.APIServices = nil },
			[]string{"spec.apiServices", "Required"}},
		{"empty apiServices", func(c *aggv1alpha1.CustomApiServer) { c.Spec.APIServices = []aggv1alpha1.APIServiceSpec{} },
			[]string{"spec.apiServices", "at least 1"}},
		{"duplicate group/version", func(c *aggv1alpha1.CustomApiServer) {
			c.Spec.APIServices = append(c.Spec.APIServices, c.Spec.APIServices[0])
		}, []string{"spec.apiServices[1]", "Duplicate value"}},
		{"negative groupPriorityMinimum", func(c *aggv1alpha1.CustomApiServer) { api(c).GroupPriorityMinimum = -1 },
			[]string{"spec.apiServices[0].groupPriorityMinimum", "greater than or equal to 1"}},
		{"versionPriority too high", func(c *aggv1alpha1.CustomApiServer) { api(c).VersionPriority = 5000 },
			[]string{"spec.apiServices[0].versionPriority", "less than or equal to 1000"}},
		{"both etcd and embedded", func(c *aggv1alpha1.CustomApiServer) {
			c.Spec.Replicas = 1
			c.Spec.Storage.Embedded = &aggv1alpha1.EmbeddedStorage{}
		}, []string{"spec.storage", "exactly one of storage.etcd, storage.embedded, storage.managed or storage.postgres"}},
		{"both etcd and postgres", func(c *aggv1alpha1.CustomApiServer) {
			c.Spec.Storage.Postgres = &aggv1alpha1.PostgresStorage{DSNSecretRef: aggv1alpha1.PostgresDSNSecretRef{Name: "db", Key: "dsn"}}
		}, []string{"spec.storage", "exactly one of storage.etcd, storage.embedded, storage.managed or storage.postgres"}},
		{"no storage backend set", func(c *aggv1alpha1.CustomApiServer) { c.Spec.Storage = &aggv1alpha1.StorageSpec{} },
			[]string{"spec.storage", "exactly one of storage.etcd, storage.embedded, storage.managed or storage.postgres", "omit storage entirely"}},
		{"postgres DSN key with a slash", func(c *aggv1alpha1.CustomApiServer) {
			c.Spec.Storage = &aggv1alpha1.StorageSpec{Postgres: &aggv1alpha1.PostgresStorage{DSNSecretRef: aggv1alpha1.PostgresDSNSecretRef{Name: "db", Key: "../dsn"}}}
		}, []string{"spec.storage.postgres.dsnSecretRef.key", "should match"}},
		{"both etcd and managed", func(c *aggv1alpha1.CustomApiServer) { c.Spec.Storage.Managed = &aggv1alpha1.ManagedEtcdStorage{} },
			[]string{"spec.storage", "exactly one of storage.etcd, storage.embedded, storage.managed or storage.postgres"}},
		{"managed with 2 members", func(c *aggv1alpha1.CustomApiServer) {
			c.Spec.Storage = &aggv1alpha1.StorageSpec{Managed: &aggv1alpha1.ManagedEtcdStorage{Replicas: 2}}
		}, []string{"spec.storage.managed.replicas", "Unsupported value: 2", `"1", "3", "5"`}},
		{"managed with a name too long for its StatefulSet", func(c *aggv1alpha1.CustomApiServer) {
			c.Name = "managed-" + strings.Repeat("x", 40)
			c.Spec.Namespace = "managed-long"
			c.Spec.Storage = &aggv1alpha1.StorageSpec{Managed: &aggv1alpha1.ManagedEtcdStorage{}}
		}, []string{"with spec.storage.managed, metadata.name must be at most 47 characters"}},
		{"certificate as both a directory and files", func(c *aggv1alpha1.CustomApiServer) {
			c.Spec.Flags.ServingCert = &aggv1alpha1.ServingCertFlags{CertDir: &aggv1alpha1.CertDirFlags{}, Files: &aggv1alpha1.CertFileFlags{}}
		}, []string{"spec.flags.servingCert", "exactly one of certDir", "or files"}},
		{"flag without dashes", func(c *aggv1alpha1.CustomApiServer) { c.Spec.Flags.SecurePort = "secure-port" },
			[]string{"spec.flags.securePort", "should match"}},
		{"flag with a value", func(c *aggv1alpha1.CustomApiServer) {
			c.Spec.Flags.ServingCert = &aggv1alpha1.ServingCertFlags{Files: &aggv1alpha1.CertFileFlags{CertFile: "--tls-cert-file=/etc/x"}}
		}, []string{"spec.flags.servingCert.files.certFile", "should match"}},
		{"pair name with a slash", func(c *aggv1alpha1.CustomApiServer) {
			c.Spec.Flags.ServingCert = &aggv1alpha1.ServingCertFlags{CertDir: &aggv1alpha1.CertDirFlags{PairName: "../tls"}}
		}, []string{"spec.flags.servingCert.certDir.pairName", "should match"}},
		{"embedded with default replicas 2", func(c *aggv1alpha1.CustomApiServer) {
			c.Spec.Storage = &aggv1alpha1.StorageSpec{Embedded: &aggv1alpha1.EmbeddedStorage{}}
		}, []string{"spec.replicas", "storage.embedded", "replicas: 1"}},
		{"no etcd servers", func(c *aggv1alpha1.CustomApiServer) { c.Spec.Storage.Etcd.Servers = []string{} },
			[]string{"spec.storage.etcd.servers", "at least 1"}},
		{"etcd server without scheme", func(c *aggv1alpha1.CustomApiServer) { c.Spec.Storage.Etcd.Servers = []string{"etcd:2379"} },
			[]string{"spec.storage.etcd.servers[0]", "should match"}},
		{"tlsSecretRef with an http:// server", func(c *aggv1alpha1.CustomApiServer) {
			c.Spec.Storage.Etcd = &aggv1alpha1.EtcdStorage{Servers: []string{"https://etcd-0:2379", "http://etcd-1:2379"},
				TLSSecretRef: &aggv1alpha1.EtcdTLSSecretReference{Name: "etcd-client"}}
		}, []string{"spec.storage.etcd.servers", "tlsSecretRef gives etcd client certificates, which only https:// servers use"}},
		{"tlsSecretRef name not a DNS subdomain", func(c *aggv1alpha1.CustomApiServer) {
			c.Spec.Storage.Etcd = &aggv1alpha1.EtcdStorage{Servers: []string{"https://etcd:2379"}, TLSSecretRef: &aggv1alpha1.EtcdTLSSecretReference{Name: "Etcd_Client"}}
		}, []string{"spec.storage.etcd.tlsSecretRef.name", "should match"}},
		{"etcd CA file flag with a value", func(c *aggv1alpha1.CustomApiServer) { c.Spec.Flags.EtcdCAFile = "--etcd-cafile=/ca.crt" },
			[]string{"spec.flags.etcdCAFile", "should match"}},
		{"unparseable duration", func(c *aggv1alpha1.CustomApiServer) {
			c.Spec.Certificates.Duration = &metav1.Duration{} // replaced below by raw JSON
		}, []string{"spec.certificates.duration", "should match"}},
		{"renewBefore not shorter than duration", func(c *aggv1alpha1.CustomApiServer) {
			c.Spec.Certificates.Duration, c.Spec.Certificates.RenewBefore = dur("720h"), dur("720h")
		}, []string{"spec.certificates.renewBefore", "renewBefore must be shorter than duration"}},
		{"CA shorter than the certificate", func(c *aggv1alpha1.CustomApiServer) {
			c.Spec.Certificates.Duration, c.Spec.Certificates.CADuration = dur("8760h"), dur("4380h")
		}, []string{"spec.certificates.caDuration", "caDuration must be at least duration"}},
		{"certificate shorter than an hour", func(c *aggv1alpha1.CustomApiServer) {
			c.Spec.Certificates.Duration, c.Spec.Certificates.RenewBefore = dur("30m"), dur("10m")
		}, []string{"spec.certificates.duration", "at least 1h"}},
		{"caSecretRef naming the operator's own CA Secret", func(c *aggv1alpha1.CustomApiServer) {
			c.Spec.Certificates.CASecretRef = &aggv1alpha1.CASecretReference{Name: c.Name + "-ca"}
		}, []string{"spec.certificates.caSecretRef.name", "not <name>-ca"}},
		{"caSecretRef name not a DNS subdomain", func(c *aggv1alpha1.CustomApiServer) {
			c.Spec.Certificates.CASecretRef = &aggv1alpha1.CASecretReference{Name: "My_CA"}
		}, []string{"spec.certificates.caSecretRef.name", "should match"}},
		{"privileged securePort", func(c *aggv1alpha1.CustomApiServer) { c.Spec.SecurePort = 443 },
			[]string{"spec.securePort", "greater than or equal to 1024"}},
		{"negative replicas", func(c *aggv1alpha1.CustomApiServer) { c.Spec.Replicas = -1 },
			[]string{"spec.replicas", "greater than or equal to 1"}},
		{"unknown imagePullPolicy", func(c *aggv1alpha1.CustomApiServer) { c.Spec.ImagePullPolicy = corev1.PullPolicy("Sometimes") },
			[]string{"spec.imagePullPolicy", "Unsupported value", "IfNotPresent"}},
		{"namespace not a DNS label", func(c *aggv1alpha1.CustomApiServer) { c.Spec.Namespace = "Team_A" },
			[]string{"spec.namespace", "should match"}},
		{"name not a DNS label starting with a letter", func(c *aggv1alpha1.CustomApiServer) { c.Name = "1metrics" },
			[]string{"metadata.name must be a DNS label"}},

		// Security model: no namespace of the cluster's own, no rule reaching beyond named permissions.
		{"namespace kube-system", func(c *aggv1alpha1.CustomApiServer) { c.Spec.Namespace = "kube-system" },
			[]string{"spec.namespace", "must not be kube-system, kube-public, kube-node-lease"}},
		{"namespace kube-node-lease", func(c *aggv1alpha1.CustomApiServer) { c.Spec.Namespace = "kube-node-lease" },
			[]string{"spec.namespace", "must not be kube-system"}},
		{"named kube-public without spec.namespace", func(c *aggv1alpha1.CustomApiServer) { c.Name = "kube-public" },
			[]string{"spec.namespace", "runs in a namespace named after the CustomApiServer", "set spec.namespace"}},
		{"verb *", rule(aggv1alpha1.PolicyRule{APIGroups: core, Resources: []string{"pods"}, Verbs: []string{"get", "*"}}),
			[]string{"spec.rbac.rules[1].verbs", "verbs must be named", "'*' grants every verb"}},
		{"verb escalate", rule(aggv1alpha1.PolicyRule{APIGroups: []string{"rbac.authorization.k8s.io"}, Resources: []string{"clusterroles"}, Verbs: []string{"escalate"}}),
			[]string{"spec.rbac.rules[1].verbs", "escalate, bind and impersonate are not allowed"}},
		{"verb bind", rule(aggv1alpha1.PolicyRule{APIGroups: []string{"rbac.authorization.k8s.io"}, Resources: []string{"clusterroles"}, Verbs: []string{"bind"}}),
			[]string{"spec.rbac.rules[1].verbs", "escalate, bind and impersonate are not allowed"}},
		{"verb impersonate in capitals", rule(aggv1alpha1.PolicyRule{APIGroups: core, Resources: []string{"users"}, Verbs: []string{"IMPERSONATE"}}),
			[]string{"spec.rbac.rules[1].verbs", "escalate, bind and impersonate are not allowed"}},
		{"apiGroup *", rule(aggv1alpha1.PolicyRule{APIGroups: []string{"*"}, Resources: []string{"pods"}, Verbs: []string{"get"}}),
			[]string{"spec.rbac.rules[1].apiGroups", "'*' grants every group"}},
		{"resource *", rule(aggv1alpha1.PolicyRule{APIGroups: core, Resources: []string{"*"}, Verbs: []string{"get"}}),
			[]string{"spec.rbac.rules[1].resources", "'*' and '*/<subresource>' grant every resource"}},
		{"resource */scale", rule(aggv1alpha1.PolicyRule{APIGroups: []string{"apps"}, Resources: []string{"*/scale"}, Verbs: []string{"update"}}),
			[]string{"spec.rbac.rules[1].resources", "grant every resource"}},
		{"resourceName *", rule(aggv1alpha1.PolicyRule{APIGroups: core, Resources: []string{"configmaps"}, ResourceNames: []string{"*"}, Verbs: []string{"get"}}),
			[]string{"spec.rbac.rules[1].resourceNames", "omit resourceNames to cover every name"}},
		{"nonResourceURL prefix wildcard", rule(aggv1alpha1.PolicyRule{NonResourceURLs: []string{"/apis/*"}, Verbs: []string{"get"}}),
			[]string{"spec.rbac.rules[1].nonResourceURLs", "must be exact paths"}},
		{"resources and nonResourceURLs in one rule", rule(aggv1alpha1.PolicyRule{APIGroups: core, Resources: []string{"pods"}, NonResourceURLs: []string{"/healthz"}, Verbs: []string{"get"}}),
			[]string{"spec.rbac.rules[1]", "a rule names apiGroups and resources (optionally resourceNames), or nonResourceURLs alone"}},
		{"resources without apiGroups", rule(aggv1alpha1.PolicyRule{Resources: []string{"pods"}, Verbs: []string{"get"}}),
			[]string{"spec.rbac.rules[1]", "a rule names apiGroups and resources"}},
		{"no verbs", rule(aggv1alpha1.PolicyRule{APIGroups: core, Resources: []string{"pods"}, Verbs: []string{}}),
			[]string{"spec.rbac.rules[1].verbs", "at least 1"}},
		{"too many verbs", rule(aggv1alpha1.PolicyRule{APIGroups: core, Resources: []string{"pods"}, Verbs: many(17, "get")}),
			[]string{"spec.rbac.rules[1].verbs", "at most 16 items"}},
		{"too many rules", func(c *aggv1alpha1.CustomApiServer) {
			r := aggv1alpha1.PolicyRule{APIGroups: core, Resources: []string{"pods"}, Verbs: []string{"get"}}
			c.Spec.RBAC = &aggv1alpha1.RBACSpec{Rules: slices.Repeat([]aggv1alpha1.PolicyRule{r}, 65)}
		}, []string{"spec.rbac.rules", "at most 64 items"}},
	}
	if len(tests) < 15 {
		t.Fatalf("only %d cases", len(tests))
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cas := newCAS("invalid", "valid.example.com", tc.mutate)
			var err error
			if tc.name == "unparseable duration" {
				err = createRaw(ctx, cas, `{"duration":"1y"}`)
			} else {
				err = k8s.Create(ctx, cas)
			}
			if err == nil {
				_ = k8s.Delete(ctx, cas)
				t.Fatalf("accepted")
			}
			if !apierrors.IsInvalid(err) {
				t.Fatalf("want an Invalid error, got %v", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not mention %q:\n%v", w, err)
				}
			}
			if err := k8s.Get(ctx, client.ObjectKey{Name: cas.Name}, &aggv1alpha1.CustomApiServer{}); !apierrors.IsNotFound(err) {
				t.Errorf("rejected object was stored (get: %v)", err)
			}
		})
	}
}

// The namespace cannot move under a running apiserver.
func TestNamespaceIsImmutable(t *testing.T) {
	startEnv(t)
	ctx := context.Background()
	cas := newCAS("pinned", "pinned.example.com", func(c *aggv1alpha1.CustomApiServer) { c.Spec.Namespace = "pinned-a" })
	createCAS(t, cas)
	for _, ns := range []string{"pinned-b", ""} {
		got := &aggv1alpha1.CustomApiServer{}
		if err := k8s.Get(ctx, client.ObjectKey{Name: cas.Name}, got); err != nil {
			t.Fatal(err)
		}
		patch := client.MergeFrom(got.DeepCopy())
		got.Spec.Namespace = ns
		err := k8s.Patch(ctx, got, patch)
		if err == nil || !strings.Contains(err.Error(), "spec.namespace") || !strings.Contains(err.Error(), "immutable") {
			t.Errorf("changing namespace to %q: %v, want an immutability error naming spec.namespace", ns, err)
		}
	}
}

// createRaw creates cas with spec.certificates replaced by raw JSON (values Go types cannot hold).
func createRaw(ctx context.Context, cas *aggv1alpha1.CustomApiServer, certificates string) error {
	obj, err := runtime.DefaultUnstructuredConverter.ToUnstructured(cas)
	if err != nil {
		return err
	}
	u := &unstructured.Unstructured{Object: obj}
	var raw map[string]any
	if err := json.Unmarshal([]byte(certificates), &raw); err != nil {
		return err
	}
	u.Object["spec"].(map[string]any)["certificates"] = raw
	u.SetAPIVersion(aggv1alpha1.GroupVersion.String())
	u.SetKind("CustomApiServer")
	return k8s.Create(ctx, u)
}
