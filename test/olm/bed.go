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
func (b Bed) OPMImage() string { return cluster.MirroredRegistry + "/opm:" + b.OPMVersion }
