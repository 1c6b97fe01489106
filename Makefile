# aggregation-operator: the operator and the MetricSnapshot aggregated API server.
# `make help` lists every target.

# Versions pinned in one place.
VERSION ?= v0.1.0
# Kubernetes: the k8s.io/kubernetes requirement of hack/tools/kube/go.mod, the one place it is written
# (hack/kube-binaries.sh and the tests read it there too); bump it there.
ifndef KUBE_VERSION
KUBE_VERSION := $(shell cd hack/tools/kube && go list -m -f '{{.Version}}' k8s.io/kubernetes)
endif
CONTROLLER_TOOLS_VERSION ?= v0.23.0
# kustomize v5.8.2+ needs Go >= 1.27.
KUSTOMIZE_VERSION ?= v5.8.1
GOLANGCI_LINT_VERSION ?= v2.15.0
# OLM (hack/tools/olm, hack/tools/olmutil) and CNCF distribution (hack/tools/registry): built only for
# `make bundle`, `make test` (opm) and `make test-e2e` (the OLM install).
OLM_VERSION ?= v0.46.0
OPM_VERSION ?= v1.73.0
DISTRIBUTION_VERSION ?= v3.1.2
UROOT_VERSION ?= v0.16.0
GRPC_HEALTH_PROBE_VERSION ?= v0.4.62
HELM_VERSION ?= v3.22.0
# The stock k8s.io/sample-apiserver the e2e suite runs as a CustomApiServer (any k8s.io/apiserver server must work).
SAMPLE_APISERVER_VERSION ?= v0.37.2
# metrics-server (hack/tools/metrics-server), which the e2e suite runs as a stateless CustomApiServer and adopts.
METRICS_SERVER_VERSION ?= v0.9.0
# cert-manager test bed; v1.21's controller needs a Venafi zip the module proxy refuses.
CERT_MANAGER_VERSION ?= v1.20.3
# The Prometheus Operator's CRDs (ServiceMonitor, PrometheusRule) that test/chart validates the optional
# monitoring objects against.
PROMETHEUS_OPERATOR_VERSION ?= v0.93.0

# Images are built without a daemon (go-containerregistry) and imported into the
# local cluster; a dotted registry keeps containerd from rewriting them to docker.io.
REGISTRY ?= local.test
IMG ?= $(REGISTRY)/aggregation-operator:$(VERSION)
APISERVER_IMG ?= $(REGISTRY)/metricsnapshot-apiserver:$(VERSION)
# The etcd of spec.storage.managed (operator flag --etcd-image): built from source by `make images`, tagged with
# etcd's version (internal/version.EtcdVersion, hack/tools/etcd).
ETCD_IMG ?= $(REGISTRY)/etcd:v3.7.3
# The OLM bundle and catalog images; the catalog's olm.bundle entry points at BUNDLE_IMG.
BUNDLE_IMG ?= $(REGISTRY)/aggregation-operator-bundle:$(VERSION)
CATALOG_IMG ?= $(REGISTRY)/aggregation-operator-catalog:$(VERSION)
BUNDLE_CHANNEL ?= stable-v0
# OCI labels of the images (org.opencontainers.image.source, .revision), as the Dockerfile's SOURCE and REVISION.
IMAGE_SOURCE ?= https://example.com/aggregation-operator
IMAGE_REVISION ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
SAMPLE_APISERVER_IMG ?= $(REGISTRY)/sample-apiserver:$(SAMPLE_APISERVER_VERSION)
METRICS_SERVER_IMG ?= $(REGISTRY)/metrics-server:$(METRICS_SERVER_VERSION)

# Link-time version: the operator's default apiserver image follows its own version.
GO_LDFLAGS ?= -X example.com/aggregation-operator/internal/version.Version=$(VERSION) \
	-X example.com/aggregation-operator/internal/version.Registry=$(REGISTRY)

# One set of compile flags for everything built here: tests, tools, the images (as the Dockerfile builds them)
# and the Kubernetes binaries. The Go build cache keys every package on them, so the dependencies these share
# (k8s.io/*, controller-runtime, etcd, ...) are compiled once instead of once per set: a third of a cold CI run.
# Code that needs the repository's root finds it from the working directory (internal/kubeversion.Root).
export CGO_ENABLED = 0
export GOFLAGS := -trimpath $(filter-out -trimpath,$(GOFLAGS))

SHELL = /usr/bin/env bash -o pipefail
.SHELLFLAGS = -ec

LOCALBIN ?= $(shell pwd)/bin
KUBE_BIN ?= $(LOCALBIN)/k8s/$(KUBE_VERSION)
CONTROLLER_GEN ?= $(LOCALBIN)/controller-gen-$(CONTROLLER_TOOLS_VERSION)
KUSTOMIZE ?= $(LOCALBIN)/kustomize-$(KUSTOMIZE_VERSION)
GOLANGCI_LINT ?= $(LOCALBIN)/golangci-lint-$(GOLANGCI_LINT_VERSION)
HELM ?= $(LOCALBIN)/helm-$(HELM_VERSION)
KUBECTL ?= $(KUBE_BIN)/kubectl
OPM ?= $(LOCALBIN)/opm-$(OPM_VERSION)
OLM_BIN ?= $(LOCALBIN)/olm-$(OLM_VERSION)
DISTRIBUTION ?= $(LOCALBIN)/registry-$(DISTRIBUTION_VERSION)
SAMPLE_APISERVER ?= $(LOCALBIN)/sample-apiserver-$(SAMPLE_APISERVER_VERSION)
METRICS_SERVER ?= $(LOCALBIN)/metrics-server-$(METRICS_SERVER_VERSION)
CERT_MANAGER_BIN ?= $(LOCALBIN)/cert-manager/$(CERT_MANAGER_VERSION)
PROMETHEUS_OPERATOR_CRDS ?= $(LOCALBIN)/prometheus-operator/$(PROMETHEUS_OPERATOR_VERSION)/crds

# SKIP_GENERATE=1 leaves `manifests generate` out of `make test` and `make deploy`. .ci/run sets it once
# `make verify-generated` has regenerated and checked everything: the generators rewrite their files even when
# nothing changed, and there the tests run while the e2e suite builds from, and deploys, the same tree.
SKIP_GENERATE ?=

# A user's KUBEBUILDER_ASSETS wins; otherwise the binaries built from source here.
KUBEBUILDER_ASSETS ?= $(KUBE_BIN)
export KUBEBUILDER_ASSETS

.PHONY: all
all: build

##@ General

.PHONY: help
help: ## Display this help.
	@awk 'BEGIN {FS = ":.*##"; printf "\nUsage:\n  make \033[36m<target>\033[0m\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-20s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) } ' $(MAKEFILE_LIST)

##@ Development

.PHONY: manifests
manifests: controller-gen ## Generate the CRD and the operator's RBAC from markers, and the Helm chart's copies of them and its values reference.
	$(CONTROLLER_GEN) rbac:roleName=manager-role crd paths="./api/..." paths="./controllers/..." output:crd:artifacts:config=config/crd/bases
	go run ./hack/chartgen -config config -chart charts/aggregation-operator

.PHONY: generate
generate: controller-gen ## Generate deepcopy for api/ and the MetricSnapshot apiserver's code (deepcopy, conversion, defaults, openapi, clients).
	$(CONTROLLER_GEN) object:headerFile="hack/boilerplate.go.txt" paths="./api/..."
	hack/update-codegen.sh

.PHONY: verify
verify: verify-generated lint ## Fail (fixing nothing) on unformatted Go files, stale or uncommitted generated code and manifests, and lint findings.

.PHONY: verify-generated
verify-generated: ## The part of verify without golangci-lint: gofmt, generated code, manifests, chart, bundle and catalog up to date.
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); [ -z "$$unformatted" ] || { echo "not gofmt-ed (run 'make fmt' and commit):"; echo "$$unformatted"; exit 1; }
	hack/verify-codegen.sh
	hack/align-tool-modules.sh -check
	$(MAKE) manifests generate
	@changed=$$(git status --porcelain --untracked-files=all -- api config apiserver charts); [ -z "$$changed" ] || { \
		echo "generated files are stale or not committed: run 'make manifests generate' and commit"; echo "$$changed"; git diff -- api config apiserver charts; exit 1; }
	$(MAKE) bundle
	[ -z "$$(git status --porcelain --untracked-files=all -- bundle bundle.Dockerfile catalog)" ] || { git status --short -- bundle bundle.Dockerfile catalog; echo "the OLM bundle or catalog is stale: run 'make bundle' and commit"; exit 1; }

.PHONY: lint
lint: golangci-lint ## Run golangci-lint (.golangci.yml: govet, staticcheck, errcheck, revive, gofmt, goimports, misspell, unparam, ...).
	$(GOLANGCI_LINT) run ./...

.PHONY: fmt
fmt: ## Run go fmt.
	go fmt ./...

.PHONY: vet
vet: ## Run go vet.
	go vet ./...

##@ Test

.PHONY: test-tools
test-tools: kube-binaries cert-manager-crds prometheus-operator-crds prometheus postgresql opm helm kustomize ## Build or install what `make test` runs against (cached in bin/ by version; Prometheus and PostgreSQL from Debian).

.PHONY: test
# envtest's control plane gets 2 minutes to start (default 20 s): CI runs these tests beside the e2e cluster.
test: $(if $(SKIP_GENERATE),,manifests generate) fmt vet test-tools ## Unit and integration tests against a real kube-apiserver, etcd, Prometheus and PostgreSQL; the Helm chart, Dockerfile, bundle and catalog checks (builds what it needs).
	KUBEBUILDER_CONTROLPLANE_START_TIMEOUT=$${KUBEBUILDER_CONTROLPLANE_START_TIMEOUT:-2m} \
	OPM=$(OPM) HELM=$(HELM) KUSTOMIZE=$(KUSTOMIZE) PROMETHEUS_OPERATOR_CRDS=$(PROMETHEUS_OPERATOR_CRDS) go test ./... -count=1 -timeout 25m
	cd hack/dockerfilecheck && go test ./... -count=1

# Go native fuzz targets, as <package>:<target>; each package's testdata/fuzz/<target> holds its committed corpus.
FUZZ_TARGETS = ./apiserver/apis/metrics/validation:FuzzValidateMetricSnapshot ./apiserver/apis/metrics:FuzzInterval \
	./apiserver/collector:FuzzCollectResponse ./controllers:FuzzChildBuilders
FUZZTIME ?= 6s

.PHONY: fuzz
fuzz: ## Run each Go fuzz target for FUZZTIME (default 6s: ~30 s of fuzzing in all, plus building every dependency instrumented); a failing input is saved under the package's testdata/fuzz. CI runs it (.ci/run); `make test` runs the committed corpora as plain tests.
	@for t in $(FUZZ_TARGETS); do \
		echo "fuzz $${t#*:} ($${t%%:*}) for $(FUZZTIME)"; \
		go test "$${t%%:*}" -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZTIME) || exit 1; \
	done

.PHONY: e2e-tools
# The suite also runs k8s.io/sample-apiserver, metrics-server and cert-manager, so their images are built along
# with the others (for the e2e suite only).
e2e-tools: IMAGES_FLAGS = -sample-apiserver $(SAMPLE_APISERVER) -sample-apiserver-image $(SAMPLE_APISERVER_IMG) \
	-metrics-server $(METRICS_SERVER) -metrics-server-image $(METRICS_SERVER_IMG) -cert-manager-bin $(CERT_MANAGER_BIN)
e2e-tools: postgresql kube-binaries sample-apiserver metrics-server cert-manager-binaries images kustomize olm-binaries helm ## Build what `make test-e2e` runs: Kubernetes, cert-manager, OLM, sample-apiserver, metrics-server and the images.

.PHONY: test-e2e
test-e2e: e2e-tools ## End-to-end suite on a real single-node cluster booted here (needs root); E2E_FLAGS="-run TestX" runs some only.
	AGGOP_KUBE_BIN=$(KUBE_BIN) AGGOP_IMAGES=$(LOCALBIN)/images AGGOP_CLUSTER_DIR=$(CLUSTER_DIR) \
	AGGOP_CERT_MANAGER_BIN=$(CERT_MANAGER_BIN) \
	IMG=$(IMG) APISERVER_IMG=$(APISERVER_IMG) SAMPLE_APISERVER_IMG=$(SAMPLE_APISERVER_IMG) METRICS_SERVER_IMG=$(METRICS_SERVER_IMG) KUSTOMIZE=$(KUSTOMIZE) HELM=$(HELM) \
	AGGOP_OLM_BIN=$(OLM_BIN) AGGOP_REGISTRY_BIN=$(DISTRIBUTION) OPM=$(OPM) OLM_VERSION=$(OLM_VERSION) OPM_VERSION=$(OPM_VERSION) \
	BUNDLE_IMG=$(BUNDLE_IMG) CATALOG_IMG=$(CATALOG_IMG) \
	go test -tags e2e ./test/e2e/... -count=1 -v -timeout 50m $(E2E_FLAGS)

.PHONY: bench
# The side-by-side benchmark runs k8s.io/sample-apiserver too, so its image is built along with the others.
bench: IMAGES_FLAGS = -sample-apiserver $(SAMPLE_APISERVER) -sample-apiserver-image $(SAMPLE_APISERVER_IMG)
bench: kube-binaries sample-apiserver images kustomize ## Benchmark MetricSnapshot vs a CRD vs k8s.io/sample-apiserver (aggregator and pod) on the cluster in KUBECONFIG, else on the local cluster it boots (root; flock /tmp/aggop-e2e.lock); BENCH_FLAGS="-objects 300" etc.
	go run ./hack/bench -kube-bin $(KUBE_BIN) -images $(LOCALBIN)/images -state $(CLUSTER_DIR) -img $(IMG) \
		-apiserver-img $(APISERVER_IMG) -sample-apiserver-img $(SAMPLE_APISERVER_IMG) $(BENCH_FLAGS)

.PHONY: bench-operator
bench-operator: kube-binaries ## Benchmark the operator on envtest: 200 CustomApiServers at once (converge time, RSS, requests, resync writes, deletion); BENCH_OPERATOR_FLAGS="-scale.objects=50 -scale.resync=20s".
	go test ./controllers/scale -run '^$$' -bench . -benchtime 1x -timeout 30m -v -args $(BENCH_OPERATOR_FLAGS)

##@ Build

.PHONY: build
build: manifests generate fmt vet ## Build the operator and the apiserver binaries into bin/.
	CGO_ENABLED=0 go build -ldflags "$(GO_LDFLAGS)" -o $(LOCALBIN)/operator ./cmd/operator
	CGO_ENABLED=0 go build -ldflags "$(GO_LDFLAGS)" -o $(LOCALBIN)/apiserver ./cmd/apiserver

.PHONY: run
# The cluster `make run` talks to: $KUBECONFIG, else ~/.kube/config (as kubectl and kubebuilder do); with
# neither, run-local boots one here.
RUN_KUBECONFIG := $(or $(strip $(KUBECONFIG)),$(wildcard $(HOME)/.kube/config))

run: manifests generate fmt vet ## Run the operator against the cluster in KUBECONFIG or ~/.kube/config (CRD installed first); with neither, see run-local.
ifneq ($(RUN_KUBECONFIG),)
	$(MAKE) install KUBECONFIG=$(RUN_KUBECONFIG)
	KUBECONFIG=$(RUN_KUBECONFIG) \
	go run -ldflags "$(GO_LDFLAGS)" ./cmd/operator --apiserver-image=$(APISERVER_IMG)
else
	$(MAKE) run-local
endif

# `make run` without KUBECONFIG: boot the local cluster (root), deploy the operator from the local images,
# run the sample CustomApiServer with the etcd and Prometheus it expects, and print commands to try.
.PHONY: run-local
run-local: cluster-up kustomize ## Boot the local cluster, deploy the operator and the sample CustomApiServer, wait until the API is Available.
	$(MAKE) --no-print-directory deploy KUBECONFIG=$(CLUSTER_DIR)/admin.kubeconfig
	$(KUBECTL) --kubeconfig=$(CLUSTER_DIR)/admin.kubeconfig -n aggregation-operator-system rollout status deployment/aggregation-operator-controller-manager --timeout=120s
	$(CLUSTER) sample

##@ Deployment

.PHONY: install
install: manifests kustomize kube-binaries ## Install the CustomApiServer CRD into the cluster in KUBECONFIG.
	$(KUSTOMIZE) build config/crd | $(KUBECTL) apply --server-side -f -

.PHONY: uninstall
uninstall: manifests kustomize kube-binaries ## Remove the CustomApiServer CRD (and with it every CustomApiServer) from the cluster in KUBECONFIG.
	$(KUSTOMIZE) build config/crd | $(KUBECTL) delete --ignore-not-found -f -

.PHONY: deploy
deploy: $(if $(SKIP_GENERATE),,manifests) kustomize kube-binaries ## Deploy the operator (image $(IMG), apiserver image $(APISERVER_IMG), etcd image $(ETCD_IMG)) to the cluster in KUBECONFIG.
	$(call config-with-images,$(LOCALBIN)/deploy)
	$(KUSTOMIZE) build $(LOCALBIN)/deploy/default | $(KUBECTL) apply --server-side -f -

.PHONY: undeploy
undeploy: kustomize kube-binaries ## Remove the operator and its CRD from the cluster in KUBECONFIG.
	$(KUSTOMIZE) build config/default | $(KUBECTL) delete --ignore-not-found -f -

.PHONY: images
images: kube-binaries ca-certificates ## Build the operator, apiserver (the Dockerfile's targets), sandbox, etcd and CoreDNS images as archives in bin/images (no daemon).
	go run ./hack/images -out $(LOCALBIN)/images -operator-image $(IMG) -apiserver-image $(APISERVER_IMG) \
		-ldflags "$(GO_LDFLAGS)" -kube-bin $(KUBE_BIN) \
		-version $(VERSION) -source $(IMAGE_SOURCE) -revision $(IMAGE_REVISION) $(IMAGES_FLAGS)

##@ OLM

.PHONY: bundle
bundle: manifests kustomize opm ## Generate the OLM bundle (bundle/, bundle.Dockerfile) and its File-Based Catalog (catalog/) from config/, then validate the catalog.
	$(call config-with-images,$(LOCALBIN)/bundle-config)
	$(KUSTOMIZE) build $(LOCALBIN)/bundle-config/manifests | go run ./hack/bundle -version $(VERSION) \
		-channel $(BUNDLE_CHANNEL) -out bundle -dockerfile bundle.Dockerfile
	OPM=$(OPM) hack/catalog.sh catalog $(BUNDLE_CHANNEL) bundle $(BUNDLE_IMG)

##@ Local cluster

# State (pki, configs, data, logs) of the local single-node cluster; its kubeconfig is admin.kubeconfig there.
CLUSTER_DIR ?= /tmp/aggop-cluster
CLUSTER ?= go run ./hack/cluster -state $(CLUSTER_DIR) -kube-bin $(KUBE_BIN) -images $(LOCALBIN)/images

.PHONY: cluster-up
cluster-up: kube-binaries images ## Boot the local single-node cluster from source-built binaries (root); idempotent.
	$(CLUSTER) up

.PHONY: cluster-down
cluster-down: ## Tear the local cluster down, leaving no processes, mounts, links, rules or cgroups; idempotent.
	$(CLUSTER) down

##@ Dependencies

.PHONY: kube-binaries
kube-binaries: ## Build kube-apiserver, kubelet, ..., kubectl and etcd from the Go module proxy into bin/k8s/<version>.
	@hack/kube-binaries.sh $(KUBE_BIN)

.PHONY: cert-manager-binaries
cert-manager-binaries: ## Build cert-manager's controller, cainjector and webhook (one binary) and copy its CRDs into bin/cert-manager/<version>.
	@hack/cert-manager-binaries.sh $(CERT_MANAGER_BIN)

.PHONY: cert-manager-crds
cert-manager-crds: ## Copy cert-manager's CRDs (for envtest) into bin/cert-manager/<version>/crds, without building.
	@hack/cert-manager-binaries.sh $(CERT_MANAGER_BIN) crds

.PHONY: prometheus-operator-crds
prometheus-operator-crds: ## Copy the Prometheus Operator's CRDs (for the chart's envtest) into bin/prometheus-operator/<version>/crds.
	@hack/prometheus-operator-crds.sh $(PROMETHEUS_OPERATOR_CRDS) $(PROMETHEUS_OPERATOR_VERSION)

.PHONY: prometheus
prometheus: ## Install Prometheus from Debian when missing (the collection tests query a real one; promtool tests the alerts).
	@command -v prometheus >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null; }

.PHONY: postgresql
postgresql: ## Install PostgreSQL from Debian when missing (the apiserver's postgres backend is tested on a private cluster the tests start).
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null; }

.PHONY: opm
opm: $(OPM) ## Build opm (operator-registry) into bin/.
$(OPM):
	@hack/build-tool.sh $(OPM) olm github.com/operator-framework/operator-registry@$(OPM_VERSION) \
		github.com/operator-framework/operator-registry/cmd/opm json1,containers_image_openpgp

# The OLM install in the e2e suite: olm, catalog and cpb (OLM's image), cp and grpc_health_probe (what
# OLM's pods exec), opm, and the registry OLM pulls the bundle and catalog images from.
OLM_BINARIES = $(OLM_BIN)/olm $(OLM_BIN)/catalog $(OLM_BIN)/cpb $(OLM_BIN)/cp $(OLM_BIN)/grpc_health_probe
.PHONY: olm-binaries
olm-binaries: $(OLM_BINARIES) $(OPM) $(DISTRIBUTION) ## Build OLM's operators, their helpers and the CNCF distribution registry into bin/.
$(OLM_BIN)/olm $(OLM_BIN)/catalog:
	@hack/build-tool.sh $@ olm github.com/operator-framework/operator-lifecycle-manager@$(OLM_VERSION) \
		github.com/operator-framework/operator-lifecycle-manager/cmd/$(notdir $@)
$(OLM_BIN)/cpb:
	@hack/build-tool.sh $@ olm github.com/operator-framework/operator-lifecycle-manager@$(OLM_VERSION) \
		github.com/operator-framework/operator-lifecycle-manager/util/cpb
$(OLM_BIN)/cp:
	@hack/build-tool.sh $@ olmutil github.com/u-root/u-root@$(UROOT_VERSION) github.com/u-root/u-root/cmds/core/cp
$(OLM_BIN)/grpc_health_probe:
	@hack/build-tool.sh $@ olmutil github.com/grpc-ecosystem/grpc-health-probe@$(GRPC_HEALTH_PROBE_VERSION) github.com/grpc-ecosystem/grpc-health-probe
$(DISTRIBUTION):
	@hack/build-tool.sh $@ registry github.com/distribution/distribution/v3@$(DISTRIBUTION_VERSION) .

.PHONY: ca-certificates
ca-certificates: ## Install Debian's ca-certificates when missing (the images carry its CA bundle).
	@[ -f /etc/ssl/certs/ca-certificates.crt ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ca-certificates >/dev/null; }

.PHONY: sample-apiserver
sample-apiserver: $(SAMPLE_APISERVER) ## Build the stock k8s.io/sample-apiserver (static) into bin/ for the e2e suite (from hack/tools/kube, so it shares the Kubernetes build's packages: seconds after kube-binaries).
$(SAMPLE_APISERVER):
	@hack/build-tool.sh $@ kube k8s.io/sample-apiserver@$(SAMPLE_APISERVER_VERSION) k8s.io/sample-apiserver

.PHONY: metrics-server
metrics-server: $(METRICS_SERVER) ## Build metrics-server (hack/tools/metrics-server) into bin/ for the e2e suite (~3 min the first time).
$(METRICS_SERVER):
	@hack/build-tool.sh $@ metrics-server sigs.k8s.io/metrics-server@$(METRICS_SERVER_VERSION) sigs.k8s.io/metrics-server/cmd/metrics-server

.PHONY: controller-gen
controller-gen: $(CONTROLLER_GEN) ## Install controller-gen into bin/.
$(CONTROLLER_GEN):
	$(call go-install-tool,$(CONTROLLER_GEN),sigs.k8s.io/controller-tools/cmd/controller-gen,$(CONTROLLER_TOOLS_VERSION),controller-gen)

.PHONY: kustomize
kustomize: $(KUSTOMIZE) ## Install kustomize into bin/.
$(KUSTOMIZE):
	$(call go-install-tool,$(KUSTOMIZE),sigs.k8s.io/kustomize/kustomize/v5,$(KUSTOMIZE_VERSION),kustomize)

.PHONY: golangci-lint
golangci-lint: $(GOLANGCI_LINT) ## Install golangci-lint into bin/.
$(GOLANGCI_LINT):
	$(call go-install-tool,$(GOLANGCI_LINT),github.com/golangci/golangci-lint/v2/cmd/golangci-lint,$(GOLANGCI_LINT_VERSION),golangci-lint)

# config-with-images copies config/ to $(1) with the operator image $(IMG), apiserver image $(APISERVER_IMG) and
# etcd image $(ETCD_IMG).
define config-with-images
@rm -rf $(1) && mkdir -p $(1) && cp -r config/. $(1)/
cd $(1)/manager && $(KUSTOMIZE) edit set image controller=$(IMG) && \
	sed -i -e 's|--apiserver-image=.*|--apiserver-image=$(APISERVER_IMG)|' -e 's|--etcd-image=.*|--etcd-image=$(ETCD_IMG)|' apiserver_image_patch.yaml
endef

.PHONY: helm
helm: $(HELM) ## Install the Helm CLI into bin/ (built from the Go module proxy, several minutes cold).
# The link-time variables Helm's own Makefile sets: its version, and the Kubernetes version `helm template`
# and `helm lint` assume without a cluster (KUBE_VERSION's here; v1.20 otherwise).
KUBE_MINOR = $(word 2,$(subst ., ,$(KUBE_VERSION)))
HELM_LDFLAGS = -s -w -X helm.sh/helm/v3/internal/version.version=$(HELM_VERSION) \
	-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$(KUBE_MINOR) \
	-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$(KUBE_MINOR)
$(HELM):
	$(call go-install-tool,$(HELM),helm.sh/helm/v3/cmd/helm,$(HELM_VERSION),helm,$(HELM_LDFLAGS))

# go-install-tool installs package $2 at version $3 (binary $4) as $1 (versioned name, so a bump reinstalls),
# linked with the optional -ldflags $5.
define go-install-tool
@[ -f "$(1)" ] || { \
set -e; \
echo "Installing $(2)@$(3)"; \
GOBIN=$(LOCALBIN) go install -ldflags "$(5)" $(2)@$(3); \
mv "$(LOCALBIN)/$(4)" "$(1)"; \
}
endef
