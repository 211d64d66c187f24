#!/usr/bin/env bash
# The application tier's bench, on a running lab (make lab; TDAH_LAB_NAME
# picks another one, e.g. the platform scenario's). Two figures:
#  1. requests per second of the reference application on app1 with the
#     seed's worker settings (the role's unit: gunicorn, 4 uvicorn workers)
#     versus a single uvicorn worker of the same release, environment file
#     and user (a transient unit on another loopback port), and the role's
#     settings without the seed's worker recycling (MAX_REQUESTS=1000 means
#     a new worker every few seconds at these rates), side by side:
#     wrk on app1 over loopback, on /api/version (no I/O) and on a user
#     profile (a Redis cache hit); a request counts as failed when it gets
#     no answer, a non-2xx answer, or none within 10 s;
#  2. failed requests during rolling deploys: a copy of the reference
#     application as release 0.1.1 rolled out with playbooks/api_deploy.yml,
#     then the lab's own release rolled back in, while a bounded request loop
#     on lb1 asks both API hosts for their version on new connections.
# Run by hand: make bench-api. Aims only at the lab's own containers.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# shellcheck source=scripts/env.sh
source "$top/scripts/env.sh"
lab=${TDAH_LAB_NAME:-lab}
app=tdah-$lab-app1
lb=tdah-$lab-lb1
seconds=${TDAH_BENCH_SECONDS:-20}
connections=${TDAH_BENCH_CONNECTIONS:-64}
inventory=inventories/lab
work=$(mktemp -d /var/tmp/tdah-bench-api.XXXXXX)
on_app() { podman exec -i "$app" "$@"; }
on_lb() { podman exec -i "$lb" "$@"; }
cleanup() {
  on_app systemctl stop tdah-bench-uvicorn.service tdah-bench-gunicorn.service >/dev/null 2>&1 || true
  on_lb rm -f /root/tdah-bench-loop.py /root/tdah-bench-loop.stop /root/tdah-bench-loop.json >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

on_app systemctl is-active --quiet tdah-api.service \
  || { echo "tdah-api is not running in $app: run make lab first (or set TDAH_LAB_NAME)" >&2; exit 1; }
echo "==> wrk on app1 (Debian's)"
on_app sh -c 'command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk; } >/dev/null'
release=$(on_app readlink /opt/tdah/api/current)

# A GET on loopback from app1, retried while the server starts; prints the body.
get() {
  on_app python3 - "$1" <<'PY'
import sys, time, urllib.request
for attempt in range(60):
    try:
        print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())
        break
    except OSError:
        if attempt == 59:
            raise
        time.sleep(0.5)
PY
}

echo "==> a single uvicorn worker of $release on 127.0.0.1:8001 (same environment file and user)"
on_app systemd-run --quiet --unit tdah-bench-uvicorn --property User=tdah-api \
  --property EnvironmentFile=/etc/tdah/api/api.env --property Environment=PYTHONDONTWRITEBYTECODE=1 \
  /opt/tdah/api/current/bin/python -m uvicorn tdah_reference.main:app --host 127.0.0.1 --port 8001 \
  --workers 1 --no-access-log --log-level warning
get http://127.0.0.1:8001/api/version >/dev/null
echo "==> the role's gunicorn settings without worker recycling (max_requests 0) on 127.0.0.1:8002"
on_app systemd-run --quiet --unit tdah-bench-gunicorn --property User=tdah-api \
  --property EnvironmentFile=/etc/tdah/api/api.env --property Environment=PYTHONDONTWRITEBYTECODE=1 \
  --property RuntimeDirectory=tdah-bench-gunicorn \
  --property Environment=PROMETHEUS_MULTIPROC_DIR=/run/tdah-bench-gunicorn/metrics \
  /opt/tdah/api/current/bin/python -m gunicorn --config /etc/tdah/api/gunicorn.conf.py \
  --bind 127.0.0.1:8002 --max-requests 0 tdah_reference.main:app
get http://127.0.0.1:8002/api/version >/dev/null
user=$(on_app python3 - <<'PY'
import json, urllib.request
request = urllib.request.Request("http://127.0.0.1:8000/api/users", method="POST",
                                 data=json.dumps({"email": "bench@example.org", "name": "Bench"}).encode(),
                                 headers={"Content-Type": "application/json"})
print(json.loads(urllib.request.urlopen(request, timeout=10).read())["id"])
PY
)

# wrk's figures: requests/s, p50 and p99 latency, errors (socket errors + non-2xx).
measure() {
  on_app wrk -t2 -c"$connections" -d"${seconds}s" --timeout 10s --latency "http://127.0.0.1:$1$2" >"$work/wrk.txt"
  python3 - "$work/wrk.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", text).group(1))
lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", text, re.MULTILINE))
errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
errors += int((re.search(r"Non-2xx or 3xx responses: (\d+)", text) or [0, 0])[1])
print(f"{rps:9.0f} {lat.get('50', '?'):>8} {lat.get('99', '?'):>8} {errors:7d}")
PY
}
printf '\n%-44s %9s %8s %8s %7s\n' "app1, $connections connections, ${seconds} s each" "req/s" "p50" "p99" "errors"
for path in /api/version "/api/users/$user"; do
  printf '%-44s %s\n' "gunicorn, 4 uvicorn workers: $path" "$(measure 8000 "$path")"
  printf '%-44s %s\n' "  same, max_requests 0 (no recycling)" "$(measure 8002 "$path")"
  printf '%-44s %s\n' "one uvicorn worker: $path" "$(measure 8001 "$path")"
done
on_app systemctl stop tdah-bench-uvicorn.service tdah-bench-gunicorn.service

echo
echo "==> rolling deploys under a request loop from lb1"
podman cp molecule/platform/files/request_loop.py "$lb:/root/tdah-bench-loop.py"
targets=()
for host in app1 app2; do
  targets+=(--target "$(podman inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "tdah-$lab-$host"):8000")
done
rsync -a --exclude build --exclude '*.egg-info' --exclude __pycache__ apps/reference/ "$work/0.1.1/"
sed -i 's/^__version__ = .*/__version__ = "0.1.1"/' "$work/0.1.1/src/tdah_reference/__init__.py"
# One deploy under the loop: prints seconds, requests, failed, and the first errors.
deploy() {
  local start
  on_lb rm -f /root/tdah-bench-loop.stop /root/tdah-bench-loop.json
  on_lb python3 /root/tdah-bench-loop.py "${targets[@]}" --seconds 900 --stop /root/tdah-bench-loop.stop \
    --out /root/tdah-bench-loop.json &
  local loop=$!
  start=$SECONDS
  ansible-playbook -i "$inventory" playbooks/api_deploy.yml "$@" >"$work/deploy.log" 2>&1 \
    || { on_lb touch /root/tdah-bench-loop.stop; tail -30 "$work/deploy.log"; exit 1; }
  local took=$((SECONDS - start))
  on_lb touch /root/tdah-bench-loop.stop
  wait "$loop"
  on_lb cat /root/tdah-bench-loop.json | python3 -c "
import json, sys
r = json.load(sys.stdin)
print(f'{$took:6d} s {r[\"requests\"]:9d} {r[\"failed\"]:7d}  {r[\"errors\"][:3]}')"
}
printf '%-44s %8s %9s %7s\n' "deploy" "time" "requests" "failed"
row=$(deploy -e api_release_version=0.1.1 -e "api_release_source=$work/0.1.1" -e "api_wheelhouse_cache=$work/wheelhouse") \
  || { echo "$row"; exit 1; }
printf '%-44s %s\n' "0.1.1 (reload, one host at a time)" "$row"
row=$(deploy) || { echo "$row"; exit 1; }
printf '%-44s %s\n' "back to ${release##*/} (the inventory's release)" "$row"
echo
echo "seed: no figure (its compose file restarts containers; target: 0 failed requests)"
