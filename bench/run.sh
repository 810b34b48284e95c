#!/usr/bin/env bash
# Times ks3sync against rclone and the AWS CLI on the same generated data
# against one local `ks3sync serve`, and prints medians and ks3sync/peer
# ratios (see BENCHMARKS.md).
#
#   bench/run.sh            the full run: 10,000 small files, 1 GiB, a no-op
#                           re-run over 100,000 files, download, watch latency
#                           and a 10,000-file burst, memory at 1,000,000 and
#                           2,000,000 files (dry run, and real passes over a
#                           bucket seeded with `serve --import`); 3 repetitions
#                           (~35 min)
#   bench/run.sh --smoke    tiny data, one repetition of every case (< 1 min, CI)
#   bench/run.sh [flags]    any other flags go to ks3bench (-reps, -cases, ...)
#
# Every case runs against `ks3sync serve` and then against versitygw (a
# third-party S3 server over a folder; ks3sync signs with SigV4 there), each
# started on loopback over a fresh folder, with one table per server.
#
# Environment: BENCH_WORK keeps data, logs and results in that folder (the
# generated data is reused by later runs); BENCH_RCLONE_LATEST=1 also builds
# the current rclone from the Go module proxy (about 5 minutes) and compares
# with it too; BENCH_VERSITYGW=0 leaves versitygw out (the smoke run leaves it
# out unless BENCH_VERSITYGW=1). Installs rclone and GNU time with apt-get,
# and versitygw with `go install` (about 2 minutes), when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=false
for a in "$@"; do
  if [ "$a" = --smoke ]; then smoke=true; fi
done

apt_install() {
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq "$@"
  else
    sudo apt-get update -qq && sudo apt-get install -y -qq "$@"
  fi
}
need=()
[ -x /usr/bin/time ] || need+=(time)
command -v rclone >/dev/null || need+=(rclone)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing ${need[*]}"
  apt_install "${need[@]}" >/dev/null
fi
command -v aws >/dev/null || { echo "bench: the AWS CLI (aws) is not installed" >&2; exit 1; }

if [ -n "${BENCH_WORK:-}" ]; then
  work=$BENCH_WORK
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work/bin"

echo "== building ks3sync and ks3bench into $work/bin"
go build -o "$work/bin/ks3sync" ./cmd/ks3sync
go build -o "$work/bin/ks3bench" ./bench/cmd/ks3bench

versitygw_version=v1.8.0
versitygw=""
want_versitygw=${BENCH_VERSITYGW:-}
if [ -z "$want_versitygw" ]; then
  if $smoke; then want_versitygw=0; else want_versitygw=1; fi
fi
if [ "$want_versitygw" = 1 ]; then
  gobin=$(go env GOBIN); gobin=${gobin:-$(go env GOPATH)/bin}
  if command -v versitygw >/dev/null; then
    versitygw=$(command -v versitygw)
  elif [ -x "$gobin/versitygw" ]; then
    versitygw=$gobin/versitygw
  else
    if [ ! -x "$work/bin/versitygw" ]; then
      echo "== building versitygw $versitygw_version (about 2 minutes)"
      GOBIN="$work/bin" go install "github.com/versity/versitygw/cmd/versitygw@$versitygw_version"
    fi
    versitygw=$work/bin/versitygw
  fi
fi

rclones=rclone
if [ "${BENCH_RCLONE_LATEST:-0}" = 1 ]; then
  if [ ! -x "$work/bin/rclone" ]; then
    echo "== building the current rclone (about 5 minutes)"
    GOBIN="$work/bin" go install github.com/rclone/rclone@latest
  fi
  rclones="rclone,$work/bin/rclone"
fi

args=()
for a in "$@"; do
  if [ "$a" = --smoke ]; then args+=(-smoke); else args+=("$a"); fi
done

if $smoke; then
  # The smoke run must fail loudly and finish well within a minute.
  timeout 90 "$work/bin/ks3bench" -ks3sync "$work/bin/ks3sync" -versitygw "$versitygw" -rclone "$rclones" -work "$work" "${args[@]}"
else
  "$work/bin/ks3bench" -ks3sync "$work/bin/ks3sync" -versitygw "$versitygw" -rclone "$rclones" -work "$work" \
    -out "$work/results.json" "${args[@]}"
  echo "== samples and summaries: $work/results.json; logs: $work/logs"
fi
