#!/usr/bin/env bash
# Builds the snapshot release on a fresh clone of HEAD and checks what it
# made: six archives with the binary, README.md, LICENSE and
# ks3sync.yaml.example; binaries built without cgo for their platform and
# stamped with the commit; checksums that verify; one SBOM per binary. Then
# scripts/release-check-packages.sh installs, upgrades and removes the .deb
# and inspects the .rpm. Needs root on Debian (CI runs so); installs the
# Debian tools it uses. Nothing is published, and nothing is left behind.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

checks=0
ok() { checks=$((checks + 1)); echo "   ok  $*"; }
fail() { echo "release-check: FAIL: $*" >&2; exit 1; }

if [ "$(id -u)" != 0 ]; then
  fail "the package checks install a .deb: run as root (CI does)"
fi
need=()
for tool in jq:jq unzip:unzip rpm:rpm shellcheck:shellcheck systemd-analyze:systemd; do
  command -v "${tool%%:*}" >/dev/null || need+=("${tool#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "== apt-get install ${need[*]}"
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/ks3sync-release-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
src=$work/src
dist=$src/dist

echo "== fresh clone of $(git rev-parse --short HEAD)"
if [ -n "$(git status --porcelain)" ]; then
  echo "   (uncommitted changes here are not part of the clone)"
fi
git clone --quiet "$repo" "$src"
commit=$(git -C "$src" rev-parse HEAD)

started=$SECONDS
(cd "$src" && ./scripts/release-snapshot.sh)
build_seconds=$((SECONDS - started))
version=$(jq -r .version "$dist/metadata.json")
[ "$(jq -r .commit "$dist/metadata.json")" = "$commit" ] || fail "metadata.json names another commit"
ok "snapshot $version of $commit built in ${build_seconds}s"

echo "== archives"
platforms=(linux_amd64 linux_arm64 darwin_amd64 darwin_arm64 windows_amd64 windows_arm64)
count=$(find "$dist" -maxdepth 1 \( -name '*.tar.gz' -o -name '*.zip' \) | wc -l)
[ "$count" = 6 ] || fail "$count archives in dist/, want 6"
for platform in "${platforms[@]}"; do
  os=${platform%_*} arch=${platform#*_}
  name=ks3sync_${version}_$platform exe=ks3sync
  x=$work/archives/$platform
  mkdir -p "$x"
  if [ "$os" = windows ]; then
    exe=ks3sync.exe
    [ -f "$dist/$name.zip" ] || fail "no $name.zip"
    listing=$(unzip -Z1 "$dist/$name.zip" | grep -v '/$' | sort)
    unzip -q "$dist/$name.zip" -d "$x"
  else
    [ -f "$dist/$name.tar.gz" ] || fail "no $name.tar.gz"
    listing=$(tar -tzf "$dist/$name.tar.gz" | grep -v '/$' | sort)
    tar -xzf "$dist/$name.tar.gz" -C "$x"
  fi
  want=$(printf '%s\n' "$name/LICENSE" "$name/README.md" "$name/$exe" "$name/ks3sync.yaml.example" | sort)
  [ "$listing" = "$want" ] || fail "$name holds:"$'\n'"$listing"$'\n'"want:"$'\n'"$want"
  for f in LICENSE README.md ks3sync.yaml.example; do
    cmp -s "$x/$name/$f" "$src/$f" || fail "$name/$f differs from the repository's"
  done
  info=$(go version -m "$x/$name/$exe")
  for setting in "GOOS=$os" "GOARCH=$arch" "CGO_ENABLED=0" "-trimpath=true"; do
    grep -qx -- "	build	$setting" <<<"$info" || fail "$name/$exe: no $setting in its build information"
  done
  # -trimpath keeps -ldflags out of the build information: look for the
  # stamped commit in the binary itself.
  grep -qaF "$commit" "$x/$name/$exe" || fail "$name/$exe is not stamped with $commit"
  ok "$name: binary for $os/$arch (no cgo, stamped), README.md, LICENSE, ks3sync.yaml.example"
done

host=$(go env GOOS)_$(go env GOARCH)
bin=$work/archives/$host/ks3sync_${version}_$host/ks3sync
v=$("$bin" version --json)
for field in ".source=release" ".version=$version" ".commit=$commit" ".modified=false" ".cgo=false" ".sqlite.module=modernc.org/sqlite"; do
  [ "$(jq -r "${field%%=*}" <<<"$v")" = "${field#*=}" ] || fail "$host ks3sync version --json: ${field%%=*} is not ${field#*=}: $v"
done
[ "$("$bin" version | head -1)" = "ks3sync $version" ] || fail "$host ks3sync version: $("$bin" version | head -1)"
ok "$host binary: ks3sync version names $version, the commit and the pure-Go SQLite driver"

echo "== checksums"
sums=ks3sync_${version}_checksums.txt
(cd "$dist" && sha256sum --check --strict --quiet "$sums") || fail "$sums does not verify"
listed=$(awk '{print $2}' "$dist/$sums" | sort)
made=$(find "$dist" -maxdepth 1 -type f \( -name '*.tar.gz' -o -name '*.zip' -o -name '*.deb' -o -name '*.rpm' -o -name '*.cdx.json' \) -printf '%f\n' | sort)
[ "$listed" = "$made" ] || fail "$sums lists:"$'\n'"$listed"$'\n'"dist/ has:"$'\n'"$made"
ok "$sums: $(wc -l <"$dist/$sums") artifacts, every one verifies"

echo "== SBOMs"
for platform in "${platforms[@]}"; do
  sbom=$dist/ks3sync_${version}_$platform.cdx.json
  [ -f "$sbom" ] || fail "no $(basename "$sbom")"
  [ "$(jq -r '.bomFormat + " " + .metadata.component.version' "$sbom")" = "CycloneDX $version" ] ||
    fail "$(basename "$sbom") is not a CycloneDX SBOM of $version"
  jq -e '[.components[].name] | index("modernc.org/sqlite") and (index("github.com/mattn/go-sqlite3") | not)' "$sbom" >/dev/null ||
    fail "$(basename "$sbom") does not list the pure-Go SQLite driver alone"
done
ok "six CycloneDX SBOMs naming $version and the modules linked in"

echo "release-check: the $checks artifact checks hold"
"$src/scripts/release-check-packages.sh" "$src" "$version" "$commit"
echo "release-check: done in ${SECONDS}s (snapshot build ${build_seconds}s)"
