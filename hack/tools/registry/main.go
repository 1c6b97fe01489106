// Command registry is CNCF distribution's registry built from the Go module proxy with only the
// filesystem storage driver: the end-to-end bed serves images from a directory on the node, and the
// cloud drivers (S3, GCS, Azure) would triple the build.
package main

import (
	"github.com/distribution/distribution/v3/registry"

	// Storage driver the test bed's config names; registering it is a side effect of the import.
	_ "github.com/distribution/distribution/v3/registry/storage/driver/filesystem"
)

func main() {
	// Execute reports and exits on its own errors (as upstream's main relies on).
	_ = registry.RootCmd.Execute()
}
