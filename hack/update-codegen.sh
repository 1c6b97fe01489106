#!/usr/bin/env bash
# Generates the MetricSnapshot apiserver's deepcopy, conversion, defaults, OpenAPI, clientset,
# apply configurations, listers and informers with k8s.io/code-generator's kube_codegen.sh.
# Output: apiserver/apis/** (zz_generated.*) and apiserver/generated/{openapi,clientset,applyconfiguration,listers,informers}.
set -o errexit
set -o nounset
set -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "${ROOT}"

# The generators come from the code-generator version pinned in go.mod (module cache, no vendoring).
CODEGEN_PKG=${CODEGEN_PKG:-$(go list -m -f '{{.Dir}}' k8s.io/code-generator)}
if [[ -z "${CODEGEN_PKG}" || ! -f "${CODEGEN_PKG}/kube_codegen.sh" ]]; then
    go mod download k8s.io/code-generator
    CODEGEN_PKG=$(go list -m -f '{{.Dir}}' k8s.io/code-generator)
fi
# shellcheck source=/dev/null
source "${CODEGEN_PKG}/kube_codegen.sh"

THIS_PKG="example.com/aggregation-operator/apiserver"
BOILERPLATE="${ROOT}/hack/boilerplate.go.txt"

kube::codegen::gen_helpers \
    --boilerplate "${BOILERPLATE}" \
    "${ROOT}/apiserver/apis"

# Known API-rule violations (all in apimachinery types) live in hack/api-rules; a new one fails generation.
# Refresh the list deliberately with UPDATE_API_KNOWN_VIOLATIONS=true.
kube::codegen::gen_openapi \
    --output-dir "${ROOT}/apiserver/generated/openapi" \
    --output-pkg "${THIS_PKG}/generated/openapi" \
    --output-model-name-file "zz_generated.model_name.go" \
    --report-filename "${ROOT}/hack/api-rules/violation_exceptions.list" \
    ${UPDATE_API_KNOWN_VIOLATIONS:+--update-report} \
    --boilerplate "${BOILERPLATE}" \
    "${ROOT}/apiserver/apis"

# Apply configurations carry the structured-merge schema of every type, read from the generated OpenAPI.
schema=$(mktemp)
trap 'rm -f "${schema}"' EXIT
go run "${THIS_PKG}/generated/openapi/cmd/models-schema" > "${schema}"

kube::codegen::gen_client \
    --with-watch \
    --with-applyconfig \
    --applyconfig-openapi-schema "${schema}" \
    --output-dir "${ROOT}/apiserver/generated" \
    --output-pkg "${THIS_PKG}/generated" \
    --boilerplate "${BOILERPLATE}" \
    "${ROOT}/apiserver/apis"
