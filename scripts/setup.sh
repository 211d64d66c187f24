#!/usr/bin/env bash
# Prepare a fresh Debian machine (as root) for the lab and the tests:
# podman + runc + the CNI DNS plugin + debootstrap, the venv, the base image
# and its test layer, the lab's SSH key, and the collection link Ansible
# finds tdah.platform through. Checks what the lab relies on (a new network
# resolves container names) instead of assuming it. Safe to re-run.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export CONTAINERS_CONF="$top/scripts/containers.conf"
step() { printf '==> %s\n' "$*"; }

# golang-github-containernetworking-plugin-dnsname: bookworm's podman uses
# CNI, and a new network resolves container names only with this plugin.
packages=(podman runc golang-github-containernetworking-plugin-dnsname debootstrap make git python3-venv rsync
          shellcheck openssh-client)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  step "installing ${missing[*]} (about 30 s)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  step "podman, runc, the DNS plugin and debootstrap are installed"
fi

stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ ! -x .venv/bin/ansible-playbook ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  step "creating the venv from requirements.txt (about 2 min)"
  python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/pip install -q --disable-pip-version-check -r requirements.txt
  echo "$want" >"$stamp"
else
  step "venv is up to date"
fi

"$top/scripts/build-image.sh"
PYTHON="$top/.venv/bin/python3" "$top/scripts/build-platform-image.sh"

# The check: two containers on a new network, one resolves the other by name.
check=tdah-setup-dns-$$
cleanup() { podman rm -f "$check-a" >/dev/null 2>&1 || true; podman network rm -f "$check" >/dev/null 2>&1 || true; }
trap cleanup EXIT
podman network create "$check" >/dev/null
podman run -d --rm --name "$check-a" --network "$check" localhost/tdah-debian:12 sleep 30 >/dev/null
if ! podman run --rm --network "$check" localhost/tdah-debian:12 getent hosts "$check-a" >/dev/null; then
  echo "setup: a container on a new podman network cannot resolve another by name;" \
       "is golang-github-containernetworking-plugin-dnsname installed and podman using CNI?" >&2
  exit 1
fi
cleanup
trap - EXIT
step "a new podman network resolves container names"

# The lab's deploy key: the lab and the platform scenario log in with it.
mkdir -p .cache/ssh
chmod 0700 .cache/ssh
if [ ! -f .cache/ssh/id_deploy ]; then
  ssh-keygen -q -t ed25519 -N '' -C deploy@tdah-lab -f .cache/ssh/id_deploy
  step "made the lab's SSH key (.cache/ssh/id_deploy)"
fi

mkdir -p .cache/collections/ansible_collections/tdah
ln -sfn "$top" .cache/collections/ansible_collections/tdah/platform
step "ready: tdah.platform is linked under .cache/collections"
