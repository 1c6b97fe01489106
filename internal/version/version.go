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

// OperatorImage is this operator's own image (the chart's default image.repository and appVersion).
func OperatorImage() string { return Registry + "/aggregation-operator:" + Version }

// EtcdVersion is the etcd the project builds from source (hack/tools/etcd) and ships as an image.
const EtcdVersion = "v3.7.3"

// EtcdImage is the etcd image of this release: the default of the operator's --etcd-image, which runs the
// managed etcd of CustomApiServers (spec.storage.managed) without an image of their own.
func EtcdImage() string { return Registry + "/etcd:" + EtcdVersion }
