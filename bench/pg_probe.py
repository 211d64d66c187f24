"""Write probe for the PostgreSQL drills (bench/pg_drills.sh).

Finds the writable primary the way HAProxy does (the nodes' /primary health
endpoint), or with --libpq the way a libpq client given every node does, inserts one numbered row at a time and logs every acknowledged
commit, so the drill can measure write outages and lost commits. Bounded:
stops by itself after --seconds.
Usage: pg_probe.py write --nodes pg1,pg2,pg3 --seconds 300 --prefix P --log FILE [--stop-file F]
         (password in PGPASSWORD or ~/.pgpass; it also stops once F exists)
       pg_probe.py analyse --log FILE --present FILE [--switchover T0 T1] [--failover T0]
The analysis prints: switchover outage (longest gap between acknowledged
commits while the switchover ran, s), failover time to writable (from T0 to
the first acknowledged commit after it, s), and the acknowledged commits
missing from --present (the markers found on the final primary).
"""
from __future__ import annotations

import argparse
import os
import socket
import time
import urllib.request


def primary(nodes: dict[str, str]) -> str | None:
    """The node whose /primary answers 200 (by address: the name of a dead
    container may take many seconds to fail to resolve)."""
    for node, address in nodes.items():
        try:
            with urllib.request.urlopen(f"http://{address}:8008/primary", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return node
        except OSError:
            continue
    return None


def write(args: argparse.Namespace) -> int:
    import psycopg  # only on the probing host

    # Resolved once, as a load balancer's configuration holds addresses.
    nodes = {node: socket.gethostbyname(node) for node in args.nodes.split(",")}
    deadline = time.monotonic() + args.seconds
    seq, conn, host = 0, None, None
    with open(args.log, "a", encoding="ascii", buffering=1) as log:
        while time.monotonic() < deadline and not (args.stop_file and os.path.exists(args.stop_file)):
            try:
                if conn is None and args.libpq:
                    # libpq tries the nodes in turn and keeps the writable one.
                    conn = psycopg.connect(f"host={','.join(nodes.values())} target_session_attrs=read-write {args.dsn}",
                                           autocommit=True)
                    host = conn.info.host
                    conn.execute("SET statement_timeout = '2s'")
                if conn is None:
                    host = primary(nodes)
                    if host is None:
                        time.sleep(0.05)
                        continue
                    conn = psycopg.connect(f"host={nodes[host]} {args.dsn}", autocommit=True)
                    conn.execute("SET statement_timeout = '2s'")
                seq += 1
                conn.execute("INSERT INTO probe (marker) VALUES (%s)", (f"{args.prefix}-{seq}",))
                log.write(f"{time.time():.3f} ok {seq} {host}\n")
            except psycopg.Error as exc:
                log.write(f"{time.time():.3f} fail {seq} {host} {type(exc).__name__}\n")
                if conn is not None:
                    try:
                        conn.close()
                    except psycopg.Error:
                        pass
                conn = None
                time.sleep(0.05)
            time.sleep(0.02)
    return 0


def analyse(args: argparse.Namespace) -> int:
    acked: list[tuple[float, str]] = []
    with open(args.log, encoding="ascii") as log:
        for line in log:
            fields = line.split()
            if len(fields) >= 3 and fields[1] == "ok":
                acked.append((float(fields[0]), fields[2]))
    with open(args.present, encoding="ascii") as present_file:
        present = {line.strip().rsplit("-", 1)[-1] for line in present_file if line.strip()}
    outage = writable = "-"
    if args.switchover:
        start, end = args.switchover
        times = [stamp for stamp, _seq in acked if start - 5 <= stamp <= end + 5]
        gaps = [b - a for a, b in zip(times, times[1:])]
        outage = f"{max(gaps):.1f}" if gaps else "no-commits"
    if args.failover is not None:
        after = [stamp for stamp, _seq in acked if stamp > args.failover]
        writable = f"{after[0] - args.failover:.1f}" if after else "never"
    lost = sum(1 for _stamp, seq in acked if seq not in present)
    print(outage, writable, lost)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("write")
    w.add_argument("--nodes", required=True)
    w.add_argument("--seconds", type=float, required=True)
    w.add_argument("--prefix", required=True)
    w.add_argument("--log", required=True)
    w.add_argument("--stop-file")
    w.add_argument("--libpq", action="store_true",
                   help="find the primary with libpq's target_session_attrs=read-write, not the health endpoints")
    w.add_argument("--dsn", default="user=app_user dbname=personal_assistant_prod sslmode=verify-full "
                                    "sslrootcert=/root/tdah-ca.crt connect_timeout=2")
    a = sub.add_parser("analyse")
    a.add_argument("--log", required=True)
    a.add_argument("--present", required=True)
    a.add_argument("--switchover", nargs=2, type=float)
    a.add_argument("--failover", type=float)
    args = parser.parse_args()
    return write(args) if args.command == "write" else analyse(args)


if __name__ == "__main__":
    raise SystemExit(main())
