// Package version holds the build's version, set at link time by the Makefile
// (GO_LDFLAGS), so the operator deploys the apiserver image of its own release.
package version

var (
	// Version is the release of this build, e.g. v0.1.0.
	Version = "v0.1.0"
	// Registry is where this release's images live.
	Registry = "local.test"
)

// APIServerImage is the MetricSnapshot apiserver image released with this operator.
func APIServerImage() string { return Registry + "/metricsnapshot-apiserver:" + Version }
