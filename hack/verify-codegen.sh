#!/usr/bin/env bash
# Regenerates the apiserver's code into a temporary copy of the tree and fails if it differs
# from what is committed (CI runs this through `make verify`).
set -o errexit
set -o nounset
set -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "${TMP}"' EXIT

# Everything but build output and git metadata; generation only reads go.mod, hack/ and apiserver/.
tar -C "${ROOT}" --exclude=./bin --exclude=./.git -cf - . | tar -C "${TMP}" -xf -
"${TMP}/hack/update-codegen.sh"

if ! diff -Naupr "${ROOT}/apiserver" "${TMP}/apiserver"; then
    echo "generated code in apiserver/ is stale: run 'make generate' (hack/update-codegen.sh) and commit" >&2
    exit 1
fi
echo "generated code is up to date"
