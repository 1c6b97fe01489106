#!/usr/bin/env bash
# Keeps the tool modules that build Kubernetes, sample-apiserver and etcd (hack/tools/kube, hack/tools/etcd) on
# the same version as the project's go.mod of every module both builds compile packages from: the Go build cache
# keys a package on its dependencies' exact versions, so aligned builds share one compiled copy and a cold CI run
# compiles each shared package (k8s.io/*, grpc, etcd, otel, x/net, ...) once instead of twice.
# The higher version wins, in whichever go.mod has the lower one.
# Usage: hack/align-tool-modules.sh [-check]   (-check: change nothing, fail listing what differs)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
check=false
[ "${1:-}" = -check ] && check=true

# modules <dir> <packages...>: "path version" of every module the packages (and their dependencies) come from.
modules() {
  local dir=$1
  shift
  (cd "$dir" && go list -deps -test=false \
    -f '{{with .Module}}{{.Path}} {{if .Replace}}{{.Replace.Version}}{{else}}{{.Version}}{{end}}{{end}}' "$@") |
    awk 'NF == 2' | sort -u
}

# higher <a> <b>: the higher of two module versions (sort -V orders vX.Y.Z and pseudo-versions as Go does here).
higher() { printf '%s\n%s\n' "$1" "$2" | sort -V | tail -1; }

project=$(modules "$root" ./...)
status=0
for spec in "kube:. k8s.io/sample-apiserver" "etcd:."; do
  dir=$root/hack/tools/${spec%%:*}
  read -r -a pkgs <<<"${spec#*:}"
  raise_tool=() raise_project=() differ=()
  while read -r path tool_version project_version; do
    want=$(higher "$tool_version" "$project_version")
    if [ "$want" != "$tool_version" ]; then raise_tool+=("-require=$path@$want"); fi
    if [ "$want" != "$project_version" ]; then raise_project+=("-require=$path@$want"); fi
    differ+=("$path: hack/tools/${spec%%:*} $tool_version, go.mod $project_version")
  done < <(join <(modules "$dir" "${pkgs[@]}") <(echo "$project") | awk '$2 != $3')
  [ ${#differ[@]} -eq 0 ] && continue
  if $check; then
    echo "hack/tools/${spec%%:*} and go.mod compile different versions of shared modules (run hack/align-tool-modules.sh):" >&2
    printf '  %s\n' "${differ[@]}" >&2
    status=1
    continue
  fi
  if [ ${#raise_tool[@]} -gt 0 ]; then (cd "$dir" && go mod edit "${raise_tool[@]}" && go mod tidy); fi
  if [ ${#raise_project[@]} -gt 0 ]; then (cd "$root" && go mod edit "${raise_project[@]}" && go mod tidy); fi
  echo "aligned hack/tools/${spec%%:*}: ${raise_tool[*]#-require=} ${raise_project[*]#-require=}"
done
exit $status
