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

// Package olm is the end-to-end suite's OLM test bed on the local cluster (test/cluster): it builds the
// images OLM runs and pulls (OLM's operators, opm, the project's bundle and catalog) without a daemon,
// pushes them to the node's registry, and installs and removes OLM's olm and catalog operators.
package olm

import "example.com/aggregation-operator/test/cluster"

// Bed says where the pieces are. Paths are absolute.
type Bed struct {
	Cluster      cluster.Config
	OLMBin       string // olm, catalog, cpb, cp, grpc_health_probe (make olm-binaries)
	OPM          string // opm binary
	RepoDir      string // bundle/, bundle.Dockerfile, catalog/
	BundleImage  string // as the catalog names it, e.g. local.test/aggregation-operator-bundle:v0.1.0
	CatalogImage string
	OLMVersion   string // tags of the OLM and opm images
	OPMVersion   string
}

// OLMImage and OPMImage are the names OLM's deployments and jobs use; the node pulls them from its registry.
func (b Bed) OLMImage() string { return cluster.MirroredRegistry + "/olm:" + b.OLMVersion }

// OPMImage is the opm image (catalog server) the bed pushes to the node registry.
func (b Bed) OPMImage() string { return cluster.MirroredRegistry + "/opm:" + b.OPMVersion }
