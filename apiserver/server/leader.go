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

package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/google/uuid"
	"k8s.io/client-go/kubernetes"
	restclient "k8s.io/client-go/rest"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
	"k8s.io/klog/v2"
)

// leaseName is the Lease the replicas of one installation compete for.
const leaseName = "metricsnapshot-apiserver-collector"

// runLeaderElected runs work while this replica holds the Lease in namespace, and competes
// again after losing it, until ctx ends. Losing the Lease cancels work's context.
func runLeaderElected(ctx context.Context, cluster *restclient.Config, namespace string, work func(context.Context) error) error {
	if cluster == nil {
		return errors.New("leader election needs a cluster connection (in-cluster config or --kubeconfig)")
	}
	client, err := kubernetes.NewForConfig(cluster)
	if err != nil {
		return fmt.Errorf("creating client for leader election: %w", err)
	}
	host, _ := os.Hostname()
	identity := host + "_" + uuid.NewString()
	lock, err := resourcelock.New(resourcelock.LeasesResourceLock, namespace, leaseName,
		client.CoreV1(), client.CoordinationV1(), resourcelock.ResourceLockConfig{Identity: identity})
	if err != nil {
		return fmt.Errorf("creating Lease lock %s/%s: %w", namespace, leaseName, err)
	}
	logger := klog.FromContext(ctx).WithValues("lease", namespace+"/"+leaseName, "identity", identity)
	for ctx.Err() == nil {
		leaderelection.RunOrDie(ctx, leaderelection.LeaderElectionConfig{
			Lock:            lock,
			LeaseDuration:   15 * time.Second,
			RenewDeadline:   10 * time.Second,
			RetryPeriod:     2 * time.Second,
			ReleaseOnCancel: true,
			Name:            leaseName,
			Callbacks: leaderelection.LeaderCallbacks{
				OnStartedLeading: func(ctx context.Context) {
					logger.Info("leading: collecting")
					if err := work(ctx); err != nil && ctx.Err() == nil {
						logger.Error(err, "collector stopped")
					}
				},
				OnStoppedLeading: func() { logger.Info("not leading: collection stopped") },
			},
		})
	}
	return nil
}
