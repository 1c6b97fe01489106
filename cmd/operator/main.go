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

// Command operator runs the CustomApiServer operator.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	cmv1 "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	apiregv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
	"example.com/aggregation-operator/controllers"
	"example.com/aggregation-operator/internal/version"
)

func main() {
	err := run(ctrl.SetupSignalHandler(), os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "operator:", err)
		os.Exit(1)
	}
}

// run parses flags, checks the cluster and runs the manager until ctx ends. The cluster comes from
// --kubeconfig, $KUBECONFIG, the in-cluster config or ~/.kube/config, in that order.
func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("operator", flag.ContinueOnError)
	metricsAddr := fs.String("metrics-bind-address", ":8443", "Address of the Prometheus metrics endpoint (0 turns it off).")
	metricsSecure := fs.Bool("metrics-secure", true, "Serve metrics over HTTPS to authenticated, authorized callers only; false serves plain HTTP to anyone (local runs).")
	metricsCertDir := fs.String("metrics-cert-dir", "", "Directory with tls.crt and tls.key for the metrics endpoint (default: a self-signed certificate).")
	probeAddr := fs.String("health-probe-bind-address", ":8081", "Address of the /healthz and /readyz endpoints.")
	leaderElect := fs.Bool("leader-elect", false, "Elect a leader so only one replica reconciles.")
	image := fs.String("apiserver-image", version.APIServerImage(), "Apiserver image for CustomApiServers without spec.image.")
	etcdImage := fs.String("etcd-image", version.EtcdImage(), "etcd image of the managed etcd (spec.storage.managed) of CustomApiServers without spec.storage.managed.image.")
	kubeconfig := fs.String("kubeconfig", "", "Path to a kubeconfig (default: $KUBECONFIG, in-cluster, ~/.kube/config).")
	opts := zap.Options{}
	opts.BindFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&opts)))
	log := ctrl.Log.WithName("setup")

	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(apiregv1.AddToScheme(scheme))
	utilruntime.Must(aggv1alpha1.AddToScheme(scheme))
	utilruntime.Must(cmv1.AddToScheme(scheme)) // cert-manager mode; its CRDs may be absent

	var cfg *rest.Config
	var err error
	if *kubeconfig != "" {
		cfg, err = clientcmd.BuildConfigFromFlags("", *kubeconfig)
	} else {
		cfg, err = ctrl.GetConfig()
	}
	if err != nil {
		return fmt.Errorf("finding the cluster: %w", err)
	}
	if err := controllers.CheckAggregationServed(cfg); err != nil {
		return err
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 scheme,
		Cache:                  controllers.CacheOptions(),
		Client:                 controllers.ClientOptions(),
		Metrics:                metricsOptions(*metricsAddr, *metricsSecure, *metricsCertDir),
		HealthProbeBindAddress: *probeAddr,
		LeaderElection:         *leaderElect,
		LeaderElectionID:       "aggregation-operator.aggregation.example.com",
	})
	if err != nil {
		return fmt.Errorf("creating manager: %w", err)
	}
	r := &controllers.Reconciler{
		Client:           mgr.GetClient(),
		APIReader:        mgr.GetAPIReader(),
		Clock:            clock.RealClock{},
		DefaultImage:     *image,
		DefaultEtcdImage: *etcdImage,
		Recorder:         mgr.GetEventRecorder(controllers.EventSource),
		// No apiserver may run next to the operator's ServiceAccount and Secrets.
		OperatorNamespace: operatorNamespace(),
	}
	if err := r.SetupWithManager(ctx, mgr); err != nil {
		return fmt.Errorf("setting up controller: %w", err)
	}
	if err := errors.Join(mgr.AddHealthzCheck("healthz", healthz.Ping), mgr.AddReadyzCheck("readyz", healthz.Ping)); err != nil {
		return fmt.Errorf("adding health checks: %w", err)
	}
	log.Info("starting", "version", version.Version, "apiserverImage", *image, "etcdImage", *etcdImage)
	return mgr.Start(ctx)
}
