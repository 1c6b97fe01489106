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

package v1alpha1

// Default flag names: those of this project's apiserver and of every server built on k8s.io/apiserver. The
// CRD defaults (markers below) carry the same values; the operator falls back to these when a field is empty.
const (
	DefaultSecurePortFlag   = "--secure-port"
	DefaultCertDirFlag      = "--cert-dir"
	DefaultCertPairName     = "tls"
	DefaultCertFileFlag     = "--tls-cert-file"
	DefaultKeyFileFlag      = "--tls-private-key-file"
	DefaultEtcdServersFlag  = "--etcd-servers"
	DefaultEtcdCAFileFlag   = "--etcd-cafile"
	DefaultEtcdCertFileFlag = "--etcd-certfile"
	DefaultEtcdKeyFileFlag  = "--etcd-keyfile"
	DefaultDataDirFlag      = "--data-dir"
	DefaultStorageBackend   = "--storage-backend"
	DefaultPostgresDSNFile  = "--postgres-dsn-file"
	// PostgresBackend is the value the operator gives the StorageBackend flag for spec.storage.postgres.
	PostgresBackend = "postgres"
)

// FlagName is a command-line flag of the server, one or two dashes included (--secure-port).
// +kubebuilder:validation:MaxLength=63
// +kubebuilder:validation:Pattern=`^--?[A-Za-z0-9][-A-Za-z0-9_.]*$`
type FlagName string

// Arg is the flag given value, as one argument: <flag>=<value>.
func (f FlagName) Arg(value string) string { return string(f) + "=" + value }

// ServerFlags is the server's flag contract: the flags through which the operator hands the image its secure
// port, serving certificate and storage, each passed as <flag>=<value> before spec.args. The operator has no
// code path for any particular image: a server with other conventions says so here.
type ServerFlags struct {
	// SecurePort is the flag given spec.securePort.
	// +optional
	// +kubebuilder:default="--secure-port"
	SecurePort FlagName `json:"securePort,omitempty"`

	// ServingCert is how the image takes the serving certificate (the Secret with tls.crt and tls.key, mounted
	// read-only at /var/run/serving-cert): certDir (a directory flag and the pair name the server reads
	// there) or files (one flag for the certificate file, one for the key file). Default: certDir with
	// --cert-dir and pair name tls.
	// +optional
	// +kubebuilder:default={certDir:{}}
	ServingCert *ServingCertFlags `json:"servingCert,omitempty"`

	// EtcdServers is the flag given spec.storage.etcd.servers, comma-separated.
	// +optional
	// +kubebuilder:default="--etcd-servers"
	EtcdServers FlagName `json:"etcdServers,omitempty"`

	// EtcdCAFile is the flag given the CA file of the etcd client TLS Secret (spec.storage.etcd.tlsSecretRef),
	// /var/run/etcd-client-tls/ca.crt.
	// +optional
	// +kubebuilder:default="--etcd-cafile"
	EtcdCAFile FlagName `json:"etcdCAFile,omitempty"`

	// EtcdCertFile is the flag given the etcd client certificate file, /var/run/etcd-client-tls/tls.crt.
	// +optional
	// +kubebuilder:default="--etcd-certfile"
	EtcdCertFile FlagName `json:"etcdCertFile,omitempty"`

	// EtcdKeyFile is the flag given the etcd client key file, /var/run/etcd-client-tls/tls.key.
	// +optional
	// +kubebuilder:default="--etcd-keyfile"
	EtcdKeyFile FlagName `json:"etcdKeyFile,omitempty"`

	// DataDir is the flag given the directory of spec.storage.embedded (an emptyDir at /var/lib/metricsnapshot).
	// +optional
	// +kubebuilder:default="--data-dir"
	DataDir FlagName `json:"dataDir,omitempty"`

	// StorageBackend is the flag given "postgres" for spec.storage.postgres.
	// +optional
	// +kubebuilder:default="--storage-backend"
	StorageBackend FlagName `json:"storageBackend,omitempty"`

	// PostgresDSNFile is the flag given the file holding spec.storage.postgres.dsnSecretRef's DSN
	// (/var/run/postgres-dsn/<key>).
	// +optional
	// +kubebuilder:default="--postgres-dsn-file"
	PostgresDSNFile FlagName `json:"postgresDSNFile,omitempty"`
}

// ServingCertFlags selects one way of passing the serving certificate.
// +kubebuilder:validation:XValidation:rule="has(self.certDir) != has(self.files)",message="set exactly one of certDir (a directory flag; the server reads <pairName>.crt and <pairName>.key there) or files (a flag for the certificate file and one for the key file)"
type ServingCertFlags struct {
	// CertDir passes the directory: <flag>=/var/run/serving-cert, where the Secret's tls.crt and tls.key
	// appear as <pairName>.crt and <pairName>.key.
	// +optional
	CertDir *CertDirFlags `json:"certDir,omitempty"`

	// Files passes each file: <certFile>=/var/run/serving-cert/tls.crt <keyFile>=/var/run/serving-cert/tls.key.
	// +optional
	Files *CertFileFlags `json:"files,omitempty"`
}

// CertDirFlags names the directory flag and the file names the server looks for there.
type CertDirFlags struct {
	// Flag given the directory.
	// +optional
	// +kubebuilder:default="--cert-dir"
	Flag FlagName `json:"flag,omitempty"`

	// PairName: the server reads <pairName>.crt and <pairName>.key (a k8s.io/apiserver server's
	// SecureServingOptions.ServerCert.PairName, set in its code: tls for this project's apiserver, apiserver
	// for k8s.io/sample-apiserver and metrics-server).
	// +optional
	// +kubebuilder:default=tls
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9][-A-Za-z0-9_.]*$`
	PairName string `json:"pairName,omitempty"`
}

// CertFileFlags names one flag per file.
type CertFileFlags struct {
	// CertFile is the flag given the certificate file.
	// +optional
	// +kubebuilder:default="--tls-cert-file"
	CertFile FlagName `json:"certFile,omitempty"`

	// KeyFile is the flag given the private key file.
	// +optional
	// +kubebuilder:default="--tls-private-key-file"
	KeyFile FlagName `json:"keyFile,omitempty"`
}
