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

package controllers

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
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

// applyConfiguration is a typed apply configuration of one child (client-go's, kube-aggregator's).
type applyConfiguration interface {
	runtime.ApplyConfiguration
	GetAPIVersion() *string
	GetKind() *string
	GetName() *string
	GetNamespace() *string
}

// applier applies children with server-side apply under one field manager.
type applier struct {
	client  client.Client
	reader  client.Reader // uncached, to confirm a cache miss before creating
	cas     *aggv1alpha1.CustomApiServer
	applied *appliedCache
}

// apply applies desired unless
//   - the object exists and is not controlled by this CustomApiServer: nothing is written, an *ownerConflict
//     is returned;
//   - this desired object was applied before and the object has not changed since (same resourceVersion,
//     see appliedCache): applying it again would change nothing, so no request is made.
//
// Server-side apply fills desired with the stored object.
func (a *applier) apply(ctx context.Context, desired applyConfiguration) error {
	return a.applyAsRead(ctx, desired, nil)
}

// readAt is the resourceVersion an object was read at ("" when it was absent), and how to put it on the
// apply configuration as a precondition.
type readAt struct {
	resourceVersion string
	set             func(rv string)
}

// applyAsRead is apply that fails with a Conflict when the object changed since it was read (read nil: no
// precondition): deleted since (a write would bring back what was read), or modified since (the API server
// checks the resourceVersion). The precondition is no part of what decides whether the apply is skipped.
func (a *applier) applyAsRead(ctx context.Context, desired applyConfiguration, read *readAt) error {
	gvk := schema.FromAPIVersionAndKind(ptr.Deref(desired.GetAPIVersion(), ""), ptr.Deref(desired.GetKind(), ""))
	key := types.NamespacedName{Namespace: ptr.Deref(desired.GetNamespace(), ""), Name: ptr.Deref(desired.GetName(), "")}
	child := gvk.String() + " " + key.String()
	hash, err := hashOf(desired)
	if err != nil {
		return fmt.Errorf("hashing %s %s: %w", gvk.Kind, key, err)
	}
	live, err := a.newObject(gvk)
	if err != nil {
		return err
	}
	found, err := a.get(ctx, key, live)
	if err != nil {
		return fmt.Errorf("reading %s %s: %w", gvk.Kind, key, err)
	}
	if read != nil && read.resourceVersion != "" {
		if !found {
			return apierrors.NewConflict(schema.GroupResource{Group: gvk.Group, Resource: gvk.Kind}, key.String(), errors.New("deleted since it was read"))
		}
		read.set(read.resourceVersion)
	}
	if found {
		if c := foreignOwner(live, a.cas); c != "" {
			return &ownerConflict{Kind: gvk.Kind, Name: key.String(), Owner: c}
		}
		if a.applied.has(a.cas.UID, child, live.GetResourceVersion(), hash) {
			log.FromContext(ctx).V(2).Info("unchanged", "kind", gvk.Kind, "name", key.String())
			return nil
		}
	}
	log.FromContext(ctx).V(1).Info("applying", "kind", gvk.Kind, "name", key.String(), "existed", found)
	if err := a.client.Apply(ctx, desired, client.FieldOwner(FieldManager), client.ForceOwnership); err != nil {
		return fmt.Errorf("applying %s %s: %w", gvk.Kind, key, err)
	}
	a.applied.add(a.cas.UID, child, resourceVersionOf(desired), hash)
	return nil
}

// newObject is an empty typed object of kind gvk to read the live state into.
func (a *applier) newObject(gvk schema.GroupVersionKind) (client.Object, error) {
	obj, err := a.client.Scheme().New(gvk)
	if err != nil {
		return nil, fmt.Errorf("making an empty %s: %w", gvk, err)
	}
	o, ok := obj.(client.Object)
	if !ok {
		return nil, fmt.Errorf("%T is not a client.Object", obj)
	}
	return o, nil
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

// hashOf digests an apply configuration (its JSON form: struct fields in order, map keys sorted).
func hashOf(desired applyConfiguration) ([sha256.Size]byte, error) {
	b, err := json.Marshal(desired)
	if err != nil {
		return [sha256.Size]byte{}, err
	}
	return sha256.Sum256(b), nil
}

// resourceVersionOf is the resourceVersion server-side apply wrote back into an apply configuration ("" if
// none; the next apply of that child then is not skipped).
func resourceVersionOf(applied applyConfiguration) string {
	var obj struct {
		Metadata struct {
			ResourceVersion string `json:"resourceVersion"`
		} `json:"metadata"`
	}
	if b, err := json.Marshal(applied); err == nil {
		_ = json.Unmarshal(b, &obj)
	}
	return obj.Metadata.ResourceVersion
}
