#!/usr/bin/env bash
# Cross-compiles ks3sync for every platform it ships on. Without cgo the
# state store uses the pure-Go SQLite driver, so no C cross-compiler is needed.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for target in linux/amd64 linux/arm64 windows/amd64 windows/arm64 darwin/amd64 darwin/arm64; do
  os=${target%/*}; arch=${target#*/}
  echo "   $target"
  CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -o "$out/ks3sync-$os-$arch" ./cmd/ks3sync
done
