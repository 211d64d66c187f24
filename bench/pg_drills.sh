#!/usr/bin/env bash
# PostgreSQL drills with a write probe running through them: planned
# switchover, failover after the primary's container is killed, in
# synchronous and asynchronous mode. Prints the switchover write outage,
# the failover time to writable (from the playbook's start) and the
# acknowledged commits lost, next to the targets and the seed's figures.
# Run by hand (make bench-pg); containers and network are removed after.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# shellcheck source=scripts/env.sh
source "$top/scripts/env.sh"
net=tdah-bench-pg
subnet=10.89.82.0/24
hosts=(bpg1 bpg2 bpg3 bapp1)
work=$(mktemp -d /var/tmp/tdah-bench-pg.XXXXXX)
cleanup() {
  podman rm -f "${hosts[@]}" >/dev/null 2>&1 || true
  podman network rm "$net" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
cleanup
mkdir -p "$work"

podman network create --subnet "$subnet" "$net" >/dev/null
# Fixed addresses: a killed and restarted container keeps its address, as a
# rebooted server does.
ip=10
for host in "${hosts[@]}"; do
  ip=$((ip + 1))
  podman run -d --name "$host" --hostname "$host" --network "$net" --ip "${subnet%.0/24}.$ip" --systemd=always \
    --cap-add SYS_ADMIN "${TDAH_IMAGE:-localhost/tdah-debian:12}" /lib/systemd/systemd >/dev/null
done

cat >"$work/inventory.yml" <<INV
all:
  vars:
    ansible_connection: containers.podman.podman
    ansible_python_interpreter: /usr/bin/python3
    tls_ca_dir: $work/ca
  children:
    postgres:
      hosts: {bpg1: {}, bpg2: {}, bpg3: {}}
      vars:
        postgres_replication_initial_primary: bpg1
        postgres_replication_synchronous_mode: first
        postgres_replication_memory_mb: 1024
        postgres_replication_owner_password: bench-owner-password-0001
        postgres_replication_app_password: bench-app-password-000002
        postgres_replication_replication_password: bench-replication-pass-3
        postgres_replication_backup_password: bench-backup-password-004
        postgres_replication_monitor_password: bench-monitor-password-05
        postgres_replication_manage_firewall: false
    api:
      hosts: {bapp1: {}}
INV
cat >"$work/ansible.cfg" <<CFG
[defaults]
inventory = $work/inventory.yml
fact_caching = jsonfile
fact_caching_connection = $work/facts
interpreter_python = auto_silent
CFG
export ANSIBLE_CONFIG="$work/ansible.cfg"

echo "converging the database tier (3 nodes) ..."
ansible-playbook bench/pg_drills.yml -e "bench_work=$work" -e bench_step=setup >"$work/setup.log" 2>&1 \
  || { tail -40 "$work/setup.log"; exit 1; }

run_drill() {  # mode: sync|async
  ansible-playbook bench/pg_drills.yml -e "bench_work=$work" -e "bench_step=$1" >"$work/$1.log" 2>&1 \
    || { tail -60 "$work/$1.log"; exit 1; }
  grep -Eo 'FIGURES .*' "$work/$1.log" | tail -1 | sed 's/^FIGURES //; s/"$//'
}
echo "drills in synchronous mode ..."
read -r sw_outage fo_writable fo_lost_sync < <(run_drill sync)
echo "drills in asynchronous mode ..."
read -r _ _ fo_lost_async < <(run_drill async)

printf '\n%-52s %14s %10s %14s\n' "PostgreSQL drills (3 nodes, write probe)" "tdah.platform" "target" "seed"
printf '%-52s %13ss %9ss %14s\n' "switchover write outage" "$sw_outage" 10 "manual"
printf '%-52s %13ss %9ss %14s\n' "failover: playbook start -> writable" "$fo_writable" 30 "RTO 4 h"
printf '%-52s %14s %10s %14s\n' "acknowledged commits lost (synchronous, FIRST 1)" "$fo_lost_sync" 0 "RPO 1 h"
printf '%-52s %14s %10s %14s\n' "acknowledged commits lost (asynchronous)" "$fo_lost_async" "-" "RPO 1 h"
