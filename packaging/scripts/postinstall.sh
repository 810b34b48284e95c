#!/bin/sh
# ks3sync package: after unpacking (deb postinst, rpm %post). Creates the
# state and log folders and reloads systemd's unit files. It never enables
# or starts a service: ks3sync runs only once it is configured, and an
# upgrade leaves running services on the old binary until they are restarted.
set -e

# deb: "configure" with the previous version when upgrading; rpm: 1 on a
# first install, 2 on an upgrade.
first_install=false
case "$1" in
configure) [ -z "$2" ] && first_install=true ;;
1) first_install=true ;;
esac

install -d -m 0750 -o ks3sync -g ks3sync /var/lib/ks3sync /var/log/ks3sync

if [ -d /run/systemd/system ]; then
	systemctl daemon-reload || true
fi

if [ "$first_install" = true ]; then
	cat <<'MSG'
ks3sync is installed but not started. To run it as a service:
  1. put KS3_ACCESS_KEY=... and KS3_SECRET_KEY=... in /etc/ks3sync/env
  2. set the endpoint and add a pair in /etc/ks3sync/ks3sync.yaml
  3. systemctl enable --now ks3sync
More instances: /etc/ks3sync/NAME.yaml and systemctl enable --now ks3sync@NAME
MSG
else
	echo "ks3sync upgraded: restart running services to use the new binary (systemctl restart ks3sync)"
fi
