#!/usr/bin/env bash
# Time the hardening role on one fresh container: first converge, then a
# no-op re-run (with its changed count). Prints the figures next to the
# baseline recorded for a popular hardening collection's OS and SSH roles on
# the same podman setup (first 378 s, no-op 354 s with changed=1).
# Run by hand (make bench); the container and its network are removed after.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# shellcheck source=scripts/env.sh
source "$top/scripts/env.sh"
net=tdah-bench
host=tdah-bench1
subnet=10.89.81.0/24
work=$(mktemp -d /var/tmp/tdah-bench.XXXXXX)
cleanup() { podman rm -f "$host" >/dev/null 2>&1 || true; podman network rm "$net" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
cleanup
mkdir -p "$work"

podman network create --subnet "$subnet" "$net" >/dev/null
podman run -d --name "$host" --hostname "$host" --network "$net" --systemd=always \
  --cap-add NET_ADMIN,SYS_ADMIN,AUDIT_WRITE,DAC_READ_SEARCH "${TDAH_IMAGE:-localhost/tdah-debian:12}" /lib/systemd/systemd >/dev/null
podman exec "$host" systemctl is-system-running --wait >/dev/null || true

cat >"$work/inventory.yml" <<INV
all:
  hosts:
    $host:
      ansible_connection: containers.podman.podman
      ansible_python_interpreter: /usr/bin/python3
      hardening_firewall_admin_networks: [$subnet]
INV

converge() {
  local log=$1 start end
  start=$(date +%s.%N)
  ansible-playbook -i "$work/inventory.yml" bench/hardening_converge.yml >"$log" 2>&1
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.0f}')"
}
first=$(converge "$work/first.log")
noop=$(converge "$work/noop.log")
changed=$(grep -Eo "$host *: ok=[0-9]+ +changed=[0-9]+" "$work/noop.log" | grep -Eo 'changed=[0-9]+')
tasks=$(grep -Eo "$host *: ok=[0-9]+" "$work/noop.log" | grep -Eo '[0-9]+$')

printf '\n%-44s %12s %12s\n' "hardening on one fresh container" "tdah.platform" "baseline*"
printf '%-44s %11ss %11ss\n' "first converge" "$first" 378
printf '%-44s %11ss %11ss\n' "no-op re-run" "$noop" 354
printf '%-44s %12s %12s\n' "no-op re-run changes" "$changed" "changed=1"
printf '%-44s %12s %12s\n' "tasks in the no-op run (ok)" "$tasks" "-"
echo "* baseline: a popular hardening collection's OS and SSH roles, measured earlier on the same podman setup; it cannot be installed here (no Galaxy access)."
