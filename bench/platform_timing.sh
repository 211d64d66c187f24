#!/usr/bin/env bash
# Time the platform as `make lab` deploys it: the lab's containers, the first
# site.yml (over SSH as deploy with become, firewall on), a no-op site.yml
# (with its changed count), a --check run and the health report. With
# --from-nothing the base image and its test layer are rebuilt first, as on
# a fresh machine. Prints the figures next to the targets and the figures
# before this work. Uses a lab of its own (TDAH_LAB_NAME=bench), removed
# after. Run by hand: make bench-platform [ARGS=--from-nothing].
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# shellcheck source=scripts/env.sh
source "$top/scripts/env.sh"
export TDAH_LAB_NAME=bench
inventory=inventories/lab
work=$(mktemp -d /var/tmp/tdah-bench-platform.XXXXXX)
cleanup() {
  ansible-playbook -i "$inventory" playbooks/lab_destroy.yml >/dev/null 2>&1 || true
  if [[ -n "${TDAH_BENCH_LOGS:-}" ]]; then mkdir -p "$TDAH_BENCH_LOGS" && cp "$work"/*.log "$TDAH_BENCH_LOGS"/; fi
  rm -rf "$work"
}
trap cleanup EXIT
ansible-playbook -i "$inventory" playbooks/lab_destroy.yml >/dev/null 2>&1 || true

# Seconds a command takes; its output goes to the log.
timed() {
  local log=$1 start
  shift
  start=$(date +%s.%N)
  "$@" >"$work/$log" 2>&1 || { echo "failed: $* (log: $log)" >&2; tail -n 40 "$work/$log" >&2; exit 1; }
  python3 -c "print(f'{$(date +%s.%N) - $start:.0f}')"
}
changed() { grep -Eo 'changed=[0-9]+' "$work/$1" | sort -u | paste -sd' ' -; }

images=0
if [[ "${1:-}" == "--from-nothing" ]]; then
  podman rmi -f localhost/tdah-platform:12 localhost/tdah-debian:12 >/dev/null 2>&1 || true
  images=$(timed images.log bash -c "scripts/build-image.sh && PYTHON=$top/.venv/bin/python3 scripts/build-platform-image.sh")
fi
create=$(timed create.log ansible-playbook -i "$inventory" playbooks/lab.yml)
first=$(timed first.log ansible-playbook -i "$inventory" site.yml)
noop=$(timed noop.log ansible-playbook -i "$inventory" site.yml)
check=$(timed check.log ansible-playbook -i "$inventory" site.yml --check)
health=$(timed health.log ansible-playbook -i "$inventory" playbooks/health.yml)
lab=$((images + create + first + health))

printf '\n%-46s %14s %10s %16s\n' "the lab (10 hosts + stranger, 2 cores)" "tdah.platform" "target" "before*"
if [[ $images -gt 0 ]]; then
  printf '%-46s %13ss %10s %16s\n' "images (base + test layer)" "$images" "" ""
fi
printf '%-46s %13ss %10s %16s\n' "containers, deploy user, host keys" "$create" "" ""
printf '%-46s %13ss %10s %16s\n' "first site.yml (SSH, become, firewall on)" "$first" "" "failed at 45 min"
printf '%-46s %13ss %10s %16s\n' "make lab from nothing (the above + health)" "$lab" "<= 1200s" "failed"
printf '%-46s %13ss %10s %16s\n' "no-op site.yml" "$noop" "<= 180s" "397s"
printf '%-46s %14s %10s %16s\n' "no-op site.yml changes" "$(changed noop.log)" "changed=0" "changed=0"
printf '%-46s %13ss %10s %16s\n' "site.yml --check" "$check" "" ""
printf '%-46s %14s %10s %16s\n' "site.yml --check changes" "$(changed check.log)" "changed=0" ""
echo "* before: make lab on the roles as they were (failed after 45 min with the firewall on); the no-op figure was"
echo "  measured on the same lab with the firewall-order fix but before the round-trip work (one task per file)."
