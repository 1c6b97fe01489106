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

package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	config "github.com/cert-manager/cert-manager/internal/apis/config/controller"
	"github.com/cert-manager/cert-manager/internal/apis/config/controller/validation"
	"github.com/cert-manager/cert-manager/internal/pem"
	"github.com/cert-manager/cert-manager/pkg/controller"
	"github.com/cert-manager/cert-manager/pkg/healthz"
	logf "github.com/cert-manager/cert-manager/pkg/logs"
	"github.com/spf13/pflag"
	"golang.org/x/sync/errgroup"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"

	// Controllers and issuer types register themselves when imported, as in upstream's controller.
	_ "github.com/cert-manager/cert-manager/pkg/controller/acmechallenges"
	_ "github.com/cert-manager/cert-manager/pkg/controller/acmeorders"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificate-shim/ingresses"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/trigger"
	_ "github.com/cert-manager/cert-manager/pkg/controller/clusterissuers"
	_ "github.com/cert-manager/cert-manager/pkg/controller/issuers"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/acme"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/ca"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/selfsigned"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/vault"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/venafi"
)

// controllerLease is the Lease the controller replicas elect a leader with (the chart's RBAC names it).
const controllerLease = "cert-manager-controller"

func runController(ctx context.Context, args []string) error {
	cfg, err := controllerConfig()
	if err != nil {
		return err
	}
	fs := pflag.NewFlagSet("controller", pflag.ContinueOnError)
	controllerFlags(fs, cfg)
	if err := parseFlags(fs, args, &cfg.Logging, cfg.FeatureGates, func() field.ErrorList {
		return validation.ValidateControllerConfiguration(cfg, nil)
	}); err != nil {
		return err
	}
	limits := cfg.PEMSizeLimitsConfig
	pem.SetGlobalSizeLimits(pem.NewSizeLimitsFromConfig(limits.MaxCertificateSize, limits.MaxPrivateKeySize, limits.MaxChainLength, limits.MaxBundleSize))
	return runControllers(ctx, cfg)
}

// runControllers serves metrics and /livez at once, then, once leader, runs every enabled control
// loop and starts the shared informers they registered with. It returns when ctx ends or one fails.
func runControllers(ctx context.Context, cfg *config.ControllerConfiguration) error {
	log := logf.FromContext(ctx)
	g, ctx := errgroup.WithContext(ctx)
	opts, err := contextOptions(cfg)
	if err != nil {
		return err
	}
	factory, err := controller.NewContextFactory(ctx, opts)
	if err != nil {
		return fmt.Errorf("building the controller context: %w", err)
	}
	base, err := factory.Build()
	if err != nil {
		return fmt.Errorf("building the controller context: %w", err)
	}

	informers := base.SharedInformerFactory.Certmanager().V1()
	base.Metrics.SetupACMECollector(base.SharedInformerFactory.Acme().V1().Challenges().Lister())
	base.Metrics.SetupCertificateCollector(informers.Certificates().Lister())
	base.Metrics.SetupIssuerCollector(informers.Issuers().Lister())
	base.Metrics.SetupClusterIssuerCollector(informers.ClusterIssuers().Lister())
	if err := serveMetrics(ctx, g, base.Metrics.NewServer, cfg.MetricsListenAddress); err != nil {
		return err
	}
	health := healthz.NewServer(cfg.LeaderElectionConfig.HealthzTimeout)
	healthLn, err := listen(ctx, cfg.HealthzListenAddress)
	if err != nil {
		return err
	}
	g.Go(func() error { return health.Start(ctx, healthLn) })

	elected := make(chan struct{})
	if cfg.LeaderElectionConfig.Enabled {
		g.Go(func() error { return leadOrFail(ctx, factory, cfg, health.LeaderHealthzAdaptor, elected) })
	} else {
		close(elected)
	}
	select {
	case <-ctx.Done():
		return g.Wait()
	case <-elected:
	}

	enabled := enabledControllers(cfg)
	log.Info("running controllers", "controllers", sets.List(enabled))
	for name, newController := range controller.Known() {
		if !enabled.Has(name) {
			continue
		}
		c, err := newController(factory)
		if err != nil {
			err = fmt.Errorf("building controller %s: %w", name, err)
			return errors.Join(err, g.Wait())
		}
		g.Go(func() error { return c.Run(cfg.NumberOfConcurrentWorkers, ctx) })
	}
	// Informers start only now: the controllers above registered the ones they need.
	base.SharedInformerFactory.Start(ctx.Done())
	base.KubeSharedInformerFactory.Start(ctx.Done())
	base.HTTP01ResourceMetadataInformersFactory.Start(ctx.Done())
	err = g.Wait()
	base.HTTP01ResourceMetadataInformersFactory.Shutdown()
	base.KubeSharedInformerFactory.Shutdown()
	base.SharedInformerFactory.Shutdown()
	return err
}

// serveMetrics serves cert-manager's Prometheus metrics over plain HTTP until ctx ends.
func serveMetrics(ctx context.Context, g *errgroup.Group, newServer func(net.Listener) *http.Server, addr string) error {
	ln, err := listen(ctx, addr)
	if err != nil {
		return err
	}
	srv := newServer(ln)
	g.Go(func() error {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serving metrics: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		return srv.Shutdown(shutdownCtx)
	})
	return nil
}

func listen(ctx context.Context, addr string) (net.Listener, error) {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", addr, err)
	}
	return ln, nil
}

// leadOrFail campaigns for the controller Lease, closes elected once it holds it, and returns an
// error if it loses it while ctx is live (the process then exits and the kubelet restarts it).
func leadOrFail(ctx context.Context, factory *controller.ContextFactory, cfg *config.ControllerConfiguration, watchdog *leaderelection.HealthzAdaptor, elected chan struct{}) error {
	le, err := factory.Build("leader-election")
	if err != nil {
		return fmt.Errorf("building the leader election client: %w", err)
	}
	host, err := os.Hostname()
	if err != nil {
		return fmt.Errorf("reading the hostname for the leader election identity: %w", err)
	}
	lock, err := resourcelock.NewWithLabels(resourcelock.LeasesResourceLock, cfg.LeaderElectionConfig.Namespace, controllerLease,
		le.Client.CoreV1(), le.Client.CoordinationV1(),
		resourcelock.ResourceLockConfig{Identity: host, EventRecorder: le.Recorder},
		map[string]string{"app.kubernetes.io/managed-by": "cert-manager"})
	if err != nil {
		return fmt.Errorf("creating the leader election lock: %w", err)
	}
	elector, err := leaderelection.NewLeaderElector(leaderelection.LeaderElectionConfig{
		Lock:            lock,
		LeaseDuration:   cfg.LeaderElectionConfig.LeaseDuration,
		RenewDeadline:   cfg.LeaderElectionConfig.RenewDeadline,
		RetryPeriod:     cfg.LeaderElectionConfig.RetryPeriod,
		ReleaseOnCancel: true,
		WatchDog:        watchdog,
		Callbacks: leaderelection.LeaderCallbacks{
			OnStartedLeading: func(context.Context) { close(elected) },
			OnStoppedLeading: func() {},
		},
	})
	if err != nil {
		return fmt.Errorf("creating the leader elector: %w", err)
	}
	elector.Run(ctx) // returns when ctx ends or the Lease is lost
	if ctx.Err() != nil {
		return nil
	}
	return errors.New("leader election lost")
}
