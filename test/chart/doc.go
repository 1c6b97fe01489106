// Package chart tests the Helm chart in charts/aggregation-operator with the real helm and kustomize
// binaries (bin/, built by `make helm kustomize`; `make test` builds them and passes HELM and KUSTOMIZE):
// lint, rendering with default, every and wrong values, and the drift checks against config/.
package chart
