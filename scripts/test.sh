#!/usr/bin/env bash
# Runs every lakeq test: vet, unit tests, the project's sqllogictest files,
# the shared SQLite corpus and the fuzz seed corpora. Installs what the
# tests need first (Go modules come through the module proxy).
set -euo pipefail
cd "$(dirname "$0")/.."

export CGO_ENABLED=1
go mod download
go vet ./...
go test -count=1 -timeout 25m ./... 2>&1 | tee /tmp/lakeq-test.log
