# Two targets, one per image: `docker build --target operator .` and `--target apiserver .`.
# The same images are built without a daemon by `make images` (go-containerregistry),
# with the same entrypoints and non-root user.
FROM golang:1.26 AS builder
ARG VERSION=v0.1.0
ARG REGISTRY=local.test
WORKDIR /workspace
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ENV CGO_ENABLED=0
RUN go build -trimpath -ldflags "-s -w -X example.com/aggregation-operator/internal/version.Version=${VERSION} -X example.com/aggregation-operator/internal/version.Registry=${REGISTRY}" -o /out/operator ./cmd/operator
RUN go build -trimpath -ldflags "-s -w" -o /out/apiserver ./cmd/apiserver

FROM gcr.io/distroless/static:nonroot AS operator
COPY --from=builder /out/operator /operator
USER 65532:65532
ENTRYPOINT ["/operator"]

FROM gcr.io/distroless/static:nonroot AS apiserver
COPY --from=builder /out/apiserver /apiserver
USER 65532:65532
ENTRYPOINT ["/apiserver"]
