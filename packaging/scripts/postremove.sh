#!/bin/sh
# ks3sync package: after removing the files (deb postrm, rpm %postun).
# Reloads systemd's unit files once the units are gone. /etc/ks3sync (but
# for the packaged files, which dpkg deletes on purge), the state in
# /var/lib/ks3sync, the logs in /var/log/ks3sync and the user ks3sync stay,
# even on purge: the state may hold an embedded store, and a reinstall picks
# everything up again.
set -e

# deb: "remove" or "purge" (or "upgrade" ...); rpm: 0 on removal, 1 on an
# upgrade, after which the new package's postinstall has already reloaded.
case "$1" in
remove | purge | 0) ;;
*) exit 0 ;;
esac

if [ -d /run/systemd/system ]; then
	systemctl daemon-reload || true
fi

if [ "$1" = purge ]; then
	echo "ks3sync purged: /var/lib/ks3sync, /var/log/ks3sync and the user ks3sync are kept; remove them by hand if no longer needed"
fi
