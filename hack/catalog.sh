#!/usr/bin/env bash
# Renders the operator's File-Based Catalog with opm: the package (description and icon from
# config/manifests), one channel whose single entry is the bundle with `skipRange: <its version>` (so any
# installed older version upgrades straight to it; the catalog need not keep old bundles), and the bundle
# rendered from its directory with the image it is published as.
# Usage: OPM=bin/opm-<v> hack/catalog.sh <catalog-dir> <channel> <bundle-dir> <bundle-image>
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: catalog.sh <catalog-dir> <channel> <bundle-dir> <bundle-image>} channel=${2:?} dir=${3:?} image=${4:?}
opm=${OPM:?OPM must name the opm binary}
pkg=aggregation-operator

bundle=$("$opm" render "$dir" --alpha-image-ref-template="$image" --output=yaml)
name=$(printf '%s\n' "$bundle" | sed -n 's/^name: //p' | head -1)
rm -rf "$out" && mkdir -p "$out/$pkg"
{
  "$opm" init "$pkg" --default-channel="$channel" --description="$root/config/manifests/description.md" \
    --icon="$root/config/manifests/icon.svg" --output=yaml
  printf -- "---\nschema: olm.channel\npackage: %s\nname: %s\nentries:\n- name: %s\n  skipRange: '<%s'\n" \
    "$pkg" "$channel" "$name" "${name#"$pkg".v}"
  printf '%s\n' "$bundle"
} > "$out/$pkg/index.yaml"
"$opm" validate "$out"
