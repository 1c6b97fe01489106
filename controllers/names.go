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
	"fmt"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/internal/contract"
)

const (
	// FieldManager is the one server-side-apply field manager for every child.
	FieldManager = "aggregation-operator"
	// Finalizer makes deletion remove the APIServices before anything else goes.
	Finalizer = "aggregation.example.com/apiservices"
	// LabelOwner names the CustomApiServer a child belongs to (APIService events are mapped back by it).
	LabelOwner = "aggregation.example.com/customapiserver"

	certDir = contract.CertDir
	dataDir = contract.DataDir
	dsnDir  = contract.PostgresDSNDir
)

// names are the names of every child of one CustomApiServer.
type names struct {
	Namespace          string
	ServiceAccount     string
	Service            string
	Deployment         string
	PDB                string
	ClusterRole        string
	ClusterRoleBinding string
	AuthDelegator      string
	AuthReader         string // RoleBinding in kube-system
	Role               string // leases and events in its own namespace
	CASecret           string
	ServingSecret      string
	// Managed etcd (spec.storage.managed): StatefulSet, headless Service and PodDisruptionBudget share Etcd.
	Etcd             string
	EtcdCASecret     string // the etcd CA, never mounted
	EtcdPeerSecret   string // the members' server and peer certificate, mounted into etcd
	EtcdClientSecret string // the apiserver's client certificate, mounted into the apiserver (ca.crt, tls.crt, tls.key)
}

func namesFor(cas *aggv1alpha1.CustomApiServer) names {
	ns := cas.Spec.Namespace
	if ns == "" {
		ns = cas.Name
	}
	n := cas.Name
	return names{
		Namespace:          ns,
		ServiceAccount:     n,
		Service:            n,
		Deployment:         n,
		PDB:                n,
		ClusterRole:        "aggregation:" + n,
		ClusterRoleBinding: "aggregation:" + n,
		AuthDelegator:      "aggregation:" + n + ":auth-delegator",
		AuthReader:         "aggregation:" + n + ":auth-reader",
		Role:               n,
		CASecret:           n + "-ca",
		ServingSecret:      n + "-serving-cert",
		Etcd:               n + "-etcd",
		EtcdCASecret:       n + "-etcd-ca",
		EtcdPeerSecret:     n + "-etcd-peer",
		EtcdClientSecret:   n + "-etcd-client",
	}
}

// apiServiceName is the name the aggregator requires: <version>.<group>.
func apiServiceName(s aggv1alpha1.APIServiceSpec) string {
	return fmt.Sprintf("%s.%s", s.Version, s.Group)
}

// servingDNSNames are the names a client may use for the Service; the aggregator uses <svc>.<ns>.svc.
func servingDNSNames(n names) []string {
	return []string{
		n.Service,
		n.Service + "." + n.Namespace,
		n.Service + "." + n.Namespace + ".svc",
		n.Service + "." + n.Namespace + ".svc.cluster.local",
	}
}

// selectorLabels select the apiserver pods of one CustomApiServer.
func selectorLabels(cas *aggv1alpha1.CustomApiServer) map[string]string {
	return map[string]string{
		LabelOwner:                    cas.Name,
		"app.kubernetes.io/component": "apiserver",
	}
}

// childLabels go on every child.
func childLabels(cas *aggv1alpha1.CustomApiServer) map[string]string {
	return map[string]string{
		LabelOwner:                     cas.Name,
		"app.kubernetes.io/name":       "aggregated-apiserver",
		"app.kubernetes.io/instance":   cas.Name,
		"app.kubernetes.io/managed-by": "aggregation-operator",
	}
}
