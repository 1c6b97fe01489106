# Two targets, one per image: `docker build --target operator .` and `--target apiserver .`.
# `make images` builds the same images without a daemon (hack/images): same entrypoint, user, exposed ports,
# OCI labels and copied files, on a base layer standing in for distroless/static:nonroot (CA certificates,
# passwd/group with nonroot). hack/dockerfilecheck parses this file and checks that they match.
ARG VERSION=v0.1.0
ARG REGISTRY=local.test
ARG SOURCE=https://example.com/aggregation-operator
ARG REVISION=unknown

FROM golang:1.26 AS builder
ARG VERSION
ARG REGISTRY
WORKDIR /workspace
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ENV CGO_ENABLED=0
RUN go build -trimpath -ldflags "-s -w -X example.com/aggregation-operator/internal/version.Version=${VERSION} -X example.com/aggregation-operator/internal/version.Registry=${REGISTRY}" -o /out/operator ./cmd/operator
RUN go build -trimpath -ldflags "-s -w" -o /out/apiserver ./cmd/apiserver

# What both images share: the base, the release labels and the non-root user.
FROM gcr.io/distroless/static:nonroot AS release
ARG VERSION
ARG SOURCE
ARG REVISION
LABEL org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.revision="${REVISION}"
USER 65532:65532

FROM release AS operator
LABEL org.opencontainers.image.title="aggregation-operator" \
      org.opencontainers.image.description="The CustomApiServer operator: API aggregation setups with rotated certificates"
COPY --from=builder /out/operator /operator
# metrics, health probes
EXPOSE 8080/tcp 8081/tcp
ENTRYPOINT ["/operator"]

FROM release AS apiserver
LABEL org.opencontainers.image.title="metricsnapshot-apiserver" \
      org.opencontainers.image.description="The MetricSnapshot aggregated API server (metrics.example.com/v1)"
COPY --from=builder /out/apiserver /apiserver
# the secure port CustomApiServers default to (spec.securePort)
EXPOSE 6443/tcp
ENTRYPOINT ["/apiserver"]
