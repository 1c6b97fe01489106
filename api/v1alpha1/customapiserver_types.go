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

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// CustomApiServerSpec describes one aggregated API server and everything it needs:
// namespace, RBAC, certificates, Deployment, Service and one APIService per group/version.
// +kubebuilder:validation:XValidation:rule="!has(self.storage) || !has(self.storage.embedded) || self.replicas == 1",message="storage.embedded keeps data in the pod and needs replicas: 1; use storage.etcd, or no storage for a stateless server, for more replicas",fieldPath=".replicas"
// +kubebuilder:validation:XValidation:rule="(has(oldSelf.storage) && has(oldSelf.storage.managed)) == (has(self.storage) && has(self.storage.managed))",message="storage.managed cannot be added to or removed from an existing CustomApiServer: the data would not move between stores; create a new CustomApiServer",fieldPath=".storage"
// +kubebuilder:validation:XValidation:rule="has(oldSelf.namespace) == has(self.namespace)",message="namespace is immutable: create a new CustomApiServer to move it",fieldPath=".namespace"
type CustomApiServerSpec struct {
	// Namespace the apiserver runs in. Defaults to the CustomApiServer's name. It is created (and owned)
	// when absent, with Pod Security "restricted" enforced; an existing namespace is used as is. kube-*
	// namespaces are refused here; the operator's own namespace is refused by the operator (condition Ready,
	// reason NamespaceNotAllowed), since only the operator knows where it runs.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="namespace is immutable: create a new CustomApiServer to move it"
	// +kubebuilder:validation:XValidation:rule="!self.startsWith('kube-')",message="namespace must not be kube-system, kube-public, kube-node-lease or another kube- namespace: those are the cluster's own"
	Namespace string `json:"namespace,omitempty"`

	// Image of the apiserver. Defaults to the MetricSnapshot apiserver image of the operator's own release
	// (operator flag --apiserver-image).
	// +optional
	// +kubebuilder:validation:MaxLength=512
	Image string `json:"image,omitempty"`

	// ImagePullPolicy of the apiserver container.
	// +optional
	// +kubebuilder:validation:Enum=Always;IfNotPresent;Never
	ImagePullPolicy corev1.PullPolicy `json:"imagePullPolicy,omitempty"`

	// ImagePullSecrets for the apiserver pods.
	// +optional
	ImagePullSecrets []corev1.LocalObjectReference `json:"imagePullSecrets,omitempty"`

	// Replicas of the apiserver. More than one adds pod anti-affinity and a PodDisruptionBudget.
	// +optional
	// +kubebuilder:default=2
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	Replicas int32 `json:"replicas,omitempty"`

	// Args are appended to the flags the operator sets (spec.flags: secure port, serving certificate, storage).
	// +optional
	// +kubebuilder:validation:MaxItems=100
	Args []string `json:"args,omitempty"`

	// Env is added to the apiserver container (POD_NAMESPACE is always set).
	// +optional
	Env []corev1.EnvVar `json:"env,omitempty"`

	// Resources of the apiserver container.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`

	// NodeSelector of the apiserver pods.
	// +optional
	NodeSelector map[string]string `json:"nodeSelector,omitempty"`

	// Tolerations of the apiserver pods.
	// +optional
	Tolerations []corev1.Toleration `json:"tolerations,omitempty"`

	// Affinity of the apiserver pods. With replicas > 1 and no podAntiAffinity given, the operator adds a
	// preferred anti-affinity across nodes.
	// +optional
	Affinity *corev1.Affinity `json:"affinity,omitempty"`

	// PriorityClassName of the apiserver pods (e.g. system-cluster-critical for APIs the cluster relies on).
	// +optional
	// +kubebuilder:validation:MaxLength=253
	PriorityClassName string `json:"priorityClassName,omitempty"`

	// SecurePort the apiserver listens on (the container runs without capabilities, so >= 1024).
	// +optional
	// +kubebuilder:default=6443
	// +kubebuilder:validation:Minimum=1024
	// +kubebuilder:validation:Maximum=65535
	SecurePort int32 `json:"securePort,omitempty"`

	// APIServices are the group/versions this apiserver serves; each becomes an APIService `<version>.<group>`.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=32
	// +listType=map
	// +listMapKey=group
	// +listMapKey=version
	APIServices []APIServiceSpec `json:"apiServices"`

	// Storage of the apiserver: an external etcd or the apiserver's embedded single-node store. Omit it for a
	// server that keeps no storage of its own (metrics-server, metrics adapters): no storage flag is passed
	// and replicas may be more than 1.
	// +optional
	Storage *StorageSpec `json:"storage,omitempty"`

	// Flags is the server's flag contract: which flags take the secure port, the serving certificate and the
	// storage. The defaults fit this project's apiserver and servers built on k8s.io/apiserver.
	// +optional
	// +kubebuilder:default={}
	Flags ServerFlags `json:"flags,omitempty"`

	// Certificates: lifetimes of the serving certificate and of the CA that signs it.
	// +optional
	// +kubebuilder:default={}
	Certificates CertificatesSpec `json:"certificates,omitempty"`

	// RBAC adds rules to the apiserver's ClusterRole.
	// +optional
	RBAC *RBACSpec `json:"rbac,omitempty"`
}

// APIServiceSpec is one group/version served by the apiserver.
// +kubebuilder:validation:XValidation:rule="!self.group.endsWith('.k8s.io') && !self.group.endsWith('.kubernetes.io') || self.group in ['metrics.k8s.io', 'custom.metrics.k8s.io', 'external.metrics.k8s.io']",message="group must not be a built-in Kubernetes group (*.k8s.io, *.kubernetes.io); of those only metrics.k8s.io, custom.metrics.k8s.io and external.metrics.k8s.io may be served by an aggregated server",fieldPath=".group"
type APIServiceSpec struct {
	// Group is the API group, a DNS subdomain containing a dot (e.g. metrics.example.com).
	// +kubebuilder:validation:MinLength=3
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$`
	Group string `json:"group"`

	// Version in Kubernetes form: v1, v1beta1, v2alpha3.
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^v[1-9][0-9]*((alpha|beta)[1-9][0-9]*)?$`
	Version string `json:"version"`

	// GroupPriorityMinimum orders this group in discovery (higher first).
	// +optional
	// +kubebuilder:default=1000
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=20000
	GroupPriorityMinimum int32 `json:"groupPriorityMinimum,omitempty"`

	// VersionPriority orders this version within its group (higher first).
	// +optional
	// +kubebuilder:default=15
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000
	VersionPriority int32 `json:"versionPriority,omitempty"`

	// Adopt lets the operator take over an existing APIService of this name that someone else installed
	// (kubectl, a Helm chart) and no controller owns: once the apiserver's Deployment is available it is
	// applied with server-side apply, forcing the fields it sets away from their previous manager, and gets
	// this CustomApiServer as its owner; status.apiServices[].adoptedFrom and an APIServiceAdopted event name
	// the previous owner. Without it such an APIService is left untouched (APIServiceConflict). An APIService
	// controlled by another object (another CustomApiServer) is never adopted.
	// +optional
	Adopt bool `json:"adopt,omitempty"`
}

// StorageSpec selects exactly one storage backend.
// +kubebuilder:validation:XValidation:rule="[has(self.etcd), has(self.embedded), has(self.managed), has(self.postgres)].filter(x, x).size() == 1",message="set exactly one of storage.etcd, storage.embedded, storage.managed or storage.postgres; omit storage entirely for a server that keeps no storage"
type StorageSpec struct {
	// Etcd is an external etcd (the apiserver's --etcd-servers).
	// +optional
	Etcd *EtcdStorage `json:"etcd,omitempty"`

	// Embedded is the apiserver's own single-node store in an emptyDir (data is lost with the pod; replicas 1 only).
	// +optional
	Embedded *EmbeddedStorage `json:"embedded,omitempty"`

	// Managed is a dedicated etcd cluster the operator runs for this server (StatefulSet <name>-etcd in the
	// apiserver's namespace, peer and client TLS from certificates the operator issues); any apiserver replicas.
	// +optional
	Managed *ManagedEtcdStorage `json:"managed,omitempty"`

	// Postgres keeps the objects in a PostgreSQL database you run (through kine, the etcd API over SQL that
	// k3s uses): the apiserver gets --storage-backend=postgres and the DSN file from dsnSecretRef. Any replicas.
	// +optional
	Postgres *PostgresStorage `json:"postgres,omitempty"`
}

// ManagedEtcdStorage is the etcd cluster the operator runs for one CustomApiServer.
type ManagedEtcdStorage struct {
	// Replicas is the number of etcd members: 1, or 3 or 5 to survive the loss of one or two. A change is
	// carried out one member at a time while every member is healthy (a learner added and promoted, or the
	// highest ordinal removed with its PersistentVolumeClaim); status.storage.scaling shows the progress
	// (README, "Managed etcd").
	// +optional
	// +kubebuilder:default=3
	// +kubebuilder:validation:Enum=1;3;5
	Replicas int32 `json:"replicas,omitempty"`

	// Storage is the size of each member's PersistentVolumeClaim.
	// +optional
	// +kubebuilder:default="1Gi"
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="storage.managed.storage cannot be changed: a StatefulSet's volume claims are fixed when it is made"
	Storage *resource.Quantity `json:"storage,omitempty"`

	// StorageClassName of the members' PersistentVolumeClaims (default: the cluster's default StorageClass).
	// +optional
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="storage.managed.storageClassName cannot be changed: a StatefulSet's volume claims are fixed when it is made"
	StorageClassName *string `json:"storageClassName,omitempty"`

	// Resources of the etcd containers.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`

	// Image of etcd (default: the operator's, operator flag --etcd-image). It must take etcd's own flags and
	// run as a non-root user.
	// +optional
	// +kubebuilder:validation:MaxLength=512
	Image string `json:"image,omitempty"`
}

// PostgresStorage points the apiserver at a PostgreSQL database.
type PostgresStorage struct {
	// DSNSecretRef is the key of a Secret in the apiserver's namespace holding the database URL,
	// postgres://user:password@host:5432/database?sslmode=verify-full. The Secret is mounted read-only in the
	// pods (the operator never reads it); the database is created when missing, if the user may.
	DSNSecretRef PostgresDSNSecretRef `json:"dsnSecretRef"`
}

// PostgresDSNSecretRef names one key of a Secret in the apiserver's namespace.
type PostgresDSNSecretRef struct {
	// Name of the Secret.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name"`

	// Key in the Secret whose value is the DSN.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[-._a-zA-Z0-9]+$`
	Key string `json:"key"`
}

// EtcdStorage points the apiserver at an external etcd.
// +kubebuilder:validation:XValidation:rule="!has(self.tlsSecretRef) || self.servers.all(s, s.startsWith('https://'))",message="tlsSecretRef gives etcd client certificates, which only https:// servers use: make every server https://, or remove tlsSecretRef",fieldPath=".servers"
type EtcdStorage struct {
	// Servers are etcd client URLs, e.g. http://etcd:2379, or https://etcd:2379 with tlsSecretRef.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:items:MaxLength=512
	// +kubebuilder:validation:items:Pattern=`^https?://[^\s,/]+(/[^\s,]*)?$`
	// +listType=atomic
	Servers []string `json:"servers"`

	// TLSSecretRef names a Secret in the apiserver's namespace holding ca.crt (the CA that signed etcd's
	// serving certificate), tls.crt and tls.key (the client certificate etcd accepts, e.g. a
	// kubernetes.io/tls Secret cert-manager writes). It is mounted read-only at /var/run/etcd-client-tls and
	// passed as spec.flags.etcdCAFile, etcdCertFile and etcdKeyFile; every server must be https://. While the
	// Secret is missing or lacks a key, the Deployment is left as it is and Ready says which key is missing; a
	// change of its content rolls the pods.
	// +optional
	TLSSecretRef *EtcdTLSSecretReference `json:"tlsSecretRef,omitempty"`
}

// EtcdTLSSecretReference names a Secret in the apiserver's namespace with ca.crt, tls.crt and tls.key.
type EtcdTLSSecretReference struct {
	// Name of the Secret.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name"`
}

// EmbeddedStorage has no settings: the apiserver keeps its data in an emptyDir.
type EmbeddedStorage struct{}

// CertificatesSpec sets certificate lifetimes. Durations use Go syntax (e.g. 8760h, 720h30m).
// +kubebuilder:validation:XValidation:rule="!has(self.renewBefore) || !has(self.duration) || duration(self.renewBefore) < duration(self.duration)",message="renewBefore must be shorter than duration",fieldPath=".renewBefore"
// +kubebuilder:validation:XValidation:rule="!has(self.caDuration) || !has(self.duration) || duration(self.caDuration) >= duration(self.duration)",message="caDuration must be at least duration",fieldPath=".caDuration"
// +kubebuilder:validation:XValidation:rule="!has(self.certManager) || !has(self.caSecretRef)",message="certManager and caSecretRef are exclusive: cert-manager's issuer or your own CA signs the serving certificate, not both",fieldPath=".caSecretRef"
type CertificatesSpec struct {
	// Duration of the serving certificate (default one year).
	// +optional
	// +kubebuilder:default="8760h"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1h')",message="duration must be at least 1h"
	Duration *metav1.Duration `json:"duration,omitempty"`

	// RenewBefore: the serving certificate is renewed this long before it expires (default 30 days).
	// +optional
	// +kubebuilder:default="720h"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('5m')",message="renewBefore must be at least 5m"
	RenewBefore *metav1.Duration `json:"renewBefore,omitempty"`

	// CADuration of the self-signed CA (default five years). The CA is renewed renewBefore ahead of its
	// expiry, and when caDuration changes. Any change of CA is published in every APIService's caBundle, next
	// to the CAs the pods may still serve with, before a serving certificate of the new CA is issued; an older
	// CA leaves the bundle once every ready endpoint serves a certificate of the new CA, or when it expires.
	// Not used with caSecretRef.
	// +optional
	// +kubebuilder:default="43800h"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$`
	CADuration *metav1.Duration `json:"caDuration,omitempty"`

	// CertManager hands the certificates to cert-manager (which must be installed) instead of the operator's
	// own CA: the operator owns a cert-manager Certificate for the serving certificate (every Service name,
	// duration and renewBefore above) and cert-manager's cainjector fills each APIService's caBundle
	// (annotation cert-manager.io/inject-ca-from). Without issuerRef the operator makes a self-signed Issuer ->
	// CA Certificate (caDuration) -> CA Issuer chain in the apiserver's namespace. Removing certManager goes
	// back to the operator's own CA. (A user CA, spec.certificates.caSecretRef, cannot be combined with it.)
	// +optional
	CertManager *CertManagerSpec `json:"certManager,omitempty"`
	// CASecretRef names a Secret in the apiserver's namespace (spec.namespace) holding the user's CA:
	// tls.crt (a CA certificate: basicConstraints CA:TRUE, keyUsage keyCertSign when keyUsage is set) and
	// tls.key (EC, RSA or PKCS #8). The operator signs the serving certificate with it instead of its own
	// self-signed CA, never rotates it, and never writes to the Secret. Only the apiserver's own namespace:
	// the operator reads Secrets everywhere, and must not sign with a CA key the CustomApiServer's author
	// could not otherwise reach. Setting, changing or removing it is a change of CA (see caDuration).
	// +optional
	CASecretRef *CASecretReference `json:"caSecretRef,omitempty"`
}

// CertManagerSpec selects cert-manager mode.
type CertManagerSpec struct {
	// IssuerRef is the Issuer (in the apiserver's namespace) or ClusterIssuer that signs the serving
	// certificate. It must fill ca.crt in the certificate's Secret (CA, Vault and self-signed issuers do;
	// ACME does not), since that is what cainjector puts in the caBundle. Without it the operator makes its
	// own self-signed -> CA chain.
	// +optional
	IssuerRef *IssuerReference `json:"issuerRef,omitempty"`
}

// IssuerReference names a cert-manager issuer (cert-manager's own issuerRef, with its defaults).
// +kubebuilder:validation:XValidation:rule="(has(self.group) ? self.group : 'cert-manager.io') != 'cert-manager.io' || (has(self.kind) ? self.kind : 'Issuer') in ['Issuer', 'ClusterIssuer']",message="kind must be Issuer or ClusterIssuer for group cert-manager.io",fieldPath=".kind"
type IssuerReference struct {
	// Name of the issuer.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
	// Kind of the issuer: Issuer (namespaced, in the apiserver's namespace) or ClusterIssuer; an external
	// issuer's own kind when group is not cert-manager.io.
	// +optional
	// +kubebuilder:default=Issuer
	// +kubebuilder:validation:MaxLength=63
	Kind string `json:"kind,omitempty"`
	// Group of the issuer (default cert-manager.io; another group for an external issuer).
	// +optional
	// +kubebuilder:default="cert-manager.io"
	// +kubebuilder:validation:MaxLength=253
	Group string `json:"group,omitempty"`
}

// CASecretReference names a Secret in the apiserver's namespace.
type CASecretReference struct {
	// Name of the Secret (type kubernetes.io/tls or Opaque, with tls.crt and tls.key).
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name"`
}

// RBACSpec extends the apiserver's permissions.
type RBACSpec struct {
	// Rules are added to the apiserver's ClusterRole, after the rules every k8s.io/apiserver-based server
	// needs (which need not be listed here). A rule is granted only when a ClusterRole a cluster admin
	// labelled aggregation.example.com/grantable: "true" covers it; the others are left out (Ready says so).
	// +optional
	// +kubebuilder:validation:MaxItems=64
	Rules []PolicyRule `json:"rules,omitempty"`
}

// CustomApiServerStatus is what the operator observed.
type CustomApiServerStatus struct {
	// ObservedGeneration is the generation this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions: Ready, CertificatesReady, StorageReady (storage.managed only), DeploymentAvailable,
	// APIServicesAvailable.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// Namespace the apiserver runs in.
	// +optional
	Namespace string `json:"namespace,omitempty"`

	// Image the apiserver runs.
	// +optional
	Image string `json:"image,omitempty"`

	// AvailableReplicas of the apiserver Deployment.
	// +optional
	AvailableReplicas int32 `json:"availableReplicas,omitempty"`

	// Replicas summarises available/desired replicas, e.g. 2/2.
	// +optional
	Replicas string `json:"replicas,omitempty"`

	// APIServicesSummary summarises available/total APIServices, e.g. 1/1.
	// +optional
	APIServicesSummary string `json:"apiServicesSummary,omitempty"`

	// APIServices reports each APIService.
	// +optional
	// +listType=map
	// +listMapKey=name
	APIServices []APIServiceStatus `json:"apiServices,omitempty"`

	// Certificates reports the serving certificate and CA.
	// +optional
	Certificates *CertificatesStatus `json:"certificates,omitempty"`

	// Storage reports the managed etcd cluster (spec.storage.managed).
	// +optional
	Storage *StorageStatus `json:"storage,omitempty"`
}

// StorageStatus reports the members of the managed etcd cluster.
type StorageStatus struct {
	// ReadyMembers summarises ready/current members (the StatefulSet's replicas, which follow
	// spec.storage.managed.replicas one member at a time), e.g. 3/3.
	// +optional
	ReadyMembers string `json:"readyMembers,omitempty"`
	// Scaling says, while the membership is changing towards spec.storage.managed.replicas, what is under
	// way or awaited (e.g. "to 5 members: waiting for the learner of ordinal 3 to start and catch up").
	// +optional
	Scaling string `json:"scaling,omitempty"`
	// Members are the etcd members, by pod name.
	// +optional
	// +listType=map
	// +listMapKey=name
	Members []EtcdMemberStatus `json:"members,omitempty"`
}

// EtcdMemberStatus is one member of the managed etcd cluster.
type EtcdMemberStatus struct {
	// Name of the member (its pod, <name>-etcd-<ordinal>).
	Name string `json:"name"`
	// Healthy: the member's pod is ready, i.e. etcd's /health on its metrics listener answers true (the
	// member is started and the cluster has a leader).
	Healthy bool `json:"healthy"`
	// Message says why a member is not healthy (pod missing, pending, container waiting).
	// +optional
	Message string `json:"message,omitempty"`
}

// APIServiceStatus mirrors one APIService's Available condition.
type APIServiceStatus struct {
	// Name of the APIService, `<version>.<group>`.
	Name string `json:"name"`
	// Available is the APIService's Available condition status; False with reason APIServiceConflict when
	// the APIService belongs to someone else (it is left untouched).
	// +optional
	// +kubebuilder:validation:Enum=True;False;Unknown
	Available metav1.ConditionStatus `json:"available,omitempty"`
	// Reason from the APIService's Available condition (e.g. MissingEndpoints, FailedDiscoveryCheck), or
	// APIServiceConflict.
	// +optional
	Reason string `json:"reason,omitempty"`
	// Message from the APIService's Available condition.
	// +optional
	Message string `json:"message,omitempty"`
	// AdoptedFrom names who the APIService belonged to when the operator adopted it (spec.apiServices[].adopt).
	// +optional
	AdoptedFrom string `json:"adoptedFrom,omitempty"`
}

// CertificatesStatus reports certificate lifetimes, the CAs in the caBundle, and the forced renewals handled.
type CertificatesStatus struct {
	// ServingNotAfter is when the serving certificate expires.
	// +optional
	ServingNotAfter *metav1.Time `json:"servingNotAfter,omitempty"`
	// CANotAfter is when the current CA expires (cert-manager mode: the chain's CA Certificate; unset with
	// an issuerRef, whose CA is the issuer's).
	// +optional
	CANotAfter *metav1.Time `json:"caNotAfter,omitempty"`
	// NextRenewal is when the operator renews next (serving certificate or CA, whichever is first); in
	// cert-manager mode when cert-manager renews the serving certificate (its status.renewalTime).
	// +optional
	NextRenewal *metav1.Time `json:"nextRenewal,omitempty"`
	// CASource is SelfSigned, or Secret/<name> with spec.certificates.caSecretRef.
	// +optional
	CASource string `json:"caSource,omitempty"`
	// CABundle lists the CAs of the APIServices' caBundle, the current CA first, and why each is kept.
	// +optional
	// +listType=atomic
	CABundle []BundledCA `json:"caBundle,omitempty"`
	// EndpointsOnCurrentCA is how many ready endpoints of the Service were seen serving a certificate of the
	// current CA, of how many, e.g. 1/2; checked only while an older CA waits for that proof.
	// +optional
	EndpointsOnCurrentCA string `json:"endpointsOnCurrentCA,omitempty"`
	// RenewServingCertHandled is the last value of the annotation aggregation.example.com/renew-serving-cert
	// acted on; a different value renews the serving certificate once.
	// +optional
	RenewServingCertHandled string `json:"renewServingCertHandled,omitempty"`
	// RotateCAHandled is the last value of the annotation aggregation.example.com/rotate-ca acted on; a
	// different value rotates the self-signed CA once.
	// +optional
	RotateCAHandled string `json:"rotateCAHandled,omitempty"`
}

// BundledCA is one CA of the caBundle.
type BundledCA struct {
	// Subject of the CA certificate.
	Subject string `json:"subject"`
	// Serial number of the CA certificate (hex).
	Serial string `json:"serial"`
	// NotAfter is when the CA expires.
	NotAfter metav1.Time `json:"notAfter"`
	// Reason it is kept: Current (it signs the serving certificate) or PendingProof (a pod may still serve a
	// certificate it signed; kept until every ready endpoint serves one of the current CA, or it expires).
	// +kubebuilder:validation:Enum=Current;PendingProof
	Reason string `json:"reason"`
}

// CustomApiServer turns one object into a complete API aggregation setup: namespace, RBAC, certificates,
// Deployment, Service and APIServices of an aggregated API server.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,shortName=cas,categories=aggregation
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Replicas",type=string,JSONPath=`.status.replicas`
// +kubebuilder:printcolumn:name="APIServices",type=string,JSONPath=`.status.apiServicesSummary`
// +kubebuilder:printcolumn:name="Cert-Expiry",type=string,JSONPath=`.status.certificates.servingNotAfter`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`,priority=1
// +kubebuilder:validation:XValidation:rule="has(self.spec.namespace) || !self.metadata.name.startsWith('kube-')",message="without spec.namespace the apiserver runs in a namespace named after the CustomApiServer, and kube- namespaces (kube-system, kube-public, kube-node-lease) are the cluster's own: set spec.namespace or choose another name",fieldPath=".spec.namespace"
// +kubebuilder:validation:XValidation:rule="!has(self.spec.certificates.caSecretRef) || !(self.spec.certificates.caSecretRef.name in [self.metadata.name + '-ca', self.metadata.name + '-serving-cert'])",message="spec.certificates.caSecretRef must name the user's own Secret, not <name>-ca or <name>-serving-cert, which the operator writes",fieldPath=".spec.certificates.caSecretRef.name"
// +kubebuilder:validation:XValidation:rule="!has(self.spec.storage) || !has(self.spec.storage.managed) || self.metadata.name.size() <= 47",message="with spec.storage.managed, metadata.name must be at most 47 characters: it names the etcd StatefulSet <name>-etcd, whose pods carry a label of its name and a hash that must fit in 63 characters"
// +kubebuilder:validation:XValidation:rule="self.metadata.name.size() <= 56 && self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",message="metadata.name must be a DNS label of at most 56 characters starting with a letter (it names the Service, and the default namespace)"
type CustomApiServer struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +kubebuilder:validation:Required
	Spec   CustomApiServerSpec   `json:"spec"`
	Status CustomApiServerStatus `json:"status,omitempty"`
}

// CustomApiServerList is a list of CustomApiServers.
// +kubebuilder:object:root=true
type CustomApiServerList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []CustomApiServer `json:"items"`
}
