#!/usr/bin/env bash
# Builds cert-manager's controller, cainjector and webhook (one multi-call binary plus symlinks) from
# the Go module proxy into bin/cert-manager/<version>/, once per version, and copies cert-manager's
# CRDs (deploy/crds in its module) into crds/ there, for envtest suites and the e2e cluster.
# Usage: hack/cert-manager-binaries.sh <output-dir> [crds]   (crds: only the CRDs, no build)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tool="$root/hack/tools/cert-manager"
out=${1:?usage: cert-manager-binaries.sh <output-dir> [crds]}
mkdir -p "$out"
out=$(cd "$out" && pwd)

module=github.com/cert-manager/cert-manager
version=$(cd "$tool" && go list -m -f '{{.Version}}' "$module")
if [ "$(basename "$out")" != "$version" ]; then
  echo "cert-manager-binaries.sh: $out does not end in $version, the version hack/tools/cert-manager/go.mod requires" >&2
  exit 1
fi

if [ ! -d "$out/crds" ]; then
  src=$(cd "$tool" && go mod download "$module" && go list -m -f '{{.Dir}}' "$module")
  rm -rf "$out/crds.tmp" && mkdir -p "$out/crds.tmp"
  cp "$src"/deploy/crds/*.yaml "$out/crds.tmp/"
  chmod 644 "$out"/crds.tmp/*.yaml # the module cache is read-only
  mv "$out/crds.tmp" "$out/crds"
  echo ">> cert-manager $version CRDs copied into $out/crds"
fi
[ "${2:-}" = crds ] && exit 0

if [ ! -x "$out/cert-manager" ]; then
  echo ">> building cert-manager $version (controller, cainjector, webhook) into $out"
  start=$(date +%s)
  (cd "$tool" && CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X $module/pkg/util.AppVersion=$version" -o "$out/cert-manager.tmp" .)
  mv "$out/cert-manager.tmp" "$out/cert-manager"
  echo ">> cert-manager built in $(( $(date +%s) - start ))s" | tee -a "$out/build-times.txt"
fi
for c in controller cainjector webhook; do
  ln -sf cert-manager "$out/cert-manager-$c"
done
