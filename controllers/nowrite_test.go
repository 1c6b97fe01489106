package controllers

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// A reconcile of an unchanged CustomApiServer whose children are in place issues no write: no apply, no
// status patch. The reconciler here talks through a transport that records every non-GET request.
func TestUnchangedReconcileWritesNothing(t *testing.T) {
	ctx := context.Background()
	counter := &countingTransport{}
	cfg := rest.CopyConfig(testCfg)
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper { counter.next = rt; return counter }
	c, err := client.New(cfg, client.Options{Scheme: testScheme})
	if err != nil {
		t.Fatal(err)
	}
	r := &Reconciler{Client: c, APIReader: c, Clock: fakeClock, DefaultImage: testImage}

	cas := newCAS("quiet", "quiet.example.com")
	createCAS(t, cas)
	req := reconcile.Request{NamespacedName: types.NamespacedName{Name: cas.Name}}
	if _, err := r.Reconcile(ctx, req); err != nil {
		t.Fatal(err)
	}
	if w := counter.reset(); len(w) == 0 {
		t.Fatal("the first reconcile wrote nothing: the counter does not see writes")
	}
	// Let the aggregator report on the APIService and the status follow, so the state is settled.
	eventually(t, 60*time.Second, func() error {
		got := reconciled(t, cas.Name)
		cond := meta.FindStatusCondition(got.Status.Conditions, ConditionAPIServicesAvailable)
		if cond == nil || cond.Reason == ReasonAPIServicePending {
			return fmt.Errorf("aggregator has not reported yet: %+v", cond)
		}
		return nil
	})
	if _, err := r.Reconcile(ctx, req); err != nil {
		t.Fatal(err)
	}
	counter.reset()

	res, err := r.Reconcile(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if w := counter.reset(); len(w) != 0 {
		t.Errorf("reconcile of an unchanged object wrote %d times: %v", len(w), w)
	}
	if res.RequeueAfter < 300*24*time.Hour {
		t.Errorf("requeue after %s, want the next certificate renewal (about 11 months away)", res.RequeueAfter)
	}
}
