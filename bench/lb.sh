#!/usr/bin/env bash
# The load balancers' bench, on a running lab (make lab; TDAH_LAB_NAME picks
# another one). Figures, printed side by side with their targets:
#  1. requests per second with wrk from mon1 on /api/version: plain HTTP
#     straight to app1's API, HTTPS through HAProxy on the VIP (TLS ends
#     there; keep-alive) with app1 alone behind it (app2 disabled through the
#     admin socket) and with both API hosts; the ratio of HAProxy with app1
#     alone to app1 direct (target >= 0.8);
#  2. failed requests over 20 reloads of haproxy on the VIP's holder, under
#     wrk (keep-alive) and under a request loop on new connections (target 0);
#  3. the VIP failover gap: haproxy stopped on the VIP's holder under a
#     request loop through the VIP (target <= 3 s);
#  4. the PostgreSQL write port through the VIP during a switchover
#     (pg_switchover.yml there and back): the longest time without an answer
#     from a primary, probed every 50 ms on new connections from app1 with the
#     API's own settings (target <= 5 s);
#  5. the Redis port through the VIP after a SIGKILL of the master: the
#     longest time without a write taken (target <= 10 s).
# The per-source rate limit is lifted for the bench (site.yml -e) and put
# back on exit. Run by hand: make bench-lb. Aims only at the lab's own
# containers.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# shellcheck source=scripts/env.sh
source "$top/scripts/env.sh"
lab=${TDAH_LAB_NAME:-lab}
seconds=${TDAH_BENCH_SECONDS:-20}
connections=${TDAH_BENCH_CONNECTIONS:-32}
inventory=inventories/lab
work=$(mktemp -d /var/tmp/tdah-bench-lb.XXXXXX)
on() { local host=$1; shift; podman exec -i "tdah-$lab-$host" "$@"; }
run_site_lb() {
  ansible-playbook -i "$inventory" site.yml --limit loadbalancers --tags haproxy "$@" >"$work/site.log" 2>&1 \
    || { tail -40 "$work/site.log" >&2; return 1; }
}
cleanup() {
  for lb in lb1 lb2; do
    on "$lb" systemctl start haproxy.service >/dev/null 2>&1 || true
  done
  on app1 rm -f /tmp/tdah-lb-probe.py /tmp/tdah-lb-probe.stop /tmp/tdah-lb-pg.json /tmp/tdah-lb-redis.json >/dev/null 2>&1 || true
  on mon1 rm -f /tmp/tdah-request-loop.py /tmp/tdah-loop.stop /tmp/tdah-loop.json >/dev/null 2>&1 || true
  echo "==> the rate limit back (site.yml --tags haproxy with the inventory's settings)"
  run_site_lb || echo "could not put the rate limit back: run site.yml" >&2
  rm -rf "$work"
}

on lb1 systemctl is-active --quiet haproxy.service \
  || { echo "haproxy is not running in tdah-$lab-lb1: run make lab first (or set TDAH_LAB_NAME)" >&2; exit 1; }
trap cleanup EXIT
# The lab's addresses: the containers' own, and the VIP keepalived holds.
address_of() { podman inspect "tdah-$lab-$1" --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}'; }
app1=$(address_of app1)
vip=$(on lb1 sed -nE 's|^ *([0-9.]+)/[0-9]+ dev .*|\1|p' /etc/keepalived/keepalived.conf)
[[ -n "$vip" && -n "$app1" ]] || { echo "no VIP or app1 address found" >&2; exit 1; }
echo "==> VIP $vip, app1 $app1; lifting the per-source rate limit for the bench"
run_site_lb -e haproxy_rate_limit_enabled=false
echo "==> wrk on mon1 (Debian's)"
on mon1 sh -c 'command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk; } >/dev/null'
on mon1 sh -c 'cat > /tmp/tdah-request-loop.py' <molecule/platform/files/request_loop.py
on app1 sh -c 'cat > /tmp/tdah-lb-probe.py && chmod 0644 /tmp/tdah-lb-probe.py' <bench/lb_probe.py

holder() {
  for lb in lb1 lb2; do
    if on "$lb" ip -o -4 addr show | grep -q " $vip/"; then echo "$lb"; return; fi
  done
  echo "no load balancer holds $vip" >&2; return 1
}
# Admin socket command on both load balancers.
admin() {
  for lb in lb1 lb2; do
    on "$lb" python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect("/run/haproxy/admin.sock"); s.sendall((sys.argv[1] + "\n").encode())
print(s.makefile().read().strip())' "$1" >/dev/null
  done
}
# wrk from mon1; prints "requests/s failed" (failed: non-2xx answers and socket errors).
wrk_on_mon() {
  on mon1 wrk -t2 -c"$connections" -d"$1" --timeout 10s "$2" >"$work/wrk.txt"
  python3 - "$work/wrk.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", text).group(1))
failed = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", text))
socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
failed += sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
print(f"{rps:.0f} {failed}")
PY
}
# The request loop on mon1 through the VIP (new connections); prints its report.
loop_start() {
  on mon1 rm -f /tmp/tdah-loop.stop /tmp/tdah-loop.json
  podman exec -d "tdah-$lab-mon1" python3 /tmp/tdah-request-loop.py --seconds 300 --interval 0.02 \
    --stop /tmp/tdah-loop.stop --out /tmp/tdah-loop.json --ca /etc/ssl/tdah/tdah-internal-ca.crt \
    --name "app.$lab.tdah.test" --target "$vip:443"
  sleep 2
}
wait_report() {  # host file: touch its stop file, wait for the report, print it
  on "$1" touch "${2%.json}.stop" 2>/dev/null || true
  for _ in $(seq 1 60); do
    if on "$1" test -s "$2"; then on "$1" cat "$2"; return; fi
    sleep 1
  done
  echo "no report $2 on $1" >&2; return 1
}
loop_stop() { wait_report mon1 /tmp/tdah-loop.json >"$work/loop.json"; }
field() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$work/$1" "$2"; }

echo "==> 1. throughput (${seconds} s, $connections connections each)"
read -r direct direct_failed < <(wrk_on_mon "${seconds}s" "http://$app1:8000/api/version")
admin "disable server api/app2"
sleep 1
read -r one one_failed < <(wrk_on_mon "${seconds}s" "https://$vip:443/api/version")
admin "enable server api/app2"
sleep 4
read -r both both_failed < <(wrk_on_mon "${seconds}s" "https://$vip:443/api/version")

echo "==> 2. 20 reloads under wrk and under the request loop"
lb=$(holder)
on mon1 wrk -t2 -c"$connections" -d30s --timeout 10s "https://$vip:443/api/version" >"$work/wrk-reload.txt" &
wrk_pid=$!
loop_start
for _ in $(seq 1 20); do on "$lb" systemctl reload haproxy.service; sleep 1; done
wait "$wrk_pid"
loop_stop
cp "$work/wrk-reload.txt" "$work/wrk.txt"
reload_wrk_failed=$(python3 - "$work/wrk.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
failed = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", text))
errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
print(failed + (sum(int(n) for n in errors.groups()) if errors else 0))
PY
)
reload_wrk_requests=$(sed -nE 's/^ *([0-9]+) requests in.*/\1/p' "$work/wrk.txt")
reload_loop_failed=$(field loop.json failed)
reload_loop_requests=$(field loop.json requests)

echo "==> 3. VIP failover: haproxy stopped on $lb"
loop_start
on "$lb" systemctl stop haproxy.service
sleep 10
loop_stop
on "$lb" systemctl start haproxy.service
vip_gap=$(field loop.json longest_gap_seconds)
new_holder=$(holder)

echo "==> 4. PostgreSQL write port during a switchover to pg2, then back to pg1"
pg_gaps=()
for target in pg2 pg1; do
  on app1 rm -f /tmp/tdah-lb-probe.stop /tmp/tdah-lb-pg.json
  podman exec -d "tdah-$lab-app1" runuser -u tdah-api -- /opt/tdah/api/current/bin/python /tmp/tdah-lb-probe.py pg \
    --seconds 300 --stop /tmp/tdah-lb-probe.stop --out /tmp/tdah-lb-pg.json
  sleep 3
  ansible-playbook -i "$inventory" playbooks/pg_switchover.yml -e "pg_switchover_target=$target" >"$work/switchover.log" 2>&1 \
    || { tail -40 "$work/switchover.log" >&2; exit 1; }
  sleep 8
  on app1 touch /tmp/tdah-lb-probe.stop
  wait_report app1 /tmp/tdah-lb-pg.json >"$work/pg-$target.json"
  pg_gaps+=("$(field "pg-$target.json" longest_gap_seconds)")
  echo "    to $target: $(cat "$work/pg-$target.json")"
done

echo "==> 5. Redis port after a SIGKILL of the master"
master=$(on app1 runuser -u tdah-api -- /opt/tdah/api/current/bin/python /tmp/tdah-lb-probe.py master)
master_host=""
for host in redis1 redis2 redis3; do [[ "$(address_of "$host")" == "$master" ]] && master_host=$host; done
[[ -n "$master_host" ]] || { echo "no Redis node at $master" >&2; exit 1; }
on app1 rm -f /tmp/tdah-lb-probe.stop /tmp/tdah-lb-redis.json
podman exec -d "tdah-$lab-app1" runuser -u tdah-api -- /opt/tdah/api/current/bin/python /tmp/tdah-lb-probe.py redis \
  --seconds 300 --stop /tmp/tdah-lb-probe.stop --out /tmp/tdah-lb-redis.json
sleep 3
on "$master_host" systemctl kill --signal=SIGKILL redis-server.service
sleep 30
on app1 touch /tmp/tdah-lb-probe.stop
wait_report app1 /tmp/tdah-lb-redis.json >"$work/redis.json"
redis_gap=$(field redis.json longest_gap_seconds)
echo "    $(cat "$work/redis.json")"

ratio=$(python3 -c "print(f'{$one / $direct:.2f}')")
echo
printf '%-64s %14s %10s\n' "figure" "measured" "target"
printf '%-64s %14s %10s\n' "app1 direct, plain HTTP (req/s, failed)" "$direct, $direct_failed" "-"
printf '%-64s %14s %10s\n' "HAProxy on the VIP, HTTPS, app1 alone (req/s, failed)" "$one, $one_failed" "-"
printf '%-64s %14s %10s\n' "HAProxy on the VIP, HTTPS, app1 and app2 (req/s, failed)" "$both, $both_failed" "-"
printf '%-64s %14s %10s\n' "HAProxy app1 alone / app1 direct" "${ratio}x" ">= 0.8x"
printf '%-64s %14s %10s\n' "20 reloads on $lb: wrk failed of requests (keep-alive)" "$reload_wrk_failed / $reload_wrk_requests" "0"
printf '%-64s %14s %10s\n' "20 reloads on $lb: loop failed of requests (new connections)" "$reload_loop_failed / $reload_loop_requests" "0"
printf '%-64s %14s %10s\n' "VIP failover $lb -> $new_holder: longest gap (s)" "$vip_gap" "<= 3"
printf '%-64s %14s %10s\n' "PostgreSQL write port, switchover to pg2 / back to pg1 (s)" "${pg_gaps[0]} / ${pg_gaps[1]}" "<= 5"
printf '%-64s %14s %10s\n' "Redis port after SIGKILL of $master_host's master (s)" "$redis_gap" "<= 10"
