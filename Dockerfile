# syntax=docker/dockerfile:1
#
# The callaudit reference server (cmd/auditd) as a small container image:
# a static binary on an empty base, run as an unprivileged user, SQLite
# history in the /data volume unless AUDIT_DATABASE_URL names PostgreSQL.
#
#   docker build -t callaudit .
#   docker run --rm -p 8000:8000 -e OPENAI_API_KEY=sk-... callaudit
#
# The base images are build arguments so that a mirror or a pinned digest
# can be used: --build-arg GO_IMAGE=registry.example/golang:1.26.
# cmd/auditd/docker_test.go builds the binary with this file's go build
# command and runs it as this file's user, environment and volume.

ARG GO_IMAGE=golang:1.26
ARG RUNTIME_IMAGE=scratch

FROM ${GO_IMAGE} AS build
WORKDIR /src
# Modules first, so that a source change reuses the downloaded ones.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# VERSION is what GET /config and the startup log report; a build without
# .git has no VCS stamp, so pass it: --build-arg VERSION=$(git describe).
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X github.com/callaudit/callaudit/cmd/internal/server.version=${VERSION}" -o /out/auditd ./cmd/auditd
# The runtime image has no shell: prepare its user, its volume and a
# writable temp dir here. uid 10001 is no user of the host's.
RUN mkdir -p /out/etc /out/data /out/tmp \
    && echo 'auditd:x:10001:10001:callaudit:/data:/sbin/nologin' > /out/etc/passwd \
    && echo 'auditd:x:10001:' > /out/etc/group \
    && chown 10001:10001 /out/data \
    && chmod 1777 /out/tmp

FROM ${RUNTIME_IMAGE} AS runtime
# CA certificates for OpenAI, amoCRM, Bitrix24 and recording URLs over HTTPS.
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/etc/passwd /out/etc/group /etc/
COPY --from=build /out/tmp /tmp
COPY --from=build --chown=10001:10001 /out/data /data
COPY --from=build /out/auditd /auditd
USER 10001:10001
WORKDIR /data
ENV AUDIT_ADDR=0.0.0.0:8000 \
    AUDIT_DATABASE_URL=/data/callaudit.db
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
    CMD ["/auditd", "healthcheck"]
ENTRYPOINT ["/auditd"]
