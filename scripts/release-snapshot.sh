#!/usr/bin/env bash
# Builds a snapshot release into dist/ with GoReleaser (.goreleaser.yaml):
# archives for linux, darwin and windows on amd64 and arm64, .deb and .rpm
# packages, CycloneDX SBOMs and a SHA-256 checksum file. Nothing is
# published. The tools are pinned in tools/go.mod (a module of their own, so
# their dependencies stay out of ks3sync's go.mod) and installed into
# .tools/bin; later runs reuse them.
set -euo pipefail
cd "$(dirname "$0")/.."

bin="$PWD/.tools/bin"
echo "== release tools (tools/go.mod) -> .tools/bin"
(cd tools && GOBIN="$bin" go install tool)

# GoReleaser reads the commit with git, but drops everything it read, and
# stamps "none", when the repository has no remote. A clone without one
# (or a linked worktree) gets this directory as its remote URL, for the
# duration of the build only.
if [ -z "$(git remote)" ]; then
  export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=remote.origin.url GIT_CONFIG_VALUE_0="$PWD"
fi

# A tree with uncommitted changes is stamped as such (.goreleaser.yaml).
KS3SYNC_TREE=clean
if [ -n "$(git status --porcelain)" ]; then
  KS3SYNC_TREE=modified
fi
export KS3SYNC_TREE

echo "== goreleaser release --snapshot"
PATH="$bin:$PATH" goreleaser release --snapshot --clean

# The binaries carry the commit they were built from: refuse a build that
# could not stamp it.
want=$(git rev-parse HEAD)
got=$(jq -r .commit dist/metadata.json)
if [ "$got" != "$want" ]; then
  echo "release-snapshot: dist/ was stamped with commit '$got', but HEAD is $want" >&2
  exit 1
fi
echo "== dist/: snapshot $(jq -r .version dist/metadata.json) of $want"
