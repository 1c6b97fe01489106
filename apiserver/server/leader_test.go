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
	"sync"
	"sync/atomic"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"example.com/aggregation-operator/internal/testutil"
)

// TestOnlyTheLeaderCollects runs two replicas' leader election against a real kube-apiserver:
// one collects, the other waits; when the leader stops, the other takes over.
func TestOnlyTheLeaderCollects(t *testing.T) {
	env := &envtest.Environment{BinaryAssetsDirectory: testutil.KubeBin(t)}
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("starting kube-apiserver: %v", err)
	}
	t.Cleanup(func() { _ = env.Stop() })

	var running, maxRunning atomic.Int32
	started := make(chan string, 4)
	replica := func(name string) (context.CancelFunc, *sync.WaitGroup) {
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		wg.Go(func() {
			_ = runLeaderElected(ctx, cfg, "default", func(ctx context.Context) error {
				n := running.Add(1)
				for m := maxRunning.Load(); n > m; m = maxRunning.Load() {
					if maxRunning.CompareAndSwap(m, n) {
						break
					}
				}
				started <- name
				<-ctx.Done()
				running.Add(-1)
				return nil
			})
		})
		return cancel, &wg
	}
	stopA, doneA := replica("a")
	stopB, doneB := replica("b")
	defer func() { stopA(); stopB(); doneA.Wait(); doneB.Wait() }()

	leader := <-waitStart(t, started)
	lease, err := kubernetes.NewForConfigOrDie(cfg).CoordinationV1().Leases("default").Get(context.Background(), leaseName, metav1.GetOptions{})
	if err != nil || lease.Spec.HolderIdentity == nil {
		t.Fatalf("no Lease %s held after %s started collecting: %v", leaseName, leader, err)
	}
	if leader == "a" {
		stopA()
		doneA.Wait()
	} else {
		stopB()
		doneB.Wait()
	}
	next := <-waitStart(t, started)
	if next == leader {
		t.Fatalf("%s collected again after it stopped", leader)
	}
	if maxRunning.Load() != 1 {
		t.Fatalf("%d replicas collected at once", maxRunning.Load())
	}
}

// waitStart returns a channel with the next replica that started collecting, failing after 60s.
func waitStart(t *testing.T, started chan string) chan string {
	t.Helper()
	out := make(chan string, 1)
	err := wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, 60*time.Second, true, func(context.Context) (bool, error) {
		select {
		case name := <-started:
			out <- name
			return true, nil
		default:
			return false, nil
		}
	})
	if err != nil {
		t.Fatal("no replica started collecting within 60s")
	}
	return out
}
