#!/usr/bin/env bash
# Build the test image layer on top of the base image: the packages every
# host installs (hardening, tls) preinstalled, the packages of one tier
# (PostgreSQL, Redis, test clients) downloaded into apt's cache only, pending
# updates applied, and dpkg's force-unsafe-io (test images only: a crash
# here loses nothing). Rebuilt only when its recipe changes: this script,
# the base image's recipe, or the roles' package lists
# (scripts/image_packages.py). Usage: build-platform-image.sh [IMAGE]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
base=${TDAH_BASE_IMAGE:-localhost/tdah-debian:12}
image=${1:-${TDAH_PLATFORM_IMAGE:-localhost/tdah-platform:12}}
python=${PYTHON:-$here/../.venv/bin/python3}
export CONTAINERS_CONF=${CONTAINERS_CONF:-$here/containers.conf}

lists=$("$python" "$here/image_packages.py")
install=$(sed -n 's/^install //p' <<<"$lists")
download=$(sed -n 's/^download //p' <<<"$lists")
base_recipe=$(podman image inspect --format '{{ index .Labels "tdah.recipe" }}' "$base")
recipe=$( { cat "$0"; echo "$base_recipe"; echo "$lists"; } | sha256sum | cut -c1-16)
current=$(podman image inspect --format '{{ index .Labels "tdah.recipe" }}' "$image" 2>/dev/null || true)
if [ "$current" = "$recipe" ]; then
  echo "==> image layer $image is up to date (recipe $recipe)"
  exit 0
fi

work=$(mktemp -d /var/tmp/tdah-layer.XXXXXX)
trap 'rm -rf "$work"' EXIT
cat >"$work/tdah-ssh-hostkeys.service" <<'UNIT'
# Each host makes its own SSH host keys at first boot (Ed25519 and RSA
# 4096, the types the hardening role keeps), as a cloud image does.
[Unit]
Description=Generate this host's SSH host keys
Before=ssh.service
ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -q -t ed25519 -N "" -f /etc/ssh/ssh_host_ed25519_key
ExecStart=/usr/bin/ssh-keygen -q -t rsa -b 4096 -N "" -f /etc/ssh/ssh_host_rsa_key

[Install]
WantedBy=multi-user.target
UNIT
cat >"$work/Containerfile" <<CONTAINERFILE
FROM $base
COPY tdah-ssh-hostkeys.service /etc/systemd/system/tdah-ssh-hostkeys.service
RUN echo force-unsafe-io >/etc/dpkg/dpkg.cfg.d/tdah-test-unsafe-io \\
 && apt-get update -qq \\
 && DEBIAN_FRONTEND=noninteractive apt-get -y -qq upgrade >/dev/null \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $install >/dev/null \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends --download-only $download >/dev/null \\
 && rm -f /etc/ssh/ssh_host_* \\
 && systemctl enable tdah-ssh-hostkeys.service \\
 && : >/etc/machine-id
LABEL tdah.recipe=$recipe
CONTAINERFILE
echo "==> building the image layer $image (about 2 min)"
start=$(date +%s)
podman build --quiet --network host -t "$image" "$work" >/dev/null
echo "==> image layer $image built in $(( $(date +%s) - start )) s (recipe $recipe)"
