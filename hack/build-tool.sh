#!/usr/bin/env bash
# Builds one tool from a tool module under hack/tools once, into a versioned path, recording how long it
# took (cold-CI cost). The Makefile pins the version; the tool module's go.mod must require that version,
# so the two cannot silently differ.
# Usage: hack/build-tool.sh <output-binary> <tool module dir> <module@version> <package> [build tags]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: build-tool.sh <output> <dir> <module@version> <package> [tags]}
dir=${2:?} modver=${3:?} pkg=${4:?} tags=${5:-}
[ -x "$out" ] && exit 0
mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")

mod=${modver%@*} want=${modver#*@}
# A replaced module (the Kubernetes staging modules in hack/tools/kube) is built at its replacement's version.
have=$(cd "$root/hack/tools/$dir" && go list -m -f '{{if .Replace}}{{.Replace.Version}}{{else}}{{.Version}}{{end}}' "$mod")
if [ "$have" != "$want" ]; then
  echo "hack/tools/$dir/go.mod requires $mod $have but the Makefile pins $want: change both" >&2
  exit 1
fi

echo ">> building $pkg ($mod $want) into $out"
start=$(date +%s)
(cd "$root/hack/tools/$dir" && CGO_ENABLED=0 go build -trimpath -tags "$tags" -ldflags "-s -w" -o "$out.tmp" "$pkg")
mv "$out.tmp" "$out"
echo ">> $(basename "$out") built in $(( $(date +%s) - start ))s" | tee -a "$(dirname "$out")/build-times.txt"
