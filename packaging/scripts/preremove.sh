#!/bin/sh
# ks3sync package: before removing the files (deb prerm, rpm %preun). On
# removal, not on upgrade, it stops and disables ks3sync.service and every
# ks3sync@NAME.service, whose binary is about to go. Config and state stay.
set -e

# deb: "remove" (or "upgrade" ...); rpm: 0 on removal, 1 on an upgrade.
case "$1" in
remove | 0) ;;
*) exit 0 ;;
esac

# The instances: those systemd has loaded, and those enabled but not loaded.
instances() {
	systemctl list-units --all --plain --no-legend 'ks3sync@*.service' | awk '{print $1}'
	for link in /etc/systemd/system/*.wants/ks3sync@*.service; do
		if [ -L "$link" ]; then basename "$link"; fi
	done
}

if [ -d /run/systemd/system ]; then
	for unit in ks3sync.service $(instances | sort -u); do
		systemctl disable --now "$unit" || true
	done
fi
