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

package cluster

import (
	"context"
	"fmt"
)

// TagImage gives an imported image a second reference, as a registry serves a new tag of the same build
// (the e2e suite upgrades the operator to it).
func (c Config) TagImage(ctx context.Context, src, dst string) error {
	if _, err := run(ctx, "ctr", "--address", c.containerdSock(), "-n", "k8s.io", "images", "tag", "--force", src, dst); err != nil {
		return fmt.Errorf("tagging image %s as %s: %w", src, dst, err)
	}
	return nil
}
