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

// Package chart tests the Helm chart in charts/aggregation-operator with the real helm and kustomize
// binaries (bin/, built by `make helm kustomize`; `make test` builds them and passes HELM and KUSTOMIZE):
// lint, rendering with default, every and wrong values, and the drift checks against config/. The optional
// monitoring objects (config/components/prometheus, the chart's metrics.serviceMonitor and
// metrics.prometheusRule) are also checked against the Prometheus Operator's CRDs in envtest, and their
// alerts with promtool.
package chart
