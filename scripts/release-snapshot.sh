#!/usr/bin/env bash
# Builds a snapshot release into dist/ with GoReleaser (.goreleaser.yaml):
# archives for linux, darwin and windows on amd64 and arm64, .deb and .rpm
# packages, CycloneDX SBOMs and a SHA-256 checksum file. Nothing is
# published. The tools are pinned in tools/go.mod (a module of their own, so
# their dependencies stay out of ks3sync's go.mod) and installed into
# .tools/bin; a second run reuses them.
set -euo pipefail
cd "$(dirname "$0")/.."

bin="$PWD/.tools/bin"
echo "== release tools (tools/go.mod) -> .tools/bin"
(cd tools && GOBIN="$bin" go install tool)

echo "== goreleaser release --snapshot"
PATH="$bin:$PATH" goreleaser release --snapshot --clean
