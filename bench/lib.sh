#!/usr/bin/env bash
# Shared by the benches that run on their own containers. Sourced after
# net, subnet and hosts are set; gives work (a scratch directory removed on
# exit with the containers and the network; TDAH_BENCH_LOGS=DIR keeps its
# logs), address[host] (fixed addresses: a killed and restarted container
# keeps its address, as a rebooted server does) and bench_ansible_cfg.
# shellcheck disable=SC2154  # net, subnet and hosts come from the bench
work=$(mktemp -d "/var/tmp/$net.XXXXXX")
cleanup() {
  if [[ -n "${TDAH_BENCH_LOGS:-}" && -d "$work" ]]; then
    mkdir -p "$TDAH_BENCH_LOGS"
    cp "$work"/*.log "$work"/*.txt "$TDAH_BENCH_LOGS"/ 2>/dev/null || true
  fi
  podman rm -f "${hosts[@]}" >/dev/null 2>&1 || true
  podman network rm "$net" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
cleanup
mkdir -p "$work"

podman network create --subnet "$subnet" "$net" >/dev/null
declare -A address
ip=10
for host in "${hosts[@]}"; do
  ip=$((ip + 1))
  address[$host]=${subnet%.0/24}.$ip
  podman run -d --name "$host" --hostname "$host" --network "$net" --ip "${address[$host]}" --systemd=always \
    --cap-add SYS_ADMIN "${TDAH_IMAGE:-localhost/tdah-debian:12}" /lib/systemd/systemd >/dev/null
done

# The inventory's header; the bench appends its groups (under children).
cat >"$work/inventory.yml" <<INV
all:
  vars:
    ansible_connection: tdah_podman
    ansible_python_interpreter: /usr/bin/python3
    tls_ca_dir: $work/ca
  children:
INV

# ansible.cfg for the bench's inventory ($work/inventory.yml): facts cached
# (a run limited to live nodes still knows a dead node's address) and the
# project's container connection (one podman exec per task, as SSH with
# pipelining is on real hosts).
bench_ansible_cfg() {
  cat >"$work/ansible.cfg" <<CFG
[defaults]
inventory = $work/inventory.yml
fact_caching = jsonfile
fact_caching_connection = $work/facts
interpreter_python = auto_silent
connection_plugins = $top/molecule/shared/plugins/connection
CFG
  export ANSIBLE_CONFIG="$work/ansible.cfg"
}
