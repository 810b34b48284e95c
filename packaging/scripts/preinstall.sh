#!/bin/sh
# ks3sync package: before unpacking (deb preinst, rpm %pre). Creates the
# system group and user ks3sync, which own /etc/ks3sync (group) and the state
# folder, so they exist before the files are unpacked. Never removed: files
# owned by the user may outlive the package (state, logs, restored files).
set -e

if ! getent group ks3sync >/dev/null; then
	groupadd --system ks3sync
fi
if ! getent passwd ks3sync >/dev/null; then
	useradd --system --gid ks3sync --home-dir /var/lib/ks3sync --no-create-home \
		--shell /usr/sbin/nologin --comment "ks3sync daemon" ks3sync
fi
