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

package collector

import (
	"context"
	"fmt"
	"sync"
	"time"

	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"

	"example.com/aggregation-operator/apiserver/apis/metrics"
	"example.com/aggregation-operator/apiserver/apis/metrics/install"
	metricsv2 "example.com/aggregation-operator/apiserver/apis/metrics/v2"
	"example.com/aggregation-operator/apiserver/generated/clientset/versioned"
)

// Collector schedules and runs collections. It reads MetricSnapshots (the internal version) through
// an informer on source and writes them through the status subresource as v2, the storage version,
// so every write passes the status strategy and records managed fields like any client's.
type Collector struct {
	client  versioned.Interface
	source  cache.ListerWatcher
	scheme  *runtime.Scheme
	querier *Querier
	workers int
	now     func() time.Time

	mu       sync.Mutex
	schedule map[string]planned
}

// planned is the next evaluation time of one snapshot, for the generation it was planned for.
type planned struct {
	at         time.Time
	generation int64
}

// New returns a collector reading internal MetricSnapshots from source (the server's own storage,
// see server.storageSource), writing through client and querying through querier.
func New(client versioned.Interface, source cache.ListerWatcher, querier *Querier, workers int) *Collector {
	scheme := runtime.NewScheme()
	install.Install(scheme)
	return &Collector{client: client, source: source, scheme: scheme, querier: querier, workers: workers, now: time.Now, schedule: map[string]planned{}}
}

// Run collects until ctx ends.
func (c *Collector) Run(ctx context.Context) error {
	logger := klog.FromContext(ctx).WithName("collector")
	informer := cache.NewSharedIndexInformer(c.source, &metrics.MetricSnapshot{}, 10*time.Minute, cache.Indexers{})
	lister := informer.GetIndexer()
	queue := workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](),
		workqueue.TypedRateLimitingQueueConfig[string]{Name: "metricsnapshot-collector"})
	defer queue.ShutDown()

	enqueue := func(obj interface{}) {
		if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil {
			queue.Add(key)
		}
	}
	if _, err := informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: enqueue,
		// Only spec changes (a new generation) matter; status writes are our own.
		UpdateFunc: func(old, obj interface{}) {
			if old.(*metrics.MetricSnapshot).Generation != obj.(*metrics.MetricSnapshot).Generation {
				enqueue(obj)
			}
		},
		DeleteFunc: enqueue,
	}); err != nil {
		return fmt.Errorf("watching MetricSnapshots: %w", err)
	}
	var informerDone sync.WaitGroup
	defer informerDone.Wait()
	informerDone.Go(func() { informer.RunWithContext(ctx) })
	if !cache.WaitForCacheSync(ctx.Done(), informer.HasSynced) {
		return fmt.Errorf("MetricSnapshot informer did not sync: %w", ctx.Err())
	}
	logger.Info("collecting", "workers", c.workers)

	var wg sync.WaitGroup
	for range c.workers {
		wg.Go(func() {
			wait.UntilWithContext(ctx, func(ctx context.Context) {
				for c.processNext(ctx, queue, lister) {
				}
			}, time.Second)
		})
	}
	<-ctx.Done()
	queue.ShutDown()
	wg.Wait()
	return nil
}

func (c *Collector) processNext(ctx context.Context, queue workqueue.TypedRateLimitingInterface[string], lister cache.Indexer) bool {
	key, quit := queue.Get()
	if quit {
		return false
	}
	defer queue.Done(key)
	after, err := c.sync(ctx, key, lister)
	if err != nil {
		utilruntime.HandleErrorWithContext(ctx, err, "collecting MetricSnapshot", "key", key)
		queue.AddRateLimited(key)
		return true
	}
	queue.Forget(key)
	if after > 0 {
		queue.AddAfter(key, after)
	}
	return true
}

// sync collects one snapshot when it is due and returns how long until it is due again.
func (c *Collector) sync(ctx context.Context, key string, lister cache.Indexer) (time.Duration, error) {
	namespace, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return 0, nil
	}
	obj, exists, err := lister.GetByKey(key)
	if err != nil {
		return 0, fmt.Errorf("reading MetricSnapshot %s/%s from the informer: %w", namespace, name, err)
	}
	if !exists {
		c.forget(key)
		return 0, nil
	}
	// The informer's objects are shared (with the server's watch cache, too): read only. The status
	// is set on a shallow copy, whose spec and metadata are only read.
	s := obj.(*metrics.MetricSnapshot)
	now := c.now()
	at := c.due(key, s, now)
	if now.Before(at) {
		return at.Sub(now), nil
	}
	status := collect(ctx, c.querier, s, at)
	if !apiequality.Semantic.DeepEqual(status, s.Status) {
		write := *s
		write.Status = status
		updated := &metricsv2.MetricSnapshot{}
		if err := c.scheme.Convert(&write, updated, nil); err != nil {
			return 0, fmt.Errorf("converting MetricSnapshot %s to v2: %w", key, err)
		}
		if _, err := c.client.MetricsV2().MetricSnapshots(namespace).UpdateStatus(ctx, updated, metav1.UpdateOptions{FieldManager: "metricsnapshot-collector"}); err != nil {
			if apierrors.IsNotFound(err) {
				c.forget(key)
				return 0, nil
			}
			// A conflict means the object moved on; retry soon with fresh data, same tick.
			return 0, fmt.Errorf("writing status of MetricSnapshot %s: %w", key, err)
		}
	}
	next := nextTick(now, interval(s))
	c.plan(key, planned{at: next, generation: s.Generation})
	return next.Sub(now), nil
}

// due returns when the snapshot should be collected: now for a new object or a new spec,
// else the tick planned after its last collection.
func (c *Collector) due(key string, s *metrics.MetricSnapshot, now time.Time) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.schedule[key]
	if !ok || p.generation != s.Generation {
		p = planned{at: firstTick(now), generation: s.Generation}
		c.schedule[key] = p
	}
	return p.at
}

func (c *Collector) plan(key string, p planned) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.schedule[key] = p
}

func (c *Collector) forget(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.schedule, key)
}
