package controllers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	aggv1alpha1 "example.com/aggregation-operator/api/v1alpha1"
)

// ownerConflict says a child exists but belongs to someone else, so it was left untouched.
type ownerConflict struct {
	Kind, Name, Owner string
}

func (c *ownerConflict) Error() string {
	return fmt.Sprintf("%s %s already exists and belongs to %s; it was left untouched", c.Kind, c.Name, c.Owner)
}

// applier applies children with server-side apply under one field manager.
type applier struct {
	client client.Client
	reader client.Reader // uncached, to confirm a cache miss before creating
	cas    *aggv1alpha1.CustomApiServer
}

// apply applies desired into the object live (an empty typed object of the child's kind) unless
//   - the object exists and is not controlled by this CustomApiServer: nothing is written, an *ownerConflict
//     is returned;
//   - the object already holds everything desired and was last applied from the same configuration: nothing
//     is written, so a reconcile of an unchanged object makes no request that writes.
//
// desired is any apply configuration (typed ones from client-go and kube-aggregator marshal to the
// object's JSON form).
func (a *applier) apply(ctx context.Context, live client.Object, desired any) error {
	u, err := toUnstructured(desired)
	if err != nil {
		return err
	}
	key := types.NamespacedName{Namespace: u.GetNamespace(), Name: u.GetName()}
	kind := u.GetKind()
	hash := hashOf(u.Object)
	annotations := u.GetAnnotations()
	if annotations == nil {
		annotations = map[string]string{}
	}
	annotations[AnnotationApplied] = hash
	u.SetAnnotations(annotations)

	found, err := a.get(ctx, key, live)
	if err != nil {
		return fmt.Errorf("reading %s %s: %w", kind, key, err)
	}
	if found {
		if c := foreignOwner(live, a.cas); c != "" {
			return &ownerConflict{Kind: kind, Name: key.String(), Owner: c}
		}
		if live.GetAnnotations()[AnnotationApplied] == hash {
			liveMap, err := objectMap(live)
			if err != nil {
				return err
			}
			want := withoutStatus(u.Object)
			if contains(liveMap, want) {
				log.FromContext(ctx).V(2).Info("unchanged", "kind", kind, "name", key.String())
				return nil
			}
		}
	}
	log.FromContext(ctx).V(1).Info("applying", "kind", kind, "name", key.String(), "existed", found)
	if err := a.client.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.FieldOwner(FieldManager), client.ForceOwnership); err != nil {
		return fmt.Errorf("applying %s %s: %w", kind, key, err)
	}
	return nil
}

// get reads from the cache and confirms a miss with the API server, so an object that exists but is not
// (yet) cached is never overwritten blindly.
func (a *applier) get(ctx context.Context, key types.NamespacedName, obj client.Object) (bool, error) {
	err := a.client.Get(ctx, key, obj)
	if apierrors.IsNotFound(err) && a.reader != nil {
		err = a.reader.Get(ctx, key, obj)
	}
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

// foreignOwner is "" when cas controls obj; otherwise a description of who does.
func foreignOwner(obj client.Object, cas *aggv1alpha1.CustomApiServer) string {
	ref := metav1.GetControllerOf(obj)
	if ref == nil {
		// The field managers are the best hint a person gets of who made the object.
		var managers []string
		for _, m := range obj.GetManagedFields() {
			managers = append(managers, m.Manager)
		}
		if len(managers) == 0 {
			return "no owner"
		}
		return "no owner (managed by " + strings.Join(managers, ", ") + ")"
	}
	if ref.UID == cas.UID {
		return ""
	}
	return fmt.Sprintf("%s %s", ref.Kind, ref.Name)
}

func toUnstructured(desired any) (*unstructured.Unstructured, error) {
	b, err := json.Marshal(desired)
	if err != nil {
		return nil, fmt.Errorf("encoding %T: %w", desired, err)
	}
	u := &unstructured.Unstructured{}
	if err := json.Unmarshal(b, &u.Object); err != nil {
		return nil, fmt.Errorf("decoding %T: %w", desired, err)
	}
	return u, nil
}

func objectMap(obj client.Object) (map[string]any, error) {
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("encoding %T: %w", obj, err)
	}
	m := map[string]any{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decoding %T: %w", obj, err)
	}
	return m, nil
}

// hashOf is a stable digest of an apply configuration (encoding/json sorts map keys).
func hashOf(obj map[string]any) string {
	b, _ := json.Marshal(obj)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

func withoutStatus(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if k != "status" && k != "apiVersion" && k != "kind" {
			out[k] = v
		}
	}
	return out
}

// contains reports whether every field of want has the same value in have. Maps may hold more fields in
// have (defaults, other managers' fields); lists must have the same length and match element by element.
func contains(have, want any) bool {
	switch w := want.(type) {
	case map[string]any:
		h, ok := have.(map[string]any)
		if !ok {
			return false
		}
		for k, wv := range w {
			hv, ok := h[k]
			if !ok {
				if !isEmpty(wv) {
					return false
				}
				continue
			}
			if !contains(hv, wv) {
				return false
			}
		}
		return true
	case []any:
		h, ok := have.([]any)
		if !ok || len(h) != len(w) {
			return false
		}
		for i := range w {
			if !contains(h[i], w[i]) {
				return false
			}
		}
		return true
	default:
		return reflect.DeepEqual(have, want)
	}
}

// isEmpty: Go API types omit zero values (insecureSkipTLSVerify: false, ...), so an absent field holds a
// wanted zero value.
func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case bool:
		return !x
	case float64:
		return x == 0
	case string:
		return x == ""
	case map[string]any:
		return len(x) == 0
	case []any:
		return len(x) == 0
	}
	return false
}
