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
	"slices"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/internal/testutil"
)

// deploymentOf waits for the Deployment of cas and returns it once its args are want.
func deploymentOf(t *testing.T, cas *aggv1alpha1.CustomApiServer, want []string) *appsv1.Deployment {
	t.Helper()
	n := namesFor(cas)
	d := &appsv1.Deployment{}
	testutil.Eventually(t, 30*time.Second, "Deployment "+n.Deployment+" with args "+fmt.Sprint(want), func(ctx context.Context) error {
		if err := k8s.Get(ctx, client.ObjectKey{Namespace: n.Namespace, Name: n.Deployment}, d); err != nil {
			return err
		}
		if got := d.Spec.Template.Spec.Containers[0].Args; !slices.Equal(got, want) {
			return fmt.Errorf("args %v", got)
		}
		return nil
	})
	return d
}

// A server that keeps no storage (metrics-server) runs replicated with no storage flag, and the flag contract
// the API server defaults is that of this project's apiserver.
func TestStatelessServerWithDefaultFlags(t *testing.T) {
	startEnv(t)
	cas := newCAS("stateless", "stateless.example.com", func(c *aggv1alpha1.CustomApiServer) {
		c.Spec.Storage, c.Spec.Replicas = nil, 3
	})
	createCAS(t, cas)
	got := reconciled(t, cas.Name)
	want := aggv1alpha1.ServerFlags{
		SecurePort: aggv1alpha1.DefaultSecurePortFlag, EtcdServers: aggv1alpha1.DefaultEtcdServersFlag, DataDir: aggv1alpha1.DefaultDataDirFlag,
		EtcdCAFile: aggv1alpha1.DefaultEtcdCAFileFlag, EtcdCertFile: aggv1alpha1.DefaultEtcdCertFileFlag, EtcdKeyFile: aggv1alpha1.DefaultEtcdKeyFileFlag,
		ServingCert: &aggv1alpha1.ServingCertFlags{CertDir: &aggv1alpha1.CertDirFlags{Flag: aggv1alpha1.DefaultCertDirFlag, PairName: aggv1alpha1.DefaultCertPairName}},
	}
	if f := got.Spec.Flags; f.SecurePort != want.SecurePort || f.EtcdServers != want.EtcdServers || f.DataDir != want.DataDir ||
		f.EtcdCAFile != want.EtcdCAFile || f.EtcdCertFile != want.EtcdCertFile || f.EtcdKeyFile != want.EtcdKeyFile ||
		f.ServingCert == nil || f.ServingCert.Files != nil || f.ServingCert.CertDir == nil || *f.ServingCert.CertDir != *want.ServingCert.CertDir {
		t.Errorf("spec.flags defaulted to %+v, want %+v (the CRD's defaults and api/v1alpha1's must agree)", f, want)
	}
	if got.Spec.Storage != nil {
		t.Errorf("spec.storage %+v, want none", got.Spec.Storage)
	}
	d := deploymentOf(t, cas, []string{"--secure-port=6443", "--cert-dir=/var/run/serving-cert"})
	if *d.Spec.Replicas != 3 || slices.ContainsFunc(d.Spec.Template.Spec.Volumes, func(v corev1.Volume) bool { return v.Name == "data" }) {
		t.Errorf("replicas %d, volumes %v: want 3 and no data volume", *d.Spec.Replicas, d.Spec.Template.Spec.Volumes)
	}
	n := namesFor(cas)
	testutil.Eventually(t, 30*time.Second, "PodDisruptionBudget of the replicated stateless server", func(ctx context.Context) error {
		return k8s.Get(ctx, client.ObjectKey{Namespace: n.Namespace, Name: n.PDB}, &policyv1.PodDisruptionBudget{})
	})
}

// A server with other conventions states them in spec.flags; the Deployment follows, and changing the
// contract changes the Deployment.
func TestFlagContract(t *testing.T) {
	startEnv(t)
	cas := newCAS("flag-contract", "flags.example.com", func(c *aggv1alpha1.CustomApiServer) {
		c.Spec.SecurePort = 10250
		c.Spec.Flags = aggv1alpha1.ServerFlags{SecurePort: "--https-port", EtcdServers: "--etcd",
			ServingCert: &aggv1alpha1.ServingCertFlags{Files: &aggv1alpha1.CertFileFlags{}}}
		c.Spec.Args = []string{"--v=2"}
	})
	createCAS(t, cas)
	deploymentOf(t, cas, []string{"--https-port=10250", "--tls-cert-file=/var/run/serving-cert/tls.crt",
		"--tls-private-key-file=/var/run/serving-cert/tls.key", "--etcd=http://etcd:2379", "--v=2"})

	// k8s.io/sample-apiserver reads apiserver.crt/apiserver.key from its --cert-dir.
	updateCAS(t, cas, func(c *aggv1alpha1.CustomApiServer) {
		c.Spec.Flags.ServingCert = &aggv1alpha1.ServingCertFlags{CertDir: &aggv1alpha1.CertDirFlags{PairName: "apiserver"}}
	})
	d := deploymentOf(t, cas, []string{"--https-port=10250", "--cert-dir=/var/run/serving-cert", "--etcd=http://etcd:2379", "--v=2"})
	var items []string
	for _, v := range d.Spec.Template.Spec.Volumes {
		if v.Name == "serving-cert" {
			for _, it := range v.Secret.Items {
				items = append(items, it.Key+"="+it.Path)
			}
		}
	}
	if want := []string{"tls.crt=apiserver.crt", "tls.key=apiserver.key"}; !slices.Equal(items, want) {
		t.Errorf("serving-cert volume items %v, want %v", items, want)
	}
}
