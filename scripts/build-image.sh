#!/usr/bin/env bash
# Build the Debian base image for test and lab hosts when it is missing or
# its recipe (this file) changed. Usage: build-image.sh [IMAGE]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
image=${1:-${TDAH_IMAGE:-localhost/tdah-debian:12}}
suite=bookworm
mirror=${TDAH_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security_mirror=${TDAH_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
packages=python3,python3-apt,systemd,systemd-sysv,dbus,iproute2,procps,sudo,ca-certificates
export CONTAINERS_CONF=${CONTAINERS_CONF:-$here/containers.conf}

recipe=$(sha256sum "$0" | cut -c1-16)
current=$(podman image inspect --format '{{ index .Labels "tdah.recipe" }}' "$image" 2>/dev/null || true)
if [ "$current" = "$recipe" ]; then
  echo "==> base image $image is up to date (recipe $recipe)"
  exit 0
fi

rootfs=$(mktemp -d /var/tmp/tdah-rootfs.XXXXXX)
trap 'rm -rf "$rootfs"' EXIT
echo "==> debootstrap $suite into a scratch root (about 60 s)"
start=$(date +%s)
debootstrap --variant=minbase --include="$packages" "$suite" "$rootfs" "$mirror" >"$rootfs.log" 2>&1 \
  || { tail -n 30 "$rootfs.log"; rm -f "$rootfs.log"; exit 1; }
rm -f "$rootfs.log"

cat >"$rootfs/etc/apt/sources.list" <<SOURCES
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security_mirror $suite-security main
SOURCES
# Hosts start like a fresh VM: no apt lists, no caches, a machine-id made at boot.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin
: >"$rootfs/etc/machine-id"
# Consoles and units that have no meaning in a container.
for unit in getty@tty1.service console-getty.service systemd-remount-fs.service; do
  ln -sf /dev/null "$rootfs/etc/systemd/system/$unit"
done
echo "==> debootstrap done in $(( $(date +%s) - start )) s; importing"
tar -C "$rootfs" -c . | podman import \
  --change 'CMD ["/lib/systemd/systemd"]' \
  --change "LABEL tdah.recipe=$recipe" \
  --change 'ENV container=podman' \
  - "$image" >/dev/null
echo "==> base image $image built (recipe $recipe)"
