#!/usr/bin/env bash
# Runs every lakeq test: vet, unit tests, the project's sqllogictest files,
# the shared SQLite corpus and the fuzz seed corpora. Installs what the
# tests need first: Go modules through the module proxy, and the
# PostgreSQL server (tests start their own on 127.0.0.1) from Debian.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  need_apt+=(postgresql)
fi
# MariaDB: the MySQL connector's tests start their own (internal/testmysql)
[ -x /usr/sbin/mariadbd ] || command -v mariadbd >/dev/null 2>&1 || need_apt+=(mariadb-server)
# The real clients the server tests drive.
command -v psql >/dev/null 2>&1 || need_apt+=(postgresql-client)
# zlib's headers: the gzip reader inflates through zlib (cgo)
command -v gcc >/dev/null 2>&1 || need_apt+=(gcc)
[ -f /usr/include/zlib.h ] || need_apt+=(zlib1g-dev)
# tmux: the shell's interactive tests drive lakeq in a real terminal
command -v tmux >/dev/null 2>&1 || need_apt+=(tmux)
[ -f /usr/share/java/postgresql.jar ] || need_apt+=(libpostgresql-jdbc-java)
command -v java >/dev/null 2>&1 || need_apt+=(default-jre-headless)
/usr/bin/python3 -c 'import psycopg2' >/dev/null 2>&1 || need_apt+=(python3-psycopg2)
/usr/bin/python3 -c 'import sqlalchemy' >/dev/null 2>&1 || need_apt+=(python3-sqlalchemy)
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# node-postgres, pinned in server/testdata/clients/package-lock.json
if [ ! -d server/testdata/clients/node_modules/pg ]; then
  (cd server/testdata/clients && npm ci --no-audit --no-fund --loglevel=error)
fi
# DuckDB's Node API, pinned in bench/package-lock.json: the fuzzer's
# DuckDB oracle (and the benchmark peer)
if [ ! -d bench/node_modules/@duckdb/node-api ]; then
  (cd bench && npm ci --no-audit --no-fund --loglevel=error)
fi

export CGO_ENABLED=1
# everything the tests need is installed above: a missing tool or ../shared
# data set fails a test instead of skipping it
export CI="${CI:-true}"
# versitygw, the real S3 server the storage tests start (Apache-2.0)
gobin="$(go env GOPATH)/bin"
export PATH="$PATH:$gobin"
if ! command -v versitygw >/dev/null 2>&1; then
  go install github.com/versity/versitygw/cmd/versitygw@v1.8.0
fi
go mod download
go vet ./...
go test -count=1 -timeout 25m ./... 2>&1 | tee /tmp/lakeq-test.log
