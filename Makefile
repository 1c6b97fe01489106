# aggregation-operator: the operator and the MetricSnapshot aggregated API server.
# `make help` lists every target.

# Versions pinned in one place.
VERSION ?= v0.1.0
KUBE_VERSION ?= v1.37.2
CONTROLLER_TOOLS_VERSION ?= v0.23.0
# kustomize v5.8.2+ needs Go >= 1.27.
KUSTOMIZE_VERSION ?= v5.8.1
# cert-manager test bed; v1.21's controller needs a Venafi zip the module proxy refuses.
CERT_MANAGER_VERSION ?= v1.20.3

# Images are built without a daemon (go-containerregistry) and imported into the
# local cluster; a dotted registry keeps containerd from rewriting them to docker.io.
REGISTRY ?= local.test
IMG ?= $(REGISTRY)/aggregation-operator:$(VERSION)
APISERVER_IMG ?= $(REGISTRY)/metricsnapshot-apiserver:$(VERSION)

# Link-time version: the operator's default apiserver image follows its own version.
GO_LDFLAGS ?= -X example.com/aggregation-operator/internal/version.Version=$(VERSION) \
	-X example.com/aggregation-operator/internal/version.Registry=$(REGISTRY)

SHELL = /usr/bin/env bash -o pipefail
.SHELLFLAGS = -ec

LOCALBIN ?= $(shell pwd)/bin
KUBE_BIN ?= $(LOCALBIN)/k8s/$(KUBE_VERSION)
CONTROLLER_GEN ?= $(LOCALBIN)/controller-gen-$(CONTROLLER_TOOLS_VERSION)
KUSTOMIZE ?= $(LOCALBIN)/kustomize-$(KUSTOMIZE_VERSION)
KUBECTL ?= $(KUBE_BIN)/kubectl
CERT_MANAGER_BIN ?= $(LOCALBIN)/cert-manager/$(CERT_MANAGER_VERSION)

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
manifests: controller-gen ## Generate the CustomApiServer CRD and the operator's RBAC from markers.
	$(CONTROLLER_GEN) rbac:roleName=manager-role crd paths="./api/..." paths="./controllers/..." output:crd:artifacts:config=config/crd/bases

.PHONY: generate
generate: controller-gen ## Generate deepcopy for api/ and the MetricSnapshot apiserver's code (deepcopy, conversion, defaults, openapi, clients).
	$(CONTROLLER_GEN) object:headerFile="hack/boilerplate.go.txt" paths="./api/..."
	hack/update-codegen.sh

.PHONY: verify
verify: ## Check that generated code and manifests match their sources.
	hack/verify-codegen.sh
	$(MAKE) manifests generate
	git diff --exit-code -- api config apiserver || { echo "generated files are stale: run 'make manifests generate' and commit"; exit 1; }

.PHONY: fmt
fmt: ## Run go fmt.
	go fmt ./...

.PHONY: vet
vet: ## Run go vet.
	go vet ./...

##@ Test

.PHONY: test
test: manifests generate fmt vet kube-binaries cert-manager-crds prometheus ## Unit and integration tests against a real kube-apiserver, etcd and Prometheus (builds what it needs).
	go test ./... -count=1 -timeout 25m

.PHONY: test-e2e
# E2E_RUN selects tests (go test -run), e.g. E2E_RUN=TestCertManager; the cluster boots either way.
test-e2e: kube-binaries cert-manager-binaries images kustomize ## End-to-end suite on a real single-node cluster booted here (needs root).
	AGGOP_KUBE_BIN=$(KUBE_BIN) AGGOP_IMAGES=$(LOCALBIN)/images AGGOP_CLUSTER_DIR=$(CLUSTER_DIR) \
	AGGOP_CERT_MANAGER_BIN=$(CERT_MANAGER_BIN) \
	IMG=$(IMG) APISERVER_IMG=$(APISERVER_IMG) KUSTOMIZE=$(KUSTOMIZE) \
	go test -tags e2e ./test/e2e/... -count=1 -v -timeout 40m $(if $(E2E_RUN),-run '$(E2E_RUN)')

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
deploy: manifests kustomize kube-binaries ## Deploy the operator (image $(IMG), apiserver image $(APISERVER_IMG)) to the cluster in KUBECONFIG.
	@rm -rf $(LOCALBIN)/deploy && mkdir -p $(LOCALBIN)/deploy && cp -r config/. $(LOCALBIN)/deploy/
	cd $(LOCALBIN)/deploy/manager && $(KUSTOMIZE) edit set image controller=$(IMG) && \
		sed -i 's|--apiserver-image=.*|--apiserver-image=$(APISERVER_IMG)|' apiserver_image_patch.yaml
	$(KUSTOMIZE) build $(LOCALBIN)/deploy/default | $(KUBECTL) apply --server-side -f -

.PHONY: undeploy
undeploy: kustomize kube-binaries ## Remove the operator and its CRD from the cluster in KUBECONFIG.
	$(KUSTOMIZE) build config/default | $(KUBECTL) delete --ignore-not-found -f -

.PHONY: images
images: kube-binaries ## Build the operator, apiserver, sandbox, etcd and CoreDNS images as archives in bin/images (no daemon).
	go run ./hack/images -out $(LOCALBIN)/images -operator-image $(IMG) -apiserver-image $(APISERVER_IMG) \
		-ldflags "$(GO_LDFLAGS)" -kube-bin $(KUBE_BIN) \
		$(if $(wildcard $(CERT_MANAGER_BIN)/cert-manager),-cert-manager-bin $(CERT_MANAGER_BIN))

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

.PHONY: prometheus
prometheus: ## Install Prometheus from Debian when missing (the collection tests query a real one).
	@command -v prometheus >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null; }

.PHONY: controller-gen
controller-gen: $(CONTROLLER_GEN) ## Install controller-gen into bin/.
$(CONTROLLER_GEN):
	$(call go-install-tool,$(CONTROLLER_GEN),sigs.k8s.io/controller-tools/cmd/controller-gen,$(CONTROLLER_TOOLS_VERSION),controller-gen)

.PHONY: kustomize
kustomize: $(KUSTOMIZE) ## Install kustomize into bin/.
$(KUSTOMIZE):
	$(call go-install-tool,$(KUSTOMIZE),sigs.k8s.io/kustomize/kustomize/v5,$(KUSTOMIZE_VERSION),kustomize)

# go-install-tool installs package $2 at version $3 (binary $4) as $1 (versioned name, so a bump reinstalls).
define go-install-tool
@[ -f "$(1)" ] || { \
set -e; \
echo "Installing $(2)@$(3)"; \
GOBIN=$(LOCALBIN) go install $(2)@$(3); \
mv "$(LOCALBIN)/$(4)" "$(1)"; \
}
endef
