"""Probe of the load balancers' routing ports for bench/lb.sh, run on an API host as the API's
user with the API's own settings (its env file: the VIP, the client certificate, the passwords).

  lb_probe.py pg --seconds S --stop FILE --out FILE
      every 50 ms a new connection through the PostgreSQL write port and
      `SELECT pg_is_in_recovery()`: a success is an answer from a primary;
  lb_probe.py redis --seconds S --stop FILE --out FILE
      every 50 ms a SET through the Redis port (one client, reconnecting
      after an error): a success is a write the master took;
  lb_probe.py master
      prints the address of the Redis node behind the port (CLIENT INFO).

The report (JSON): attempts, successes, the longest gap between two successes (the outage a
client saw, s) and the node each success reached, in the order they changed. Bounded: stops by
itself after S seconds, or once FILE exists.
"""
from __future__ import annotations

import argparse
import json
import os
import time

ENV = "/etc/tdah/api/api.env"


def settings():
    from tdah_reference.settings import load  # the API's virtualenv

    env = {}
    with open(ENV, encoding="utf-8") as handle:
        for line in handle:
            name, sep, value = line.strip().partition("=")
            if sep and not name.startswith("#"):
                env[name] = value.strip("'\"")
    return load(env)


def probe(args: argparse.Namespace) -> dict:
    config = settings()
    if args.kind == "pg":
        import psycopg

        info = {**config.conninfo(), "connect_timeout": "2"}
        info.pop("target_session_attrs", None)

        def attempt() -> str:
            with psycopg.connect(**info, password=config.db_password, autocommit=True) as conn:
                if conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
                    raise RuntimeError("a replica behind the write port")
                return str(conn.execute("SELECT host(inet_server_addr())").fetchone()[0])
    else:
        import redis

        client = redis.Redis(host=config.redis_host[0], port=config.redis_host[1], username=config.redis_username,
                             password=config.redis_password, ssl=True, ssl_ca_certs=config.redis_ssl_ca_certs,
                             socket_timeout=1, socket_connect_timeout=1)

        def attempt() -> str:
            client.set("tdah:bench:lb", str(time.time()), ex=60)
            return client.client_info()["laddr"]

    started = time.monotonic()
    last_ok = None
    report = {"attempts": 0, "successes": 0, "longest_gap_seconds": 0.0, "nodes": [], "errors": []}
    while time.monotonic() - started < args.seconds and not os.path.exists(args.stop):
        report["attempts"] += 1
        try:
            node = attempt()
            now = time.monotonic()
            if last_ok is not None:
                report["longest_gap_seconds"] = max(report["longest_gap_seconds"], round(now - last_ok, 2))
            last_ok = now
            report["successes"] += 1
            if not report["nodes"] or report["nodes"][-1] != node:
                report["nodes"].append(node)
        except Exception as exc:  # noqa: BLE001 - every failure is an outage the report counts
            if len(report["errors"]) < 10:
                report["errors"].append(f"+{time.monotonic() - started:.1f}s {type(exc).__name__}: {exc}")
        time.sleep(0.05)
    return report


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["pg", "redis", "master"])
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--stop", default="/nonexistent")
    parser.add_argument("--out")
    args = parser.parse_args()
    if args.kind == "master":
        args.kind, args.seconds = "redis", 1
        print(probe(args)["nodes"][0].rsplit(":", 1)[0])
        return 0
    report = probe(args)
    with open(args.out + ".tmp", "w", encoding="utf-8") as out:
        json.dump(report, out)
    os.replace(args.out + ".tmp", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
