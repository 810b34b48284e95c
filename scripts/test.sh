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
go test -race -count=1 -timeout 30m ./...

echo "== cross-compile"
./scripts/cross.sh
echo "== release snapshot on a fresh clone, artifacts and packages checked (make release-check)"
./scripts/release-check.sh
echo "== benchmark smoke (bench/run.sh --smoke)" && ./bench/run.sh --smoke
