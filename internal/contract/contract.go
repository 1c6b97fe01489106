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

// Package contract holds the paths the operator gives the MetricSnapshot apiserver's pods and the
// apiserver expects (DEVELOPERS.md, "Contracts between the operator and the MetricSnapshot apiserver").
// It imports nothing, so both halves can use it.
package contract

const (
	// DataDir holds the embedded etcd in a cluster: the operator mounts an emptyDir there and
	// passes --data-dir; it is also the apiserver's --data-dir default outside --local.
	DataDir = "/var/lib/metricsnapshot"
	// CertDir is where the operator mounts the serving Secret, passed as --cert-dir.
	CertDir = "/var/run/serving-cert"
	// PostgresDSNDir is where the operator mounts the key of spec.storage.postgres.dsnSecretRef, passed as
	// --postgres-dsn-file=<PostgresDSNDir>/<key>.
	PostgresDSNDir = "/var/run/postgres-dsn"
	// CertPairName makes --cert-dir read tls.crt/tls.key, the keys of a kubernetes.io/tls Secret.
	CertPairName = "tls"
)
