#!/usr/bin/env bash
# The whole test suite, as CI runs it. Installs what the tests need on a
# fresh Debian machine, then: gofmt, go vet, go mod tidy check, the unit and
# end-to-end tests under the race detector, cross-compilation for the
# platforms ks3sync ships on, and the snapshot release with its packages.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/deps.sh

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
go vet ./...

echo "== go mod tidy"
./scripts/tidy-check.sh

echo "== go test -race"
# The status page's browser test keeps its screenshots (desktop light and
# dark, 360 px wide) here as artifacts of the run.
export KS3SYNC_SCREENSHOTS="${KS3SYNC_SCREENSHOTS:-$PWD/test-artifacts/screenshots}"
go test -race -count=1 -timeout 30m ./...
echo "status page screenshots: $KS3SYNC_SCREENSHOTS"

# Release builds are CGO_ENABLED=0 and use the pure-Go SQLite driver
# (modernc.org/sqlite); builds from source use mattn/go-sqlite3. Both ship,
# so the packages that talk to SQLite run under both.
echo "== go test, pure-Go SQLite driver (CGO_ENABLED=0)"
CGO_ENABLED=0 go test -count=1 ./internal/... ./state/... ./ks3server/...

# The release snapshot cross-compiles every shipped platform (what
# scripts/cross.sh does on its own for `make cross`).
echo "== release snapshot on a fresh clone: cross-compiled archives, checksums and packages checked (make release-check)"
./scripts/release-check.sh
echo "== benchmark smoke (bench/run.sh --smoke)" && ./bench/run.sh --smoke
