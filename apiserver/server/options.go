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

// Package server wires the MetricSnapshot apiserver: Options (flags) -> Config -> Server -> Run.
package server

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/util/sets"
	genericoptions "k8s.io/apiserver/pkg/server/options"

	"example.com/aggregation-operator/apiserver/apis/metrics"
)

const (
	// DefaultAPIGroup is the group served unless --api-group says otherwise.
	DefaultAPIGroup = metrics.GroupName
	// DefaultDataDir holds the embedded etcd in a cluster (an emptyDir, see DEVELOPERS.md).
	DefaultDataDir = "/var/lib/metricsnapshot"
	// certPairName makes --cert-dir read tls.crt/tls.key, the keys of a kubernetes.io/tls Secret.
	certPairName = "tls"
)

// Options are the command-line options of the apiserver.
type Options struct {
	Recommended *genericoptions.RecommendedOptions

	// Local serves without a cluster: no delegated authn/authz, no kubeconfig, no leader election.
	Local bool
	// DataDir holds the embedded etcd when --etcd-servers is empty.
	DataDir string
	// Sources are --source name=url flags.
	Sources []string
	// LeaderElect makes only the elected replica collect.
	LeaderElect bool
	// LeaderElectionNamespace holds the Lease (POD_NAMESPACE by default).
	LeaderElectionNamespace string
	// QueryTimeout bounds one Prometheus query.
	QueryTimeout time.Duration
	// ShutdownDelay keeps serving after SIGTERM, with /readyz failing, so the aggregator stops sending
	// requests to a terminating pod before it stops listening (else rollouts fail requests).
	ShutdownDelay time.Duration
	// Workers is the number of concurrent collections.
	Workers int
	// APIGroup is the group MetricSnapshots are served in, as <APIGroup>/v1.
	APIGroup string

	// tempDataDir is set when Complete made DataDir up (--local without --data-dir); it is removed on exit.
	tempDataDir bool
}

// TemporaryDataDir reports whether DataDir is a temporary directory to remove after the run.
func (o *Options) TemporaryDataDir() bool { return o.tempDataDir }

// NewOptions returns the defaults described in DEVELOPERS.md.
func NewOptions() *Options {
	o := &Options{
		// The storage codec and versioner depend on --api-group: Config sets them.
		Recommended:             genericoptions.NewRecommendedOptions(etcdPathPrefix(DefaultAPIGroup), nil),
		APIGroup:                DefaultAPIGroup,
		LeaderElect:             true,
		LeaderElectionNamespace: os.Getenv("POD_NAMESPACE"),
		QueryTimeout:            10 * time.Second,
		Workers:                 4,
	}
	o.Recommended.SecureServing.BindPort = 6443
	o.Recommended.SecureServing.ServerCert.PairName = certPairName
	// No cert dir by default: in-memory self-signed certificates unless --cert-dir or --tls-cert-file is given,
	// so nothing is written to a read-only root filesystem.
	o.Recommended.SecureServing.ServerCert.CertDirectory = ""
	// API Priority and Fairness would need RBAC on flowcontrol objects the operator does not grant.
	o.Recommended.Features.EnablePriorityAndFairness = false
	// Admission policies would need RBAC on their objects; keep the namespace and webhook plugins.
	o.Recommended.Admission.DefaultOffPlugins = sets.New("ValidatingAdmissionPolicy", "MutatingAdmissionPolicy")
	return o
}

// AddFlags registers all flags.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	o.Recommended.AddFlags(fs)
	fs.BoolVar(&o.Local, "local", o.Local, "Run outside a cluster: every request is served as the all-powerful user "+
		LocalUser+" (no delegated authentication or authorization, no kubeconfig), no leader election, "+
		"bind to 127.0.0.1 unless --bind-address is given, and keep embedded etcd in a temporary directory unless --data-dir is given.")
	fs.StringVar(&o.DataDir, "data-dir", o.DataDir, "Directory of the embedded etcd, used when --etcd-servers is empty (default "+
		DefaultDataDir+", or a temporary directory with --local).")
	fs.StringArrayVar(&o.Sources, "source", o.Sources, "A Prometheus source as name=url, e.g. prometheus=http://prometheus:9090. Repeatable.")
	fs.BoolVar(&o.LeaderElect, "leader-elect", o.LeaderElect, "Collect only while holding a Lease, so one of several replicas collects. Ignored with --local.")
	fs.StringVar(&o.LeaderElectionNamespace, "leader-election-namespace", o.LeaderElectionNamespace, "Namespace of the leader election Lease (default $POD_NAMESPACE).")
	fs.DurationVar(&o.QueryTimeout, "query-timeout", o.QueryTimeout, "Timeout of one Prometheus query.")
	fs.IntVar(&o.Workers, "collector-workers", o.Workers, "Number of MetricSnapshots collected concurrently.")
	fs.DurationVar(&o.ShutdownDelay, "shutdown-delay-duration", o.ShutdownDelay, "After SIGTERM, keep serving this long "+
		"with /readyz failing, so load balancers and the aggregator stop sending requests first (as kube-apiserver's flag).")
	fs.StringVar(&o.APIGroup, "api-group", o.APIGroup, "API group MetricSnapshots are served in, as <api-group>/v1 "+
		"(a DNS subdomain with at least one dot; the APIService must name the same group). "+
		"Objects are kept under /registry/<api-group> in etcd unless --etcd-prefix is given.")
}

// etcdPathPrefix is where objects of group live in etcd (shared etcd clusters keep groups apart).
func etcdPathPrefix(group string) string { return "/registry/" + group }

// Embedded reports whether storage is the embedded etcd.
func (o *Options) Embedded() bool {
	return len(o.Recommended.Etcd.StorageConfig.Transport.ServerList) == 0
}

// Complete fills defaults that depend on other flags. bindAddressSet tells whether the user chose --bind-address.
func (o *Options) Complete(bindAddressSet bool) error {
	// Another group gets its own etcd prefix, unless the user chose one.
	if o.Recommended.Etcd.StorageConfig.Prefix == etcdPathPrefix(DefaultAPIGroup) {
		o.Recommended.Etcd.StorageConfig.Prefix = etcdPathPrefix(o.APIGroup)
	}
	if o.Local && !bindAddressSet {
		o.Recommended.SecureServing.BindAddress = []byte{127, 0, 0, 1}
	}
	if o.Embedded() && o.DataDir == "" {
		if !o.Local {
			o.DataDir = DefaultDataDir
		} else {
			dir, err := os.MkdirTemp("", "metricsnapshot-apiserver-")
			if err != nil {
				return fmt.Errorf("creating a temporary data dir: %w", err)
			}
			o.DataDir = filepath.Clean(dir)
			o.tempDataDir = true
		}
	}
	if o.LeaderElect && !o.Local && o.LeaderElectionNamespace == "" {
		if ns, err := os.ReadFile("/var/run/secrets/kubernetes.io/serviceaccount/namespace"); err == nil {
			o.LeaderElectionNamespace = strings.TrimSpace(string(ns))
		}
	}
	return nil
}

// Validate checks the options.
func (o *Options) Validate() error {
	var errs []error
	for _, err := range o.Recommended.Validate() {
		// The embedded etcd stands in for --etcd-servers.
		if o.Embedded() && strings.Contains(err.Error(), "--etcd-servers must be specified") {
			continue
		}
		errs = append(errs, err)
	}
	if _, err := ParseSources(o.Sources); err != nil {
		errs = append(errs, err)
	}
	if err := validateAPIGroup(o.APIGroup); err != nil {
		errs = append(errs, err)
	}
	if o.LeaderElect && !o.Local && o.LeaderElectionNamespace == "" {
		errs = append(errs, errors.New("--leader-elect needs a namespace: set POD_NAMESPACE or --leader-election-namespace"))
	}
	if o.Workers < 1 {
		errs = append(errs, errors.New("--collector-workers must be at least 1"))
	}
	if o.ShutdownDelay < 0 {
		errs = append(errs, errors.New("--shutdown-delay-duration must not be negative"))
	}
	if o.QueryTimeout <= 0 {
		errs = append(errs, errors.New("--query-timeout must be positive"))
	}
	return errors.Join(errs...)
}
