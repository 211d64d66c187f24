#!/usr/bin/env bash
# Prepare a fresh Debian machine (as root) for the lab and the tests:
# podman + runc + debootstrap, the base image, the venv, and the collection
# link Ansible finds tdah.platform through. Safe to re-run.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export CONTAINERS_CONF="$top/scripts/containers.conf"
step() { printf '==> %s\n' "$*"; }

packages=(podman runc debootstrap make git python3-venv rsync shellcheck)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  step "installing ${missing[*]} (about 30 s)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  step "podman, runc and debootstrap are installed"
fi

"$top/scripts/build-image.sh"

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

mkdir -p .cache/collections/ansible_collections/tdah
ln -sfn "$top" .cache/collections/ansible_collections/tdah/platform
step "ready: tdah.platform is linked under .cache/collections"
