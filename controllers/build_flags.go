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
	"cmp"
	"path"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	"k8s.io/utils/ptr"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
)

// serverFlags is spec.flags with every default filled in. The CRD defaults them, so this only matters for
// objects that did not pass through the API server; the values are the CRD's.
func serverFlags(cas *aggv1alpha1.CustomApiServer) aggv1alpha1.ServerFlags {
	f := cas.Spec.Flags
	f.SecurePort = cmp.Or(f.SecurePort, aggv1alpha1.DefaultSecurePortFlag)
	f.EtcdServers = cmp.Or(f.EtcdServers, aggv1alpha1.DefaultEtcdServersFlag)
	f.EtcdCAFile = cmp.Or(f.EtcdCAFile, aggv1alpha1.DefaultEtcdCAFileFlag)
	f.EtcdCertFile = cmp.Or(f.EtcdCertFile, aggv1alpha1.DefaultEtcdCertFileFlag)
	f.EtcdKeyFile = cmp.Or(f.EtcdKeyFile, aggv1alpha1.DefaultEtcdKeyFileFlag)
	f.DataDir = cmp.Or(f.DataDir, aggv1alpha1.DefaultDataDirFlag)
	f.StorageBackend = cmp.Or(f.StorageBackend, aggv1alpha1.DefaultStorageBackend)
	f.PostgresDSNFile = cmp.Or(f.PostgresDSNFile, aggv1alpha1.DefaultPostgresDSNFile)
	cert := ptr.Deref(f.ServingCert, aggv1alpha1.ServingCertFlags{})
	if files := cert.Files; files != nil {
		f.ServingCert = &aggv1alpha1.ServingCertFlags{Files: &aggv1alpha1.CertFileFlags{
			CertFile: cmp.Or(files.CertFile, aggv1alpha1.DefaultCertFileFlag),
			KeyFile:  cmp.Or(files.KeyFile, aggv1alpha1.DefaultKeyFileFlag),
		}}
		return f
	}
	dir := ptr.Deref(cert.CertDir, aggv1alpha1.CertDirFlags{})
	f.ServingCert = &aggv1alpha1.ServingCertFlags{CertDir: &aggv1alpha1.CertDirFlags{
		Flag:     cmp.Or(dir.Flag, aggv1alpha1.DefaultCertDirFlag),
		PairName: cmp.Or(dir.PairName, aggv1alpha1.DefaultCertPairName),
	}}
	return f
}

// contractArgs are the flags the operator passes (README, "Flags the operator passes"): the secure port, the
// serving certificate, and storage only when spec.storage is set (with the etcd client TLS files when
// storage.etcd.tlsSecretRef is set), each under the name spec.flags gives it. members is how many managed
// etcd members the apiserver is pointed at (the scaling plan's; 0: as many as for the members spec asks).
func contractArgs(cas *aggv1alpha1.CustomApiServer, members int32) []string {
	f := serverFlags(cas)
	args := []string{f.SecurePort.Arg(strconv.Itoa(int(cas.Spec.SecurePort)))}
	if files := f.ServingCert.Files; files != nil {
		args = append(args,
			files.CertFile.Arg(path.Join(certDir, corev1.TLSCertKey)),
			files.KeyFile.Arg(path.Join(certDir, corev1.TLSPrivateKeyKey)))
	} else {
		args = append(args, f.ServingCert.CertDir.Flag.Arg(certDir))
	}
	switch s := cas.Spec.Storage; {
	case s == nil: // stateless: no storage flag
	case s.Etcd != nil:
		args = append(args, f.EtcdServers.Arg(strings.Join(s.Etcd.Servers, ",")))
		if name := etcdTLSSecretName(cas); name != "" {
			args = append(args, buildEtcdClientTLS(f, name).Args...)
		}
	case s.Embedded != nil:
		args = append(args, f.DataDir.Arg(dataDir))
	case s.Postgres != nil:
		args = append(args, f.StorageBackend.Arg(aggv1alpha1.PostgresBackend),
			f.PostgresDSNFile.Arg(path.Join(dsnDir, s.Postgres.DSNSecretRef.Key)))
	case s.Managed != nil:
		args = append(args, managedEtcdServersArg(f, namesFor(cas), cmp.Or(members, etcdServers(etcdReplicas(s.Managed)))))
		args = append(args, buildEtcdClientTLS(f, etcdTLSSecretName(cas)).Args...)
	}
	return args
}

// postgresDSNVolume mounts only the DSN's key of spec.storage.postgres.dsnSecretRef (nil without postgres):
// the operator never reads the Secret, the kubelet hands it to the pods.
func postgresDSNVolume(cas *aggv1alpha1.CustomApiServer) *corev1ac.VolumeApplyConfiguration {
	if cas.Spec.Storage == nil || cas.Spec.Storage.Postgres == nil {
		return nil
	}
	ref := cas.Spec.Storage.Postgres.DSNSecretRef
	return corev1ac.Volume().WithName("postgres-dsn").WithSecret(corev1ac.SecretVolumeSource().
		WithSecretName(ref.Name).WithItems(corev1ac.KeyToPath().WithKey(ref.Key).WithPath(ref.Key)))
}

// embeddedStorage says whether the pods keep the embedded store (an emptyDir at dataDir).
func embeddedStorage(cas *aggv1alpha1.CustomApiServer) bool {
	return cas.Spec.Storage != nil && cas.Spec.Storage.Embedded != nil
}

// servingCertVolume mounts the serving Secret (tls.crt, tls.key). With a cert dir whose pair name is not tls,
// the keys appear under the names the server reads (<pairName>.crt, <pairName>.key); otherwise the whole
// Secret is mounted, as it always was, so existing Deployments do not roll.
func servingCertVolume(cas *aggv1alpha1.CustomApiServer, n names) *corev1ac.VolumeApplyConfiguration {
	src := corev1ac.SecretVolumeSource().WithSecretName(n.ServingSecret)
	if dir := serverFlags(cas).ServingCert.CertDir; dir != nil && dir.PairName != aggv1alpha1.DefaultCertPairName {
		src.WithItems(
			corev1ac.KeyToPath().WithKey(corev1.TLSCertKey).WithPath(dir.PairName+".crt"),
			corev1ac.KeyToPath().WithKey(corev1.TLSPrivateKeyKey).WithPath(dir.PairName+".key"))
	}
	return corev1ac.Volume().WithName("serving-cert").WithSecret(src)
}

// managedEtcdServersArg points the apiserver at the managed etcd's members of ordinals 0..members-1.
func managedEtcdServersArg(f aggv1alpha1.ServerFlags, n names, members int32) string {
	return f.EtcdServers.Arg(strings.Join(etcdClientURLs(n, members), ","))
}
