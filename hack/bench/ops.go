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
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
)

// Sizes are the workload's knobs (flags).
type Sizes struct {
	Objects  int `json:"objects"`  // created, read, updated and deleted; the size of the full list
	Workers  int `json:"workers"`  // concurrent clients for create, get, update and delete
	Lists    int `json:"lists"`    // full lists and paginated traversals, each
	Page     int `json:"page"`     // page size of the paginated list
	Watchers int `json:"watchers"` // concurrent watchers
	Events   int `json:"events"`   // updates each watcher must see
}

// seqAnnotation carries the update's sequence number, so a watcher can tell which write an event is.
const seqAnnotation = "bench.example.com/seq"

// workload runs every operation in order on one resource and returns the results.
// It also returns the mean JSON size of an object as read. writes, when not nil, counts the
// collector's status writes, read around every operation.
func workload(ctx context.Context, res dynamic.ResourceInterface, lister rawLister, newObj func(i int) *unstructured.Unstructured, s Sizes, writes statusWrites) ([]Result, int, error) {
	var out []Result
	names := make([]string, s.Objects)
	for i := range names {
		names[i] = newObj(i).GetName()
	}
	objs := make([]*unstructured.Unstructured, s.Objects)
	measure := func(op func() Result) {
		if writes == nil {
			out = append(out, op())
			return
		}
		before := writes(ctx)
		r := op()
		if after := writes(ctx); before >= 0 && after >= 0 {
			n := after - before
			r.CollectorWrites = &n
		}
		out = append(out, r)
	}

	measure(func() Result {
		return parallel("create", s, func(ctx context.Context, i int) error {
			_, err := res.Create(ctx, newObj(i), metav1.CreateOptions{})
			return err
		})
	})
	measure(func() Result {
		return parallel("get", s, func(ctx context.Context, i int) error {
			o, err := res.Get(ctx, names[i], metav1.GetOptions{})
			objs[i] = o
			return err
		})
	})
	if out[0].Errors+out[1].Errors > 0 {
		return out, 0, fmt.Errorf("%d creates and %d gets failed, first: %w", out[0].Errors, out[1].Errors, firstErr.Load().(error))
	}
	size := 0
	for _, o := range objs {
		size += encodedSize(o)
	}
	size /= len(objs)
	measure(func() Result {
		return parallel("update", s, func(ctx context.Context, i int) error {
			return update(ctx, res, objs[i], names[i], "u")
		})
	})
	measure(func() Result {
		return sequential(fmt.Sprintf("list of %d", s.Objects), s.Lists, func() error {
			n, _, err := lister.list(ctx, 0, "")
			if err == nil && n != s.Objects {
				err = fmt.Errorf("listed %d objects, want %d", n, s.Objects)
			}
			return err
		})
	})
	measure(func() Result {
		return sequential(fmt.Sprintf("paginated list (limit %d)", s.Page), s.Lists, func() error {
			return paginate(ctx, lister, s)
		})
	})
	var werr error
	measure(func() Result {
		var w Result
		w, werr = watchFanOut(ctx, res, names, s)
		return w
	})
	if werr != nil {
		return out, size, werr
	}
	measure(func() Result {
		return parallel("delete", s, func(ctx context.Context, i int) error {
			return res.Delete(ctx, names[i], metav1.DeleteOptions{})
		})
	})
	return out, size, nil
}

// firstErr keeps one error for the message of a failed run.
var firstErr atomic.Value

// parallel runs fn for 0..Objects-1 on Workers goroutines and times each call.
func parallel(op string, s Sizes, fn func(ctx context.Context, i int) error) Result {
	lat := make([]time.Duration, s.Objects)
	ok := make([]bool, s.Objects)
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range s.Workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= s.Objects {
					return
				}
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				t := time.Now()
				err := fn(ctx, i)
				lat[i] = time.Since(t)
				cancel()
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					continue
				}
				ok[i] = true
			}
		})
	}
	wg.Wait()
	return summarize(op, successful(lat, ok), countFalse(ok), time.Since(start))
}

// sequential runs fn n times, one after the other, and times each call.
func sequential(op string, n int, fn func() error) Result {
	var lat []time.Duration
	errs := 0
	start := time.Now()
	for range n {
		t := time.Now()
		if err := fn(); err != nil {
			firstErr.CompareAndSwap(nil, err)
			errs++
			continue
		}
		lat = append(lat, time.Since(t))
	}
	return summarize(op, lat, errs, time.Since(start))
}

// paginate reads the whole collection Page objects at a time.
func paginate(ctx context.Context, lister rawLister, s Sizes) error {
	seen, cont := 0, ""
	for range s.Objects/s.Page + 2 {
		n, next, err := lister.list(ctx, s.Page, cont)
		if err != nil {
			return err
		}
		seen += n
		if cont = next; cont == "" {
			break
		}
	}
	if seen != s.Objects {
		return fmt.Errorf("paginated list saw %d objects, want %d", seen, s.Objects)
	}
	return nil
}

// watchFanOut starts Watchers watches, then updates Events objects one after the other and measures, for
// every watcher, the time from the start of each update to its event.
func watchFanOut(ctx context.Context, res dynamic.ResourceInterface, names []string, s Sizes) (Result, error) {
	op := fmt.Sprintf("watch: %d watchers, event latency", s.Watchers)
	l, err := res.List(ctx, metav1.ListOptions{Limit: 1})
	if err != nil {
		return Result{Op: op}, fmt.Errorf("listing before the watch: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	sent := make([]atomic.Int64, s.Events) // unix nanos of the start of update i
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	for range s.Watchers {
		w, err := res.Watch(ctx, metav1.ListOptions{ResourceVersion: l.GetResourceVersion()})
		if err != nil {
			return Result{Op: op}, fmt.Errorf("starting a watch: %w", err)
		}
		wg.Go(func() {
			defer w.Stop()
			got := 0
			for ev := range w.ResultChan() {
				now := time.Now()
				o, ok := ev.Object.(*unstructured.Unstructured)
				if !ok || ev.Type != watch.Modified {
					continue
				}
				i, err := strconv.Atoi(o.GetAnnotations()[seqAnnotation])
				if err != nil || i >= s.Events || sent[i].Load() == 0 {
					continue
				}
				mu.Lock()
				lat = append(lat, now.Sub(time.Unix(0, sent[i].Load())))
				mu.Unlock()
				if got++; got == s.Events {
					return
				}
			}
		})
	}
	start := time.Now()
	errs := 0
	for i := range s.Events {
		name := names[i%len(names)]
		o, err := res.Get(ctx, name, metav1.GetOptions{})
		if err == nil {
			sent[i].Store(time.Now().UnixNano())
			err = update(ctx, res, o, name, strconv.Itoa(i))
		}
		if err != nil {
			firstErr.CompareAndSwap(nil, err)
			errs++
		}
	}
	// Every watcher returns after its last event; one missing events is given 30 s.
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cancel()
		<-done
	}
	r := summarize(op, lat, errs+s.Watchers*s.Events-len(lat), time.Since(start))
	return r, nil
}

// update sets the sequence annotation of the object read as o (read first when nil, or again after a
// conflict: the collector writes MetricSnapshots' status, as a controller would), as clients do.
func update(ctx context.Context, res dynamic.ResourceInterface, o *unstructured.Unstructured, name, seq string) error {
	for range 5 {
		var err error
		if o == nil {
			if o, err = res.Get(ctx, name, metav1.GetOptions{}); err != nil {
				return err
			}
		}
		o = o.DeepCopy()
		setAnnotation(o, seqAnnotation, seq)
		if _, err = res.Update(ctx, o, metav1.UpdateOptions{}); !apierrors.IsConflict(err) {
			return err
		}
		o = nil
	}
	return fmt.Errorf("updating %s: conflicts 5 times in a row", name)
}

func setAnnotation(o *unstructured.Unstructured, k, v string) {
	a := o.GetAnnotations()
	if a == nil {
		a = map[string]string{}
	}
	a[k] = v
	o.SetAnnotations(a)
}

func successful(lat []time.Duration, ok []bool) []time.Duration {
	var out []time.Duration
	for i, d := range lat {
		if ok[i] {
			out = append(out, d)
		}
	}
	return out
}

func countFalse(ok []bool) int {
	n := 0
	for _, b := range ok {
		if !b {
			n++
		}
	}
	return n
}
