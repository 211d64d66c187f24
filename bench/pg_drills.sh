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
# shellcheck source=bench/lib.sh
source "$top/bench/lib.sh"

cat >>"$work/inventory.yml" <<INV
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
bench_ansible_cfg

echo "converging the database tier (3 nodes) ..."
ansible-playbook bench/pg_drills.yml -e "bench_work=$work" -e bench_step=setup >"$work/setup.log" 2>&1 \
  || { tail -40 "$work/setup.log"; exit 1; }

run_drill() {  # mode: sync|async
  ansible-playbook bench/pg_drills.yml -e "bench_work=$work" -e "bench_step=$1" >"$work/$1.log" 2>&1 \
    || { tail -60 "$work/$1.log"; exit 1; }
  # The debug message, not the task recap's line of the same name.
  grep -Eo '"FIGURES [^"]*' "$work/$1.log" | tail -1 | sed 's/^"FIGURES //'
}
echo "drills in synchronous mode ..."
read -r sw_outage fo_writable fo_lost_sync < <(run_drill sync)
echo "drills in asynchronous mode ..."
read -r _ fo_writable_async fo_lost_async < <(run_drill async)

printf '\n%-52s %14s %10s %14s\n' "PostgreSQL drills (3 nodes, write probe)" "tdah.platform" "target" "seed"
printf '%-52s %13ss %9ss %14s\n' "switchover write outage" "$sw_outage" 10 "manual"
printf '%-52s %13ss %9ss %14s\n' "failover: playbook start -> writable (synchronous)" "$fo_writable" 30 "RTO 4 h"
printf '%-52s %13ss %9ss %14s\n' "failover: playbook start -> writable (asynchronous)" "$fo_writable_async" 30 "RTO 4 h"
printf '%-52s %14s %10s %14s\n' "acknowledged commits lost (synchronous, FIRST 1)" "$fo_lost_sync" 0 "RPO 1 h"
printf '%-52s %14s %10s %14s\n' "acknowledged commits lost (asynchronous)" "$fo_lost_async" "-" "RPO 1 h"
