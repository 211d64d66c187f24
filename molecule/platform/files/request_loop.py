"""A bounded request loop against API hosts, run from a load balancer during a deploy.

GETs PATH on each target in turn, each on a new connection (as a load balancer's checks and
most clients do), until the stop file appears or SECONDS pass; then writes a JSON report to OUT
(atomically): requests and failures per target, the versions each target answered in the order
they changed, when each was first and last seen, how long an earlier version still answered after
the last one first did (mixed_seconds), the first failures with their reasons.
With --ca and --name the targets are HTTPS (the name sent by SNI and verified); --interval paces
the rounds (a load balancer's per-source rate limit). The report also gives the longest gap: the
longest time between two answered requests of a target, the outage a client saw.
Usage: request_loop.py --target HOST:PORT [--target ...] --stop FILE --out FILE [--seconds N]
                       [--ca FILE --name NAME] [--interval S]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import ssl
import time


def _connection(host: str, port: int, context: ssl.SSLContext | None, name: str):
    if context is None:
        return http.client.HTTPConnection(host, port, timeout=5)

    class Connection(http.client.HTTPSConnection):
        def connect(self):
            self.sock = context.wrap_socket(socket.create_connection((host, port), timeout=5), server_hostname=name)

    return Connection(name, port, timeout=5)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", action="append", required=True)
    parser.add_argument("--path", default="/api/version")
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--stop", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--ca")
    parser.add_argument("--name", default="")
    parser.add_argument("--interval", type=float, default=0.0)
    args = parser.parse_args()
    context = ssl.create_default_context(cafile=args.ca) if args.ca else None
    stats = {target: {"requests": 0, "failed": 0, "versions": [], "seen": {}, "longest_gap_seconds": 0.0, "last_ok": None}
             for target in args.target}
    errors = []
    started = time.monotonic()
    deadline = started + args.seconds
    while time.monotonic() < deadline and not os.path.exists(args.stop):
        for target in args.target:
            host, port = target.rsplit(":", 1)
            entry = stats[target]
            entry["requests"] += 1
            try:
                connection = _connection(host.strip("[]"), int(port), context, args.name or host.strip("[]"))
                connection.request("GET", args.path, headers={"Connection": "close"})
                response = connection.getresponse()
                body = response.read()
                connection.close()
                if response.status != 200:
                    raise RuntimeError(f"HTTP {response.status}")
                version = json.loads(body)["version"]
                if not entry["versions"] or entry["versions"][-1] != version:
                    entry["versions"].append(version)
                now = time.monotonic()
                entry["seen"].setdefault(version, [round(now - started, 2)] * 2)[1] = round(now - started, 2)
                if entry["last_ok"] is not None:
                    entry["longest_gap_seconds"] = max(entry["longest_gap_seconds"], round(now - entry["last_ok"], 2))
                entry["last_ok"] = now
            except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
                entry["failed"] += 1
                if len(errors) < 20:
                    errors.append(f"{target} +{time.monotonic() - started:.1f}s {type(exc).__name__}: {exc}")
        if args.interval:
            time.sleep(args.interval)
    for entry in stats.values():
        del entry["last_ok"]
        # How long the target answered with an earlier version after it first answered with its last one
        # (a graceful reload: the old workers finish what they accepted while the new ones serve).
        final = entry["versions"][-1] if entry["versions"] else None
        earlier = [last for version, (_first, last) in entry["seen"].items() if version != final]
        entry["mixed_seconds"] = round(max(0.0, max(earlier) - entry["seen"][final][0]), 2) if final and earlier else 0.0
    report = {"seconds": round(time.monotonic() - started, 1),
              "stopped_by": "stop file" if os.path.exists(args.stop) else "time limit",
              "requests": sum(e["requests"] for e in stats.values()),
              "failed": sum(e["failed"] for e in stats.values()),
              "longest_gap_seconds": max(e["longest_gap_seconds"] for e in stats.values()),
              "targets": stats, "errors": errors}
    with open(args.out + ".tmp", "w", encoding="utf-8") as out:
        json.dump(report, out)
    os.replace(args.out + ".tmp", args.out)


if __name__ == "__main__":
    main()
