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
	"sync"

	"k8s.io/apimachinery/pkg/types"
)

// appliedCache remembers, per CustomApiServer, what was last applied to each child: the hash of the desired
// object and the resourceVersion the apply returned (cluster-api's internal/util/ssa cache). While both are
// unchanged, applying again would change nothing, so the request is skipped and an unchanged
// CustomApiServer's reconcile writes nothing. Any other write to the child (someone's edit, or a status
// update by its own controller) changes its resourceVersion: the entry misses and the child is applied
// again, which puts edited fields back (drift repair) or changes nothing.
//
// The cache lives in memory only: after an operator restart each child gets one apply that changes nothing
// before its entry is back. The zero value is ready to use.
type appliedCache struct {
	mu      sync.Mutex
	byOwner map[types.UID]map[string]appliedEntry // CustomApiServer UID -> child (GVK namespace/name) -> entry
}

type appliedEntry struct {
	resourceVersion string
	hash            [sha256.Size]byte
}

// has says whether desired (hash) was applied to child and the child is still at resourceVersion rv.
func (c *appliedCache) has(owner types.UID, child, rv string, hash [sha256.Size]byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byOwner[owner][child]
	return ok && rv != "" && e == appliedEntry{resourceVersion: rv, hash: hash}
}

// add records that applying desired (hash) to child left it at resourceVersion rv.
func (c *appliedCache) add(owner types.UID, child, rv string, hash [sha256.Size]byte) {
	if rv == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byOwner == nil {
		c.byOwner = map[types.UID]map[string]appliedEntry{}
	}
	if c.byOwner[owner] == nil {
		c.byOwner[owner] = map[string]appliedEntry{}
	}
	c.byOwner[owner][child] = appliedEntry{resourceVersion: rv, hash: hash}
}

// forget drops the entries of a deleted CustomApiServer, so the cache only holds live objects' children.
func (c *appliedCache) forget(owner types.UID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.byOwner, owner)
}
