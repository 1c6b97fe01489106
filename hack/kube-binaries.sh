#!/usr/bin/env bash
# Builds the Kubernetes components (one multi-call binary plus symlinks), etcd and CoreDNS
# from the Go module proxy into bin/k8s/<version>/, once per version.
# Usage: hack/kube-binaries.sh <output-dir>
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: kube-binaries.sh <output-dir>}
mkdir -p "$out"
out=$(cd "$out" && pwd)

kube_version=$(cd "$root/hack/tools/kube" && go list -m -f "{{.Version}}" k8s.io/kubernetes)
minor=$(echo "$kube_version" | cut -d. -f2)
stamp=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  stamp+=" -X $pkg.gitVersion=$kube_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  stamp+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done

# build <binary> <tool module dir> <what> <ldflags>: builds once into $out, recording the time it took.
build() {
  local bin=$1 dir=$2 what=$3 ldflags=$4
  [ -x "$out/$bin" ] && return 0
  echo ">> building $what into $out"
  local start
  start=$(date +%s)
  (cd "$root/hack/tools/$dir" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w $ldflags" -o "$out/$bin.tmp" .)
  mv "$out/$bin.tmp" "$out/$bin"
  echo ">> $bin built in $(( $(date +%s) - start ))s" | tee -a "$out/build-times.txt"
}

build kube kube "Kubernetes $kube_version (kube-apiserver, controller-manager, scheduler, kubelet, kube-proxy, kubectl)" "$stamp"
for c in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl; do
  ln -sf kube "$out/$c"
done
build etcd etcd etcd ""
build coredns coredns CoreDNS ""
