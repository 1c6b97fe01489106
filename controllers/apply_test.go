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
