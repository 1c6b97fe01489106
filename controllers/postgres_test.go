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
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
)

// A server on PostgreSQL runs replicated: the API server accepts storage.postgres with 2 replicas and
// defaults its flags, and the Deployment mounts the DSN's key read-only where --postgres-dsn-file points.
func TestPostgresStorageDeployment(t *testing.T) {
	startEnv(t)
	cas := newCAS("pgstore", "pgstore.example.com", func(c *aggv1alpha1.CustomApiServer) {
		c.Spec.Replicas = 2
		c.Spec.Storage = &aggv1alpha1.StorageSpec{Postgres: &aggv1alpha1.PostgresStorage{
			DSNSecretRef: aggv1alpha1.PostgresDSNSecretRef{Name: "metrics-db", Key: "dsn"}}}
	})
	createCAS(t, cas)
	got := reconciled(t, cas.Name)
	if f := got.Spec.Flags; f.StorageBackend != aggv1alpha1.DefaultStorageBackend || f.PostgresDSNFile != aggv1alpha1.DefaultPostgresDSNFile {
		t.Errorf("spec.flags defaulted to %+v: want %s and %s (the CRD's defaults and api/v1alpha1's must agree)",
			f, aggv1alpha1.DefaultStorageBackend, aggv1alpha1.DefaultPostgresDSNFile)
	}
	d := deploymentOf(t, cas, []string{"--secure-port=6443", "--cert-dir=/var/run/serving-cert",
		"--storage-backend=postgres", "--postgres-dsn-file=/var/run/postgres-dsn/dsn"})
	pod := d.Spec.Template.Spec
	volume := slices.IndexFunc(pod.Volumes, func(v corev1.Volume) bool {
		return v.Secret != nil && v.Secret.SecretName == "metrics-db" && slices.Equal(v.Secret.Items, []corev1.KeyToPath{{Key: "dsn", Path: "dsn"}})
	})
	mount := slices.IndexFunc(pod.Containers[0].VolumeMounts, func(m corev1.VolumeMount) bool {
		return m.MountPath == "/var/run/postgres-dsn" && m.ReadOnly
	})
	if *d.Spec.Replicas != 2 || volume < 0 || mount < 0 || pod.Volumes[volume].Name != pod.Containers[0].VolumeMounts[mount].Name {
		t.Errorf("want 2 replicas and the key dsn of Secret metrics-db mounted read-only at /var/run/postgres-dsn; got replicas %d, volumes %+v, mounts %+v",
			*d.Spec.Replicas, pod.Volumes, pod.Containers[0].VolumeMounts)
	}
}
