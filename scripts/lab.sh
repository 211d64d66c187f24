#!/usr/bin/env bash
# `make lab`: create or reuse the lab containers, deploy site.yml into them
# and print the health report. `make lab-destroy`: remove them.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# shellcheck source=scripts/env.sh
source "$top/scripts/env.sh"
inventory=inventories/lab

case "${1:-up}" in
  up)
    echo "==> lab containers"
    ansible-playbook -i "$inventory" playbooks/lab.yml
    echo "==> deploying site.yml into the lab"
    start=$SECONDS
    ansible-playbook -i "$inventory" site.yml
    echo "==> site.yml converged in $((SECONDS - start)) s; health report"
    ansible-playbook -i "$inventory" playbooks/health.yml
    ;;
  down)
    ansible-playbook -i "$inventory" playbooks/lab_destroy.yml
    ;;
  *)
    echo "usage: $0 up|down" >&2
    exit 2
    ;;
esac
