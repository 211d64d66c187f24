#!/usr/bin/env bash
# Redis failover bench: three Redis nodes with Sentinels (the role's
# defaults: down-after-milliseconds 5000) and a probe that finds the master
# through the Sentinels and confirms each write with WAIT 1. Five times: the
# master's redis-server is killed (SIGKILL); prints the time from the kill to
# the first acknowledged write on the new master (median and max) and the
# acknowledged writes lost. Run by hand (make bench-redis); containers and
# network are removed after. TDAH_BENCH_LOGS=DIR keeps the logs.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# shellcheck source=scripts/env.sh
source "$top/scripts/env.sh"
net=tdah-bench-redis
subnet=10.89.83.0/24
hosts=(bredis1 bredis2 bredis3 bapp2)
runs=${TDAH_BENCH_RUNS:-5}
# shellcheck source=bench/lib.sh
source "$top/bench/lib.sh"

app_password=bench-redis-app-password-000000000002
sentinel_password=bench-redis-sentinel-password-0000005
cat >>"$work/inventory.yml" <<INV
    redis:
      hosts: {bredis1: {}, bredis2: {}, bredis3: {}}
      vars:
        redis_sentinel_initial_master: bredis1
        redis_sentinel_maxmemory_mb: 128
        redis_sentinel_admin_password: bench-redis-admin-password-0000000001
        redis_sentinel_app_password: $app_password
        redis_sentinel_replication_password: bench-redis-replication-password-00003
        redis_sentinel_sentinel_user_password: bench-redis-sentinel-user-password-004
        redis_sentinel_sentinel_password: $sentinel_password
        redis_sentinel_exporter_password: bench-redis-exporter-password-000006
        redis_sentinel_health_password: bench-redis-health-password-00000007
        redis_sentinel_manage_firewall: false
    api:
      hosts: {bapp2: {}}
INV
bench_ansible_cfg

echo "converging Redis and Sentinel (3 nodes) ..."
ansible-playbook bench/redis_failover.yml -e "bench_work=$work" >"$work/setup.log" 2>&1 \
  || { tail -40 "$work/setup.log"; exit 1; }

on_app() { podman exec -e "REDIS_APP_PASSWORD=$app_password" -e "REDIS_SENTINEL_PASSWORD=$sentinel_password" \
  -e "REDISCLI_AUTH=$sentinel_password" bapp2 "$@"; }
sentinels=bredis1,bredis2,bredis3
host_of() {
  local h
  for h in bredis1 bredis2 bredis3; do
    if [ "${address[$h]}" = "$1" ]; then echo "$h"; fi
  done
}
master_address() {
  on_app redis-cli --no-auth-warning --tls --cacert /root/tdah-ca.crt -h bredis1 -p 26379 \
    SENTINEL GET-MASTER-ADDR-BY-NAME mymaster | head -1
}
rejoined() {  # the old master replicates again, and every Sentinel can fail over
  on_app redis-cli --no-auth-warning --tls --cacert /root/tdah-ca.crt -h "$1" -p 26379 SENTINEL CKQUORUM mymaster \
    2>/dev/null | grep -q '^OK' || return 1
  podman exec "$1" redis-cli --no-auth-warning --tls --cacert /etc/ssl/tdah/tdah-internal-ca.crt -h 127.0.0.1 \
    --user health --pass bench-redis-health-password-00000007 INFO replication | grep -q 'master_link_status:up'
}

results=()
for run in $(seq 1 "$runs"); do
  old=$(host_of "$(master_address)")
  [ -n "$old" ] || { echo "no master known to the Sentinels" >&2; exit 1; }
  on_app sh -c "nohup python3 /root/redis_probe.py write --sentinels $sentinels --seconds 35 --prefix run$run \
    --log /root/probe-$run.log >/dev/null 2>&1 &"
  sleep 5
  t0=$(date +%s.%N)
  podman exec "$old" systemctl kill --signal=SIGKILL redis-server.service
  # The probe stops by itself (35 s); wait for it, bounded.
  for _ in $(seq 1 60); do on_app pgrep -f "redis_probe.py write" >/dev/null || break; sleep 1; done
  on_app python3 /root/redis_probe.py present --sentinels $sentinels --prefix "run$run" --out "/root/present-$run.txt"
  podman cp "bapp2:/root/probe-$run.log" "$work/probe-$run.log"
  podman cp "bapp2:/root/present-$run.txt" "$work/present-$run.txt"
  read -r writable lost acked < <(python3 bench/redis_probe.py analyse --log "$work/probe-$run.log" \
    --present "$work/present-$run.txt" --kill "$t0" --old "${address[$old]}")
  echo "run $run: killed $old's redis-server; writable on $(host_of "$(master_address)") after ${writable} s;" \
    "$acked writes acknowledged by a replica, $lost lost"
  results+=("$writable $lost")
  # The old master comes back (systemd restarts it after 15 s) as a replica.
  for _ in $(seq 1 90); do rejoined "$old" && break; sleep 1; done
  rejoined "$old" || { echo "$old did not come back as a replica" >&2; exit 1; }
done

printf '%s\n' "${results[@]}" | python3 -c '
import statistics, sys
rows = [line.split() for line in sys.stdin if line.strip()]
times = [float(r[0]) for r in rows if r[0] != "never"]
lost = sum(int(r[1]) for r in rows)
never = sum(1 for r in rows if r[0] == "never")
print()
print("%-58s %14s %8s %22s" % ("Redis failover (3 nodes, Sentinel quorum 2, %d runs)" % len(rows), "tdah.platform", "target", "Sentinel defaults"))
print("%-58s %13.1fs %7ss %22s" % ("SIGKILL -> first write on the new master: median", statistics.median(times) if times else float("nan"), 10, "~31-35 s"))
print("%-58s %13.1fs %7ss %22s" % ("SIGKILL -> first write on the new master: max", max(times) if times else float("nan"), 10, ""))
print("%-58s %14d %8d %22s" % ("writes acknowledged with WAIT 1, then lost", lost, 0, ""))
if never:
    print("runs that never became writable: %d" % never)
'
