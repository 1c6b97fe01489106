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
