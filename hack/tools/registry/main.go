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
