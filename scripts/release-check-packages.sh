#!/usr/bin/env bash
# Checks the Linux packages of a snapshot release built in SRC/dist (see
# scripts/release-check.sh): the .deb's contents, conffiles and maintainer
# scripts, then a real install, upgrade, removal and purge with dpkg on this
# machine, and the .rpm's files, config flags and scriptlets. Runs as root.
#
# No systemd runs here, so the maintainer scripts run in a mount namespace
# in which /run/systemd/system exists, one more instance (ks3sync@other) is
# enabled, and systemctl is a stand-in that records its arguments: the
# record shows what the scripts would have asked of systemd, and that they
# never enable or start a service. The installed units go through
# `systemd-analyze verify`, which needs no running systemd.
#
# Usage: release-check-packages.sh SRC VERSION COMMIT
src=$1 version=$2 commit=$3
dist=$src/dist

checks=0
ok() { checks=$((checks + 1)); echo "   ok  $*"; }
fail() { echo "release-check: FAIL: $*" >&2; exit 1; }

arch=$(dpkg --print-architecture)
deb=$dist/ks3sync_${version}_linux_$arch.deb
rpm=$dist/ks3sync_${version}_linux_$arch.rpm
{ [ -f "$deb" ] && [ -f "$rpm" ]; } || fail "no .deb or .rpm for linux/$arch in dist/"

# The check installs the package and creates the user ks3sync; it removes
# all of it afterwards, so it refuses to run where ks3sync already lives.
if dpkg-query -W ks3sync >/dev/null 2>&1 || getent passwd ks3sync >/dev/null ||
  [ -e /etc/ks3sync ] || [ -e /var/lib/ks3sync ] || [ -e /var/log/ks3sync ]; then
  fail "ks3sync (package, user or folders) is already on this machine; the check installs and removes its own"
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/ks3sync-package-check.XXXXXX")
chmod 0755 "$work" # the user ks3sync reads the test folder below it
cleanup() {
  if dpkg-query -W ks3sync >/dev/null 2>&1; then dpkg --purge ks3sync >/dev/null || true; fi
  rm -rf /etc/ks3sync /var/lib/ks3sync /var/log/ks3sync "$work"
  if getent passwd ks3sync >/dev/null; then userdel ks3sync || true; fi
  if getent group ks3sync >/dev/null; then groupdel ks3sync || true; fi
}
trap cleanup EXIT

# --- the stand-in systemd --------------------------------------------------
mkdir -p "$work/bin"
cat >"$work/bin/systemctl" <<'EOF'
#!/bin/sh
echo "$*" >>"$SYSTEMCTL_LOG"
if [ "$1" = list-units ]; then
  echo "ks3sync@media.service loaded active running ks3sync instance media"
fi
EOF
chmod +x "$work/bin/systemctl"
mkdir -p /run/systemd /etc/systemd/system

# with_systemd LOG CMD...: runs CMD where systemd seems to run, recording
# systemctl's arguments in LOG, one call a line.
with_systemd() {
  local log=$1
  shift
  : >"$log"
  SYSTEMCTL_LOG=$log PATH="$work/bin:$PATH" unshare --mount --propagation private sh -ec '
    mount -t tmpfs tmpfs /run/systemd && mkdir /run/systemd/system
    mount -t tmpfs tmpfs /etc/systemd/system && mkdir /etc/systemd/system/multi-user.target.wants
    ln -s /usr/lib/systemd/system/ks3sync@.service /etc/systemd/system/multi-user.target.wants/ks3sync@other.service
    exec "$@"' sh "$@"
}

# expect_calls LOG WANT...: systemctl was called exactly so, in this order.
expect_calls() {
  local log=$1
  shift
  local want
  want=$(printf '%s\n' "$@")
  [ "$(cat "$log")" = "$want" ] || fail "systemctl calls:"$'\n'"$(cat "$log")"$'\n'"want:"$'\n'"$want"
}

# owned PATH OWNER:GROUP MODE
owned() {
  local got
  got=$(stat -c '%U:%G %a' "$1")
  [ "$got" = "$2 $3" ] || fail "$1 is $got, want $2 $3"
}

echo "== .deb contents"
dpkg-deb -e "$deb" "$work/control"
[ "$(dpkg-deb -f "$deb" Package Architecture | tr '\n' ' ')" = "Package: ks3sync Architecture: $arch " ] ||
  fail "control: $(dpkg-deb -f "$deb" Package Architecture)"
[ "$(sort "$work/control/conffiles")" = $'/etc/ks3sync/env\n/etc/ks3sync/ks3sync.yaml' ] ||
  fail "conffiles: $(cat "$work/control/conffiles")"
listing=$(dpkg-deb -c "$deb" | awk '{print $1, $2, $6}')
for entry in \
  "-rwxr-xr-x root/root ./usr/bin/ks3sync" \
  "-rw-r--r-- root/root ./usr/lib/systemd/system/ks3sync.service" \
  "-rw-r--r-- root/root ./usr/lib/systemd/system/ks3sync@.service" \
  "drwxr-x--- root/ks3sync ./etc/ks3sync/" \
  "-rw-r----- root/ks3sync ./etc/ks3sync/ks3sync.yaml" \
  "-rw------- root/root ./etc/ks3sync/env" \
  "-rw-r--r-- root/root ./usr/share/doc/ks3sync/copyright" \
  "-rw-r--r-- root/root ./usr/share/doc/ks3sync/ks3sync.yaml.example"; do
  grep -qxF -- "$entry" <<<"$listing" || fail ".deb lacks $entry; it holds:"$'\n'"$listing"
done
ok ".deb: binary, units, conffiles /etc/ks3sync/{ks3sync.yaml,env} with their owners and modes, docs"
for s in preinst postinst prerm postrm; do
  [ -x "$work/control/$s" ] || fail ".deb has no executable $s"
done
shellcheck --shell=sh "$work/control/preinst" "$work/control/postinst" "$work/control/prerm" "$work/control/postrm"
ok ".deb maintainer scripts present and clean under shellcheck"

echo "== dpkg -i (first install)"
log=$work/systemctl.log
with_systemd "$log" dpkg -i "$deb" >"$work/install.out" 2>&1 || fail "dpkg -i:"$'\n'"$(cat "$work/install.out")"
expect_calls "$log" "daemon-reload"
grep -q "ks3sync is installed but not started" "$work/install.out" || fail "no set-up notice:"$'\n'"$(cat "$work/install.out")"
ok "installed; the scripts only reloaded systemd (nothing enabled or started) and printed how to set it up"

[ "$(/usr/bin/ks3sync version | head -1)" = "ks3sync $version" ] || fail "installed ks3sync version: $(/usr/bin/ks3sync version)"
/usr/bin/ks3sync version | grep -qx "commit: *$commit" || fail "installed ks3sync version does not name $commit"
ok "/usr/bin/ks3sync version names $version and commit $commit"

IFS=: read -r _ _ uid _ _ home shell <<<"$(getent passwd ks3sync)"
{ [ "$uid" -lt 1000 ] && [ "$home" = /var/lib/ks3sync ] && [ "$shell" = /usr/sbin/nologin ]; } ||
  fail "user ks3sync: uid $uid, home $home, shell $shell"
owned /etc/ks3sync root:ks3sync 750
owned /etc/ks3sync/ks3sync.yaml root:ks3sync 640
owned /etc/ks3sync/env root:root 600
owned /var/lib/ks3sync ks3sync:ks3sync 750
owned /var/log/ks3sync ks3sync:ks3sync 750
cmp -s /etc/ks3sync/ks3sync.yaml "$src/packaging/ks3sync.yaml" || fail "/etc/ks3sync/ks3sync.yaml is not packaging/ks3sync.yaml"
ok "system user ks3sync (uid $uid, no login); /etc/ks3sync, state and log folders with their owners and modes"

for u in /usr/lib/systemd/system/ks3sync.service /usr/lib/systemd/system/ks3sync@.service; do
  out=$(systemd-analyze verify "$u" 2>&1) || fail "systemd-analyze verify $u: $out"
  [ -z "$out" ] || fail "systemd-analyze verify $u:"$'\n'"$out"
done
exposure=$(systemd-analyze security --offline=true --threshold=20 /usr/lib/systemd/system/ks3sync.service 2>&1 | tail -1) ||
  fail "systemd-analyze security: $exposure"
ok "systemd-analyze verify accepts both units; ${exposure#→ }"

echo "== the installed service's command, as the user ks3sync"
set +e
out=$(cd / && timeout 30 runuser -u ks3sync -- /usr/bin/ks3sync watch --config /etc/ks3sync/ks3sync.yaml 2>&1)
code=$?
set -e
{ [ "$code" = 2 ] && grep -q "no pairs configured" <<<"$out"; } || fail "unconfigured watch: exit $code: $out"
ok "unconfigured, the service's command refuses to start (exit 2: no pairs configured)"

mkdir -p "$work/data/sub"
echo one >"$work/data/a.txt"
echo two >"$work/data/sub/b.txt"
chmod -R a+rX "$work/data"
install -m 0640 -g ks3sync /dev/stdin /etc/ks3sync/check.yaml <<EOF
endpoint: local:/var/lib/ks3sync/check/store
state: /var/lib/ks3sync/check/state.db
log: {level: warn, format: json}
pairs:
  - name: check
    local: $work/data
    bucket: check
    direction: push
EOF
as_ks3sync() { (cd / && runuser -u ks3sync -- /usr/bin/ks3sync "$@"); }
as_ks3sync run --config /etc/ks3sync/check.yaml --no-progress >/dev/null || fail "run as ks3sync"
# The pair's own area (.ks3sync/: its change journal) is left out.
[ "$(as_ks3sync ls -r ks3://check --config /etc/ks3sync/check.yaml | grep -v '^\.ks3sync/')" = $'a.txt\nsub/b.txt' ] || fail "the bucket does not hold the two files"
[ -f /var/lib/ks3sync/check/state.db ] || fail "no state database under /var/lib/ks3sync/check"
ok "as ks3sync: a push run reads the folder, writes its state under /var/lib/ks3sync, the bucket holds both files"

echo "== dpkg -i again (upgrade in place): the configuration stays"
echo "# edited by the administrator" >>/etc/ks3sync/ks3sync.yaml
echo "KS3_ACCESS_KEY=AKLTEXAMPLEONLY" >>/etc/ks3sync/env
with_systemd "$log" dpkg -i "$deb" >"$work/upgrade.out" 2>&1 || fail "dpkg -i (upgrade):"$'\n'"$(cat "$work/upgrade.out")"
expect_calls "$log" "daemon-reload"
grep -q "edited by the administrator" /etc/ks3sync/ks3sync.yaml || fail "the upgrade replaced /etc/ks3sync/ks3sync.yaml"
grep -q AKLTEXAMPLEONLY /etc/ks3sync/env || fail "the upgrade replaced /etc/ks3sync/env"
grep -q "ks3sync upgraded" "$work/upgrade.out" || fail "no upgrade notice:"$'\n'"$(cat "$work/upgrade.out")"
ok "upgrade: edited ks3sync.yaml and env kept; no service stopped, disabled or started"

echo "== dpkg -r: config and state stay"
with_systemd "$log" dpkg -r ks3sync >"$work/remove.out" 2>&1 || fail "dpkg -r:"$'\n'"$(cat "$work/remove.out")"
expect_calls "$log" \
  "list-units --all --plain --no-legend ks3sync@*.service" \
  "disable --now ks3sync.service" \
  "disable --now ks3sync@media.service" \
  "disable --now ks3sync@other.service" \
  "daemon-reload"
{ [ ! -e /usr/bin/ks3sync ] && [ ! -e /usr/lib/systemd/system/ks3sync.service ]; } || fail "dpkg -r left the binary or the unit"
grep -q "edited by the administrator" /etc/ks3sync/ks3sync.yaml || fail "dpkg -r removed /etc/ks3sync/ks3sync.yaml"
{ [ -f /etc/ks3sync/env ] && [ -f /etc/ks3sync/check.yaml ]; } || fail "dpkg -r removed files of /etc/ks3sync"
{ [ -f /var/lib/ks3sync/check/state.db ] && [ -d /var/log/ks3sync ]; } || fail "dpkg -r removed the state or the logs"
getent passwd ks3sync >/dev/null || fail "dpkg -r removed the user"
ok "removed: services stopped and disabled (ks3sync and both instances); /etc/ks3sync, /var/lib/ks3sync, /var/log/ks3sync and the user stay"

echo "== dpkg --purge: the conffiles go, the state stays"
with_systemd "$log" dpkg --purge ks3sync >"$work/purge.out" 2>&1 || fail "dpkg --purge:"$'\n'"$(cat "$work/purge.out")"
expect_calls "$log" "daemon-reload"
{ [ ! -e /etc/ks3sync/ks3sync.yaml ] && [ ! -e /etc/ks3sync/env ]; } || fail "dpkg --purge kept the conffiles"
{ [ -f /etc/ks3sync/check.yaml ] && [ -f /var/lib/ks3sync/check/state.db ]; } || fail "dpkg --purge removed files it does not own"
getent passwd ks3sync >/dev/null || fail "dpkg --purge removed the user"
ok "purged: conffiles removed; other files of /etc/ks3sync, the state and the user stay"

echo "== .rpm"
[ "$(rpm -qp --qf '%{NAME} %{ARCH}' "$rpm" 2>/dev/null)" = "ks3sync $(uname -m)" ] || fail "rpm name/arch: $(rpm -qp --qf '%{NAME} %{ARCH}' "$rpm")"
files=$(rpm -qp --qf '[%{FILEMODES:perms} %{FILEUSERNAME}:%{FILEGROUPNAME} %{FILEFLAGS:fflags} %{FILENAMES}\n]' "$rpm" 2>/dev/null)
for entry in \
  "-rwxr-xr-x root:root  /usr/bin/ks3sync" \
  "-rw-r--r-- root:root  /usr/lib/systemd/system/ks3sync.service" \
  "-rw-r--r-- root:root  /usr/lib/systemd/system/ks3sync@.service" \
  "drwxr-x--- root:ks3sync  /etc/ks3sync" \
  "-rw-r----- root:ks3sync cn /etc/ks3sync/ks3sync.yaml" \
  "-rw------- root:root cn /etc/ks3sync/env" \
  "-rw-r--r-- root:root l /usr/share/licenses/ks3sync/LICENSE"; do
  grep -qxF -- "$entry" <<<"$files" || fail ".rpm lacks $entry; it holds:"$'\n'"$files"
done
ok ".rpm: binary, units, %config(noreplace) /etc/ks3sync/{ks3sync.yaml,env} with owners and modes, licence"

# The scriptlets are the .deb's scripts; rpm passes counts instead of words:
# %post 1 = install, 2 = upgrade; %preun 0 = removal, 1 = upgrade.
for tag in PREIN POSTIN PREUN POSTUN; do
  rpm -qp --qf "%{$tag}" "$rpm" 2>/dev/null >"$work/$tag.sh"
done
cmp -s "$work/PREIN.sh" "$src/packaging/scripts/preinstall.sh" || fail "%pre is not packaging/scripts/preinstall.sh"
with_systemd "$log" sh "$work/POSTIN.sh" 1 >"$work/rpm-post.out"
expect_calls "$log" "daemon-reload"
grep -q "installed but not started" "$work/rpm-post.out" || fail "%post 1 printed no set-up notice"
with_systemd "$log" sh "$work/PREUN.sh" 1
expect_calls "$log"
with_systemd "$log" sh "$work/PREUN.sh" 0
grep -qx "disable --now ks3sync.service" "$log" || fail "%preun 0 did not disable ks3sync.service"
with_systemd "$log" sh "$work/POSTUN.sh" 0
expect_calls "$log" "daemon-reload"
ok ".rpm scriptlets: %post only reloads systemd; %preun disables the services on removal, not on upgrade"

echo "release-check: the $checks package checks hold"
