"""Write probe for the Redis failover bench (bench/redis_failover.sh).

Finds the master through the Sentinels, as an application does, writes one
numbered key at a time and confirms each with WAIT 1 (at least one replica has
it), logging every acknowledged write. Bounded: stops by itself after
--seconds.
Usage: redis_probe.py write --sentinels h1,h2,h3 --seconds 40 --prefix P --log FILE [--stop-file F]
       redis_probe.py present --sentinels h1,h2,h3 --prefix P --out FILE
       redis_probe.py analyse --log FILE --present FILE (--kill T0 --old HOST | --window T0 T1)
Passwords in REDIS_APP_PASSWORD and REDIS_SENTINEL_PASSWORD; CA in --ca.
The analysis prints the time from T0 (the SIGKILL) to the first acknowledged
write on another master (s), or with --window the longest gap between
acknowledged writes from T0 to T1 (s), then the acknowledged writes missing
from --present and the number acknowledged.
"""
from __future__ import annotations

import argparse
import os
import time


def clients(args: argparse.Namespace):
    from redis.sentinel import Sentinel  # only on the probing host

    tls = {"ssl": True, "ssl_ca_certs": args.ca, "ssl_cert_reqs": "required"}
    sentinel = Sentinel([(host, 26379) for host in args.sentinels.split(",")],
                        sentinel_kwargs={"password": os.environ["REDIS_SENTINEL_PASSWORD"], "socket_timeout": 0.5, **tls},
                        socket_timeout=1, socket_connect_timeout=1, **tls)
    return sentinel


def master(sentinel, args: argparse.Namespace):
    return sentinel.master_for(args.master, username=args.user, password=os.environ["REDIS_APP_PASSWORD"],
                               socket_timeout=1, socket_connect_timeout=1, decode_responses=True)


def write(args: argparse.Namespace) -> int:
    from redis.exceptions import RedisError

    sentinel = clients(args)
    deadline = time.monotonic() + args.seconds
    seq, client = 0, None
    with open(args.log, "a", encoding="ascii", buffering=1) as log:
        while time.monotonic() < deadline and not (args.stop_file and os.path.exists(args.stop_file)):
            try:
                if client is None:
                    address = sentinel.discover_master(args.master)
                    client = master(sentinel, args)
                seq += 1
                client.set(f"{args.prefix}:{seq}", seq)
                replicas = client.execute_command("WAIT", 1, 200)
                if int(replicas) >= 1:
                    log.write(f"{time.time():.3f} ok {seq} {address[0]}\n")
                else:
                    log.write(f"{time.time():.3f} unconfirmed {seq} {address[0]}\n")
            except (RedisError, OSError) as exc:
                log.write(f"{time.time():.3f} fail {seq} {type(exc).__name__}\n")
                client = None
                time.sleep(0.05)
            time.sleep(0.01)
    return 0


def present(args: argparse.Namespace) -> int:
    client = master(clients(args), args)
    with open(args.out, "w", encoding="ascii") as out:
        for key in client.scan_iter(match=f"{args.prefix}:*", count=1000):
            out.write(key.rsplit(":", 1)[-1] + "\n")
    return 0


def analyse(args: argparse.Namespace) -> int:
    acked: list[tuple[float, str, str]] = []
    with open(args.log, encoding="ascii") as log:
        for line in log:
            fields = line.split()
            if len(fields) >= 4 and fields[1] == "ok":
                acked.append((float(fields[0]), fields[2], fields[3]))
    with open(args.present, encoding="ascii") as present_file:
        kept = {line.strip() for line in present_file if line.strip()}
    if args.window:
        times = [stamp for stamp, _seq, _host in acked if args.window[0] - 5 <= stamp <= args.window[1] + 5]
        gaps = [b - a for a, b in zip(times, times[1:])]
        writable = f"{max(gaps):.2f}" if gaps else "no-writes"
    else:
        after = [stamp for stamp, _seq, host in acked if stamp > args.kill and host != args.old]
        writable = f"{after[0] - args.kill:.2f}" if after else "never"
    lost = sum(1 for _stamp, seq, _host in acked if seq not in kept)
    print(writable, lost, len(acked))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("write", "present"):
        p = sub.add_parser(name)
        p.add_argument("--sentinels", required=True)
        p.add_argument("--prefix", required=True)
        p.add_argument("--master", default="mymaster")
        p.add_argument("--user", default="app")
        p.add_argument("--ca", default="/root/tdah-ca.crt")
        if name == "write":
            p.add_argument("--seconds", type=float, required=True)
            p.add_argument("--log", required=True)
            p.add_argument("--stop-file")
        else:
            p.add_argument("--out", required=True)
    a = sub.add_parser("analyse")
    a.add_argument("--log", required=True)
    a.add_argument("--present", required=True)
    a.add_argument("--kill", type=float)
    a.add_argument("--old")
    a.add_argument("--window", nargs=2, type=float)
    args = parser.parse_args()
    if args.command == "analyse" and not args.window and (args.kill is None or not args.old):
        parser.error("analyse needs --kill and --old, or --window")
    return {"write": write, "present": present, "analyse": analyse}[args.command](args)


if __name__ == "__main__":
    raise SystemExit(main())
