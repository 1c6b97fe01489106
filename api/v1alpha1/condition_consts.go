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

// Condition types of a CustomApiServer (status.conditions); all have positive polarity (True is good).
const (
	// ConditionReady: every child is in place and the API is served (the three conditions below are True
	// and nothing is in the way). When False it carries the reason of the first problem found, so
	// `kubectl get cas -o wide` shows what to fix.
	ConditionReady = "Ready"
	// ConditionCertificatesReady: the CA and serving certificate exist, are valid and stored. In cert-manager
	// mode (spec.certificates.certManager) it mirrors the serving Certificate's Ready condition.
	ConditionCertificatesReady = "CertificatesReady"
	// ConditionStorageReady: the managed etcd cluster (spec.storage.managed) has a quorum of healthy members
	// (True with reason MembersHealthy when all are, EtcdDegraded when only a quorum is, EtcdScaling while
	// members are added or removed). Absent with any other
	// storage.
	ConditionStorageReady = "StorageReady"
	// ConditionDeploymentAvailable: the apiserver Deployment has its minimum replicas available.
	ConditionDeploymentAvailable = "DeploymentAvailable"
	// ConditionAPIServicesAvailable: every APIService is Available in the aggregator.
	ConditionAPIServicesAvailable = "APIServicesAvailable"
)

// Condition reasons. APIServicesAvailable (and status.apiServices[].reason) also mirrors the aggregator's
// own reasons (MissingEndpoints, FailedDiscoveryCheck, ServiceNotFound, EndpointsNotFound, ServicePortError).
const (
	// ReasonAvailable: all is well (Ready, DeploymentAvailable).
	ReasonAvailable = "Available"
	// ReasonIssued: certificates are valid (CertificatesReady).
	ReasonIssued = "Issued"
	// ReasonPassed: the aggregator's discovery check passed for every APIService (APIServicesAvailable).
	ReasonPassed = "Passed"
	// ReasonAPIServiceConflict: an APIService of this name exists and belongs to someone else; it was left
	// untouched. Remove that group/version from spec.apiServices or the other owner's APIService.
	// (APIServicesAvailable, and status.apiServices[] with available False.)
	ReasonAPIServiceConflict = "APIServiceConflict"
	// ReasonAdoptionPending: an APIService of this name belongs to someone else and spec.apiServices[].adopt
	// is set; it is adopted once the apiserver's Deployment is available, so requests move to pods that
	// serve (APIServicesAvailable, and status.apiServices[] with available False).
	ReasonAdoptionPending = "AdoptionPending"
	// ReasonOwnershipConflict: another child (e.g. a ClusterRole or Secret of the same name) belongs to
	// someone else and was left untouched (Ready, DeploymentAvailable).
	ReasonOwnershipConflict = "OwnershipConflict"
	// ReasonCertificateError: certificates could not be made or stored (CertificatesReady).
	ReasonCertificateError = "CertificateError"
	// ReasonCertManagerNotInstalled: spec.certificates.certManager is set but the cluster does not serve
	// cert-manager's CRDs (cert-manager.io/v1 Certificate and Issuer); install cert-manager, the operator
	// picks it up within a minute, or remove certManager to use the operator's own CA (CertificatesReady).
	ReasonCertManagerNotInstalled = "CertManagerNotInstalled"
	// ReasonCertificateNotReady: cert-manager has not issued the serving certificate (yet); the message
	// carries the Certificate's own Ready reason and message (CertificatesReady).
	ReasonCertificateNotReady = "CertificateNotReady"
	// ReasonCASecretInvalid: the Secret spec.certificates.caSecretRef names is missing or does not hold a
	// usable CA (not a CA, expired, key missing or not matching); nothing was changed (CertificatesReady).
	ReasonCASecretInvalid = "CASecretInvalid"
	// ReasonAwaitingProof: certificates are valid and an older CA stays in the caBundle until every ready
	// endpoint serves a certificate of the current CA (CertificatesReady is True with this reason).
	ReasonAwaitingProof = "AwaitingProof"
	// ReasonDeploymentUnavailable: fewer replicas are available than required; look at the pods
	// (DeploymentAvailable).
	ReasonDeploymentUnavailable = "DeploymentUnavailable"
	// ReasonStorageUnavailable: pods run but are not ready because the apiserver cannot reach its storage: its
	// own /readyz fails the etcd checks. Check spec.storage and that etcd runs (DeploymentAvailable, Ready).
	ReasonStorageUnavailable = "StorageUnavailable"
	// ReasonMembersHealthy: every member of the managed etcd cluster is healthy (StorageReady).
	ReasonMembersHealthy = "MembersHealthy"
	// ReasonEtcdDegraded: a quorum of the managed etcd's members is healthy, so the apiserver can read and
	// write, but some are not; the message names them (StorageReady is True with this reason).
	ReasonEtcdDegraded = "EtcdDegraded"
	// ReasonEtcdScaling: the managed etcd's membership is changing towards spec.storage.managed.replicas, one
	// member at a time, and a quorum is healthy, so the apiserver reads and writes throughout; the message
	// (and status.storage.scaling) says what is under way or awaited, e.g. a member not healthy, which holds
	// the next change (StorageReady is True with this reason).
	ReasonEtcdScaling = "EtcdScaling"
	// ReasonEtcdQuorumLost: fewer than a quorum (replicas/2+1) of the managed etcd's members are healthy, while
	// the cluster forms or after members were lost; the apiserver cannot write. The message names the members
	// and why each is down: look at the pods <name>-etcd-* and their PersistentVolumeClaims (StorageReady, Ready).
	ReasonEtcdQuorumLost = "EtcdQuorumLost"
	// ReasonEtcdCertificateError: the managed etcd's CA, member or client certificate could not be made or
	// stored; the operator retries (StorageReady, Ready).
	ReasonEtcdCertificateError = "EtcdCertificateError"
	// ReasonEtcdTLSSecretInvalid: the Secret spec.storage.etcd.tlsSecretRef names is missing, lacks one of
	// ca.crt, tls.crt and tls.key, or holds an unusable CA or key pair; the message names the Secret and the
	// key. The Deployment is left as it is (pods would not start, or not reach etcd) until the Secret is fixed,
	// which the operator looks for every 5 s (Ready).
	ReasonEtcdTLSSecretInvalid = "EtcdTLSSecretInvalid"
	// ReasonAvailabilityUnknown: the aggregator has not reported on an APIService yet, or it could not be
	// read (APIServicesAvailable, status.apiServices[] with available Unknown).
	ReasonAvailabilityUnknown = "AvailabilityUnknown"
	// ReasonReconcileError: a request to the API server failed; the operator retries (Ready).
	ReasonReconcileError = "ReconcileError"
	// ReasonPending: a condition Ready summarises has not been reported yet (Ready).
	ReasonPending = "Pending"
	// What the operator refuses to do for a CustomApiServer beyond what the CRD refuses (README, "Security model"):
	// ReasonNamespaceNotAllowed (Ready): the apiserver would run in the operator's own namespace, next to the
	// operator's ServiceAccount and Secrets. The CRD cannot refuse it (only the operator knows where it runs),
	// so the operator creates nothing and says so.
	ReasonNamespaceNotAllowed = "NamespaceNotAllowed"
	// ReasonRulesNotGrantable (Ready): a rule of spec.rbac.rules is not covered by any ClusterRole a cluster
	// admin labelled grantable, so the apiserver's ClusterRole goes without it; or RBAC refused the ClusterRole
	// because the operator does not hold a rule (it has no escalate).
	ReasonRulesNotGrantable = "RulesNotGrantable"
)

// Event reasons of the events the operator records on a CustomApiServer (events.k8s.io/v1). Events are
// recorded only when something changes; the conditions say what holds now.
const (
	// EventCertificateIssued (Normal): a serving certificate was issued where there was none, with a new CA
	// when there was none either.
	EventCertificateIssued = "CertificateIssued"
	// EventServingCertificateRenewed (Normal): renewBefore was reached (or the Service's names or the CA
	// changed); the pods reload the new files without restarting.
	EventServingCertificateRenewed = "ServingCertificateRenewed"
	// EventCARotated (Normal): the CA changed (renewed, forced, CA Secret lost or edited, caDuration changed,
	// user's CA swapped): the new CA is published in every caBundle next to the CAs pods may still serve with,
	// and the serving certificate it signs follows.
	EventCARotated = "CARotated"
	// EventCAPruned (Normal): an older CA left the caBundle, because every ready endpoint was seen serving a
	// certificate of the current CA, or because it expired.
	EventCAPruned = "CAPruned"
	// EventForcedRequestIgnored (Warning): the annotation aggregation.example.com/rotate-ca was set while the CA
	// is the user's (spec.certificates.caSecretRef), which the operator never rotates.
	EventForcedRequestIgnored = "ForcedRequestIgnored"
	// EventAPIServiceConflict (Warning): an APIService of a wanted name belongs to someone else (named in the
	// note) and was left untouched. Same value as ReasonAPIServiceConflict.
	EventAPIServiceConflict = ReasonAPIServiceConflict
	// EventAPIServiceAdopted (Normal): an APIService someone else installed was taken over
	// (spec.apiServices[].adopt); the note names the previous owner.
	EventAPIServiceAdopted = "APIServiceAdopted"
	// EventAPIServiceUnavailable (Warning): the aggregator reports an APIService unavailable; the note carries
	// the aggregator's reason (MissingEndpoints, FailedDiscoveryCheck, ...) and message.
	EventAPIServiceUnavailable = "APIServiceUnavailable"
	// EventAPIServiceAvailable (Normal): the aggregator reports an APIService available (again).
	EventAPIServiceAvailable = "APIServiceAvailable"
	// EventAPIServicesRemoved (Normal): APIServices were deleted, on deletion of the CustomApiServer or
	// because they left spec.apiServices.
	EventAPIServicesRemoved = "APIServicesRemoved"
	// EventEtcdMemberAdded (Normal): a member was added to the managed etcd as a learner (spec.storage.managed.replicas
	// grew); its pod starts next, and it votes once promoted.
	EventEtcdMemberAdded = "EtcdMemberAdded"
	// EventEtcdMemberPromoted (Normal): a learner of the managed etcd caught up with the leader and became a
	// voting member.
	EventEtcdMemberPromoted = "EtcdMemberPromoted"
	// EventEtcdMemberRemoved (Normal): a member was removed from the managed etcd (spec.storage.managed.replicas
	// shrank); its pod and PersistentVolumeClaim are deleted next.
	EventEtcdMemberRemoved = "EtcdMemberRemoved"
)
