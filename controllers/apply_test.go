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
	"crypto/sha256"
	"testing"

	"k8s.io/apimachinery/pkg/types"
)

// The cache skips an apply only for the same desired object at the resourceVersion it left the child at.
func TestAppliedCache(t *testing.T) {
	var c appliedCache
	desired, changed := sha256.Sum256([]byte("desired")), sha256.Sum256([]byte("changed"))
	child := "apps/v1, Kind=Deployment ns/name"
	if c.has("cas", child, "1", desired) {
		t.Fatal("empty cache has an entry")
	}
	c.add("cas", child, "1", desired)
	for _, tc := range []struct {
		name       string
		owner      types.UID
		child, rv  string
		hash       [sha256.Size]byte
		wantCached bool
	}{
		{"same object, version and desired state", "cas", child, "1", desired, true},
		{"edited since (drift)", "cas", child, "2", desired, false},
		{"desired state changed", "cas", child, "1", changed, false},
		{"another child", "cas", "apps/v1, Kind=Deployment ns/other", "1", desired, false},
		{"another CustomApiServer", "other", child, "1", desired, false},
		{"no resourceVersion", "cas", child, "", desired, false},
	} {
		if got := c.has(tc.owner, tc.child, tc.rv, tc.hash); got != tc.wantCached {
			t.Errorf("%s: has = %v, want %v", tc.name, got, tc.wantCached)
		}
	}
	c.add("cas", child, "3", changed)
	if c.has("cas", child, "1", desired) || !c.has("cas", child, "3", changed) {
		t.Error("a new apply does not replace the child's entry")
	}
	c.forget("cas")
	if c.has("cas", child, "3", changed) {
		t.Error("entries of a deleted CustomApiServer kept")
	}
}
