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

if [ ! -x "$out/kube" ]; then
  echo ">> building Kubernetes $kube_version (kube-apiserver, controller-manager, scheduler, kubelet, kube-proxy, kubectl) into $out"
  start=$(date +%s)
  (cd "$root/hack/tools/kube" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w $stamp" -o "$out/kube.tmp" .)
  mv "$out/kube.tmp" "$out/kube"
  echo ">> kube built in $(( $(date +%s) - start ))s" | tee -a "$out/build-times.txt"
fi
for c in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl; do
  ln -sf kube "$out/$c"
done

if [ ! -x "$out/etcd" ]; then
  echo ">> building etcd into $out"
  start=$(date +%s)
  (cd "$root/hack/tools/etcd" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$out/etcd.tmp" .)
  mv "$out/etcd.tmp" "$out/etcd"
  echo ">> etcd built in $(( $(date +%s) - start ))s" | tee -a "$out/build-times.txt"
fi

if [ ! -x "$out/coredns" ]; then
  echo ">> building CoreDNS into $out"
  start=$(date +%s)
  (cd "$root/hack/tools/coredns" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$out/coredns.tmp" .)
  mv "$out/coredns.tmp" "$out/coredns"
  echo ">> coredns built in $(( $(date +%s) - start ))s" | tee -a "$out/build-times.txt"
fi
