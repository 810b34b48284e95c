#!/usr/bin/env bash
# Runs the Windows build of ks3sync under Wine (Debian 12's wine64, Wine 8)
# against `ks3sync serve` on Linux, all on loopback: the Windows build makes
# a bucket, pushes a tree, pulls keys that Windows cannot hold as they are
# (reserved names, ':', '?', '|', '<', '>', a trailing dot or space, a tab,
# two keys that differ only in case, a path over 260 characters), checks the
# local names the Windows rules give them, and pushes every edited file back
# to exactly its original key. Exits non-zero on any mismatch.
#
# Wine 8 has no bcryptprimitives.dll, whose ProcessPrng the Go runtime loads
# at start since Go 1.22 ("fatal error: bcryptprimitives.dll not found").
# scripts/wine/bcryptprimitives.c is a stand-in built here with mingw-w64 and
# put in the throwaway prefix's system32 (the runtime looks only there).
#
# Installs wine64 and gcc-mingw-w64-x86-64 if missing (about 1.6 GB, 70 s).
# KEEP=1 keeps the work folder. Takes about 1 minute after the install.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v wine >/dev/null || need+=(wine64)
command -v x86_64-w64-mingw32-gcc >/dev/null || need+=(gcc-mingw-w64-x86-64)
if [ ${#need[@]} -gt 0 ]; then
  sudo=(); [ "$(id -u)" = 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
fi

work=$(mktemp -d)
export WINEPREFIX=$work/prefix WINEDEBUG=-all
# No Mono or Gecko: ks3sync needs neither, and nobody is there to install them.
export WINEDLLOVERRIDES="mscoree,mshtml="
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  wineserver -k 2>/dev/null || true # this prefix's wineserver only
  if [ "${KEEP:-}" = 1 ]; then echo "wine-e2e: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

fails=0
fail() { echo "wine-e2e: FAIL: $*" >&2; fails=$((fails + 1)); }
step() { echo "wine-e2e: $*"; }
# winpath prints the Wine (Z:) path of a Linux path.
winpath() { local p=${1//\//\\}; printf 'Z:%s' "$p"; }

step "building ks3sync (linux, windows) and bcryptprimitives.dll"
CGO_ENABLED=0 go build -o "$work/ks3sync" ./cmd/ks3sync
CGO_ENABLED=0 GOOS=windows GOARCH=amd64 go build -trimpath -o "$work/ks3sync.exe" ./cmd/ks3sync
x86_64-w64-mingw32-gcc -shared -O2 -s -o "$work/bcryptprimitives.dll" \
  scripts/wine/bcryptprimitives.c scripts/wine/bcryptprimitives.def -ladvapi32

step "creating the Wine prefix ($(wine --version))"
timeout 120 wineboot -i >/dev/null 2>&1
timeout 60 wineserver -w
cp "$work/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"

"$work/ks3sync" serve --root "$work/root" --addr 127.0.0.1:0 >"$work/serve.log" 2>&1 &
server=$!
ep=
for _ in $(seq 100); do
  ep=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$work/serve.log")
  [ -n "$ep" ] && break
  sleep 0.1
done
[ -n "$ep" ] || { cat "$work/serve.log" >&2; echo "wine-e2e: serve did not start" >&2; exit 1; }
step "ks3sync serve on $ep"

# lin and win run the Linux and the Windows build against the server
# (no keys: both use the built-in pair of a loopback serve).
lin() { "$work/ks3sync" --endpoint "$ep" "$@"; }
win() { timeout 120 wine "$work/ks3sync.exe" --endpoint "$ep" "$@"; }
# expect_object KEY DATA: the object KEY of bucket bkt holds DATA.
expect_object() {
  local got
  got=$(lin cp "ks3://bkt/$1" - 2>&1) || true
  [ "$got" = "$2" ] || fail "object $1 = \"$got\", want \"$2\""
}
# object_count PREFIX: the objects under PREFIX, leaving out .ks3sync/.
object_count() { lin ls -r "ks3://bkt/$1" | grep -vc '/\.ks3sync/' || true; }

# Into a file, not a pipe: grep -q would close the pipe before ks3sync writes.
timeout 60 wine "$work/ks3sync.exe" version >"$work/version.out" 2>&1 || true
grep -q 'windows/amd64' "$work/version.out" || { cat "$work/version.out" >&2; echo "wine-e2e: ks3sync.exe version failed" >&2; exit 1; }
win mb ks3://bkt >/dev/null || { echo "wine-e2e: mb under Wine failed" >&2; exit 1; }

deep="deep/$(printf 'd%.0s' {1..96})/$(printf 'e%.0s' {1..96})/$(printf 'f%.0s' {1..100})"

step "push of a tree from Wine"
declare -A tree=(
  ["ok/plain.txt"]="plain"
  ["sp ace/Ünïcode ✓.txt"]="unicode"
  ["$deep"]="deep"
)
for rel in "${!tree[@]}"; do
  mkdir -p "$work/src/$(dirname "$rel")"
  printf '%s' "${tree[$rel]}" >"$work/src/$rel"
done
win sync "$(winpath "$work/src")" ks3://bkt/push >"$work/push.out" 2>&1 || fail "push exited $?: $(cat "$work/push.out")"
for rel in "${!tree[@]}"; do expect_object "push/$rel" "${tree[$rel]}"; done
[ "$(object_count push/)" = ${#tree[@]} ] || fail "push made $(object_count push/) objects, want ${#tree[@]}"

step "pull of hostile keys into a Wine folder"
# Keys and the local names the Windows rules give them ("" = skipped), as
# in e2e/names_test.go hostileTree.
declare -A hostile=(
  ["CON.txt"]="ＣON.txt"
  ["a:b"]="a：b"
  ["what?"]="what？"
  ["name."]="name．"
  ["trail "]="trail␠"
  ["Report.pdf"]=""
  ["report.pdf"]=""
  [$'tab\tname']="tab␉name"
  ["dir|x/f<1>"]="dir｜x/f＜1＞"
  ["ok/plain.txt"]="ok/plain.txt"
  ["$deep"]="$deep"
)
for key in "${!hostile[@]}"; do
  printf 'content of %s' "$key" | lin cp - "ks3://bkt/h/$key" >/dev/null
done
dst=$work/dst
win sync ks3://bkt/h "$(winpath "$dst")" >"$work/pull.out" 2>&1 || fail "pull exited $?: $(cat "$work/pull.out")"
grep -q 'rules="windows names, case-insensitive"' "$work/pull.out" || fail "pull did not use the Windows rules: $(cat "$work/pull.out")"
grep -q 'letter case' "$work/pull.out" || fail "pull did not warn of Report.pdf/report.pdf: $(cat "$work/pull.out")"
want=0
for key in "${!hostile[@]}"; do
  name=${hostile[$key]}
  [ -n "$name" ] || continue
  want=$((want + 1))
  got=$(cat "$dst/$name" 2>&1) || true
  [ "$got" = "content of $key" ] || fail "key \"$key\": local \"$name\" = \"$got\""
done
files=$(find "$dst" -path "$dst/.ks3sync" -prune -o -type f -print | wc -l)
[ "$files" = "$want" ] || { fail "$files files pulled, want $want"; find "$dst" -type f >&2; }

win sync ks3://bkt/h "$(winpath "$dst")" >"$work/pull2.out" 2>&1 || fail "second pull exited $?"
grep -q ' 0 uploaded, 0 downloaded, 0 deleted' "$work/pull2.out" || fail "second pull transferred: $(cat "$work/pull2.out")"

step "push back of every edited file"
for key in "${!hostile[@]}"; do
  name=${hostile[$key]}
  [ -n "$name" ] || continue
  printf 'edited %s' "$key" >"$dst/$name"
  touch -d '+1 minute' "$dst/$name"
done
win sync "$(winpath "$dst")" ks3://bkt/h >"$work/back.out" 2>&1 || fail "push back exited $?: $(cat "$work/back.out")"
for key in "${!hostile[@]}"; do
  if [ -n "${hostile[$key]}" ]; then expect_object "h/$key" "edited $key"; else expect_object "h/$key" "content of $key"; fi
done
[ "$(object_count h/)" = ${#hostile[@]} ] || { fail "$(object_count h/) objects under h/ after the push, want ${#hostile[@]}"; lin ls -r ks3://bkt/h/ >&2; }

if [ "$fails" -gt 0 ]; then
  echo "wine-e2e: $fails check(s) failed (KEEP=1 keeps $work)" >&2
  exit 1
fi
step "ok"
