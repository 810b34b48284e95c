#!/usr/bin/env bash
# Installs what the test suite needs and a fresh Debian machine lacks:
# gcc for cgo (mattn/go-sqlite3), the peer tools Debian packages (rclone,
# s3cmd), Chromium for the status page test and the module downloads.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v gcc >/dev/null || need+=(gcc libc6-dev)
# Third-party peers of the end-to-end tests (e2e/peers_test.go) that Debian
# packages: rclone and s3cmd.
command -v rclone >/dev/null || need+=(rclone)
command -v s3cmd >/dev/null || need+=(s3cmd)
# Headless Chromium drives the status page in e2e/web_test.go (under CI a
# missing browser fails it).
command -v chromium >/dev/null || need+=(chromium)
# GNU time: the benchmark harness runs every command under /usr/bin/time -v
# for its CPU time and peak RSS.
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq "${need[@]}"
  else
    sudo apt-get update -qq && sudo apt-get install -y -qq "${need[@]}"
  fi
fi
go mod download

# The other peers come with Python and are preinstalled on these machines
# (Debian 12 packages no moto). Under CI a missing peer fails its test.
missing=()
command -v aws >/dev/null || missing+=("the AWS CLI (aws)")
command -v moto_server >/dev/null || missing+=("moto (moto_server)")
python3 -c 'import boto3' 2>/dev/null || missing+=("boto3")
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps.sh: peer tests need ${missing[*]}: pip install awscli boto3 'moto[server]'" >&2
fi
