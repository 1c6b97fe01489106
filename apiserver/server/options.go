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

// Package server wires the MetricSnapshot apiserver: flags -> Options (Complete, Validate) ->
// Config -> Server, started by Run.
package server

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/util/sets"
	genericoptions "k8s.io/apiserver/pkg/server/options"

	"example.com/aggregation-operator/apiserver/apis/metrics"
	"example.com/aggregation-operator/internal/contract"
)

// DefaultAPIGroup is the group served unless --api-group says otherwise.
const DefaultAPIGroup = metrics.GroupName

// Options are the command-line options of the apiserver. Complete derives what they imply, once;
// Validate, Config and Run only read the completed options.
type Options struct {
	// Recommended are k8s.io/apiserver's options but etcd's: the embedded etcd stands in for
	// --etcd-servers, so Etcd is validated and applied here.
	Recommended *genericoptions.RecommendedOptions
	Etcd        *genericoptions.EtcdOptions

	// Local serves without a cluster: no delegated authn/authz, no kubeconfig, no leader election.
	Local bool
	// LocalAllowNonLoopback lets --local bind to an address other hosts reach. Without it Validate
	// refuses: --local serves every request as an all-powerful user, unauthenticated.
	LocalAllowNonLoopback bool
	// Storage is --storage-backend and the PostgreSQL DSN.
	Storage storageOptions
	// DataDir holds the embedded etcd when --etcd-servers is empty (kine's socket with
	// --storage-backend=postgres); empty after Complete means a temporary directory, which Run removes.
	DataDir string
	// Sources are --source name=url flags.
	Sources []string
	// LeaderElect makes only the elected replica collect; Complete turns it off with --local.
	LeaderElect bool
	// LeaderElectionNamespace holds the Lease (POD_NAMESPACE by default).
	LeaderElectionNamespace string
	// QueryTimeout bounds one Prometheus query.
	QueryTimeout time.Duration
	// ShutdownDelay keeps serving after SIGTERM, with /readyz failing, so the aggregator stops sending
	// requests to a terminating pod before it stops listening (else rollouts fail requests).
	ShutdownDelay time.Duration
	// ShutdownTimeout bounds the shutdown after ShutdownDelay: in-flight requests get this long, and
	// the process exits when it has not stopped by then (see forcedExit).
	ShutdownTimeout time.Duration
	// Workers is the number of concurrent collections.
	Workers int
	// APIGroup is the group MetricSnapshots are served in, as <APIGroup>/v2 and <APIGroup>/v1.
	APIGroup string

	// sources are Sources parsed by Complete: name -> URL.
	sources map[string]string
	// forced ends the process when a stop signal does not; nil when the server runs inside another
	// program (tests).
	forced *forcedExit
}

// NewOptions returns the defaults described in DEVELOPERS.md.
func NewOptions() *Options {
	// The storage codec and versioner depend on --api-group: Config sets them.
	recommended := genericoptions.NewRecommendedOptions(etcdPathPrefix(DefaultAPIGroup), nil)
	o := &Options{
		Recommended:             recommended,
		Etcd:                    recommended.Etcd,
		APIGroup:                DefaultAPIGroup,
		LeaderElect:             true,
		LeaderElectionNamespace: os.Getenv("POD_NAMESPACE"),
		QueryTimeout:            10 * time.Second,
		// k8s.io/apiserver's default (its RequestTimeout, which bounds in-flight requests).
		ShutdownTimeout: 60 * time.Second,
		Workers:         4,
	}
	recommended.Etcd = nil
	recommended.SecureServing.BindPort = 6443
	recommended.SecureServing.ServerCert.PairName = contract.CertPairName
	// No cert dir by default: in-memory self-signed certificates unless --cert-dir or --tls-cert-file is given,
	// so nothing is written to a read-only root filesystem.
	recommended.SecureServing.ServerCert.CertDirectory = ""
	// API Priority and Fairness would need RBAC on flowcontrol objects the operator does not grant.
	recommended.Features.EnablePriorityAndFairness = false
	// Admission policies would need RBAC on their objects; keep the namespace and webhook plugins.
	recommended.Admission.DefaultOffPlugins = sets.New("ValidatingAdmissionPolicy", "MutatingAdmissionPolicy")
	return o
}

// AddFlags registers all flags.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	// k8s.io/apiserver's --storage-backend takes etcd3 only; this server's takes postgres too.
	etcd := pflag.NewFlagSet("etcd", pflag.ContinueOnError)
	o.Etcd.AddFlags(etcd)
	etcd.VisitAll(func(f *pflag.Flag) {
		if f.Name != "storage-backend" {
			fs.AddFlag(f)
		}
	})
	o.Storage.addFlags(fs)
	o.Recommended.AddFlags(fs)
	fs.BoolVar(&o.Local, "local", o.Local, "Run outside a cluster: every request is served as the all-powerful user "+
		LocalUser+" (no delegated authentication or authorization, no kubeconfig), no leader election, "+
		"bind to 127.0.0.1 unless --bind-address is given, and keep embedded etcd in a temporary directory unless --data-dir is given.")
	fs.BoolVar(&o.LocalAllowNonLoopback, "local-allow-non-loopback", o.LocalAllowNonLoopback, "Let --local bind to a "+
		"--bind-address that is not loopback, exposing the unauthenticated all-powerful "+LocalUser+" to every host that reaches it.")
	fs.StringVar(&o.DataDir, "data-dir", o.DataDir, "Directory of the embedded etcd, used when --etcd-servers is empty (default "+
		contract.DataDir+", or a temporary directory with --local). With --storage-backend=postgres it holds "+
		"only kine's socket (default a temporary directory).")
	fs.StringArrayVar(&o.Sources, "source", o.Sources, "A Prometheus source as name=url, e.g. prometheus=http://prometheus:9090. Repeatable.")
	fs.BoolVar(&o.LeaderElect, "leader-elect", o.LeaderElect, "Collect only while holding a Lease, so one of several replicas collects. Ignored with --local.")
	fs.StringVar(&o.LeaderElectionNamespace, "leader-election-namespace", o.LeaderElectionNamespace, "Namespace of the leader election Lease (default $POD_NAMESPACE).")
	fs.DurationVar(&o.QueryTimeout, "query-timeout", o.QueryTimeout, "Timeout of one Prometheus query.")
	fs.IntVar(&o.Workers, "collector-workers", o.Workers, "Number of MetricSnapshots collected concurrently.")
	fs.DurationVar(&o.ShutdownDelay, "shutdown-delay-duration", o.ShutdownDelay, "After SIGTERM, keep serving this long "+
		"with /readyz failing, so load balancers and the aggregator stop sending requests first (as kube-apiserver's flag).")
	fs.DurationVar(&o.ShutdownTimeout, "shutdown-timeout", o.ShutdownTimeout, "After SIGTERM and --shutdown-delay-duration, "+
		"the longest in-flight requests may take and the shutdown may last: a server still running then "+
		"(or on a second SIGTERM) removes its temporary data dir and exits with status 1.")
	fs.StringVar(&o.APIGroup, "api-group", o.APIGroup, "API group MetricSnapshots are served in, as <api-group>/v2 and <api-group>/v1 (deprecated) "+
		"(a DNS subdomain with at least one dot; the APIServices must name the same group). "+
		"Objects are kept under /registry/<api-group> in etcd unless --etcd-prefix is given.")
}

// etcdPathPrefix is where objects of group live in etcd (shared etcd clusters keep groups apart).
func etcdPathPrefix(group string) string { return "/registry/" + group }

// embedded reports whether storage is the embedded etcd (no --etcd-servers, not postgres).
func (o *Options) embedded() bool {
	return !o.Storage.postgres() && len(o.Etcd.StorageConfig.Transport.ServerList) == 0
}

// inProcessStore reports whether Run starts the store the server talks to (embedded etcd or kine).
func (o *Options) inProcessStore() bool { return o.embedded() || o.Storage.postgres() }

// Complete parses --source and fills what other flags imply. bindAddressSet tells whether the user
// chose --bind-address. It starts and creates nothing: Run does.
func (o *Options) Complete(bindAddressSet bool) error {
	sources, err := parseSources(o.Sources)
	if err != nil {
		return err
	}
	o.sources = sources
	if err := o.Storage.complete(); err != nil {
		return err
	}
	// Another group gets its own etcd prefix, unless the user chose one.
	if o.Etcd.StorageConfig.Prefix == etcdPathPrefix(DefaultAPIGroup) {
		o.Etcd.StorageConfig.Prefix = etcdPathPrefix(o.APIGroup)
	}
	if o.Local {
		o.LeaderElect = false
		if !bindAddressSet {
			o.Recommended.SecureServing.BindAddress = []byte{127, 0, 0, 1}
		}
	}
	if o.embedded() && o.DataDir == "" && !o.Local {
		o.DataDir = contract.DataDir
	}
	if o.LeaderElect && o.LeaderElectionNamespace == "" {
		if ns, err := os.ReadFile("/var/run/secrets/kubernetes.io/serviceaccount/namespace"); err == nil {
			o.LeaderElectionNamespace = strings.TrimSpace(string(ns))
		}
	}
	return nil
}

// Validate checks the completed options.
func (o *Options) Validate() error {
	errs := o.Recommended.Validate()
	etcd := *o.Etcd
	errs = append(errs, o.Storage.validate(etcd.StorageConfig.Transport.ServerList)...)
	if o.inProcessStore() {
		// The embedded etcd or kine stands in for --etcd-servers; the other --etcd-* flags apply to it too.
		etcd.StorageConfig.Transport.ServerList = []string{"in-process"}
	}
	errs = append(errs, etcd.Validate()...)
	if err := validateAPIGroup(o.APIGroup); err != nil {
		errs = append(errs, err)
	}
	if o.LeaderElect && o.LeaderElectionNamespace == "" {
		errs = append(errs, errors.New("--leader-elect needs a namespace: set POD_NAMESPACE or --leader-election-namespace"))
	}
	if o.Workers < 1 {
		errs = append(errs, errors.New("--collector-workers must be at least 1"))
	}
	if o.ShutdownDelay < 0 {
		errs = append(errs, errors.New("--shutdown-delay-duration must not be negative"))
	}
	if o.ShutdownTimeout <= 0 {
		errs = append(errs, errors.New("--shutdown-timeout must be positive"))
	}
	if err := o.validateLocalBind(); err != nil {
		errs = append(errs, err)
	}
	if o.QueryTimeout <= 0 {
		errs = append(errs, errors.New("--query-timeout must be positive"))
	}
	return errors.Join(errs...)
}

// validateLocalBind refuses --local on an address other hosts reach, unless the user said so.
func (o *Options) validateLocalBind() error {
	addr := o.Recommended.SecureServing.BindAddress
	if !o.Local || o.LocalAllowNonLoopback || addr.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--local serves every request as the all-powerful user %s without authentication, "+
		"so it binds to loopback only: --bind-address=%s would expose it to other hosts; "+
		"use 127.0.0.1 or ::1, or add --local-allow-non-loopback if you mean it", LocalUser, addr)
}
