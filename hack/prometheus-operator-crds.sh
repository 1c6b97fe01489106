#!/usr/bin/env bash
# Copies the Prometheus Operator's CRDs (example/prometheus-operator-crd in its module, from the Go module
# proxy) into <output-dir>, once: test/chart validates the chart's and config/components/prometheus'
# ServiceMonitor and PrometheusRule against them in envtest.
# Usage: hack/prometheus-operator-crds.sh <output-dir> <version>
set -euo pipefail

out=${1:?usage: prometheus-operator-crds.sh <output-dir> <version>}
version=${2:?usage: prometheus-operator-crds.sh <output-dir> <version>}
[ -d "$out" ] && exit 0

module=github.com/prometheus-operator/prometheus-operator
# Outside the main module, so go.mod and go.sum stay as they are.
src=$(cd / && GOFLAGS= go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$src/example/prometheus-operator-crd" ] || { echo "prometheus-operator-crds.sh: no CRDs in $src" >&2; exit 1; }
rm -rf "$out.tmp" && mkdir -p "$out.tmp"
cp "$src"/example/prometheus-operator-crd/*.yaml "$out.tmp/"
chmod 644 "$out".tmp/*.yaml # the module cache is read-only
mv "$out.tmp" "$out"
echo ">> Prometheus Operator $version CRDs copied into $out"
