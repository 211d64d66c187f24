"""Primary-aware health endpoint for one PostgreSQL node.

GET /primary  200 only on a writable primary that no peer outranks
GET /replica  200 only on a standby that streams with replay lag under the limit
GET /health   200 when the server answers
Each answer carries a JSON body with what was found. The server is asked on
every request (over the local socket, as the monitoring user), so a load
balancer's check follows a switchover or failover at once.

Fencing: an old primary that comes back after a failover still believes it
is the primary, on an older timeline. /primary asks the peers' /health and
answers 503 when one of them is a primary on a newer timeline, so the load
balancer never sends writes to the old one.
Usage: tdah-pg-health ADDRESS PORT PGPORT USER MAX_LAG_BYTES [PEER_URL...]
"""
from __future__ import annotations

import json
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg

# Seconds a peer has to answer; the peers are asked in parallel.
PEER_TIMEOUT = 1.0

QUERY = """
SELECT pg_is_in_recovery() AS in_recovery,
       current_setting('default_transaction_read_only') = 'on' AS read_only,
       (SELECT status FROM pg_stat_wal_receiver) AS receiver,
       pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) AS replay_lag_bytes,
       CASE WHEN pg_is_in_recovery() THEN NULL
            ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END AS timeline
"""


def node_state(pgport: int, user: str) -> dict:
    """What the local server says about itself; {'up': False} when it does not answer."""
    try:
        with psycopg.connect(host="/var/run/postgresql", port=pgport, user=user, dbname="postgres",
                             connect_timeout=2, application_name="tdah-pg-health") as conn:
            row = conn.execute(QUERY).fetchone()
    except psycopg.Error as exc:
        return {"up": False, "error": str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__}
    in_recovery, read_only, receiver, lag, timeline = row
    return {"up": True, "in_recovery": bool(in_recovery), "read_only": bool(read_only),
            "receiver": receiver, "replay_lag_bytes": None if lag is None else int(lag), "timeline": timeline}


def peer_health(url: str) -> dict:
    """A peer's /health body; {} when it does not answer (or its server is down: 503)."""
    try:
        with urllib.request.urlopen(url, timeout=PEER_TIMEOUT) as response:  # noqa: S310 (peer URLs from the unit)
            return json.load(response)
    except (OSError, ValueError):
        return {}


def newer_primary(state: dict, peers: list[str]) -> str | None:
    """A peer that is a primary on a newer timeline than this node, if any.

    The peers are asked at the same time, so a dead peer costs one timeout,
    not one per peer, and the answer stays inside a load balancer's check
    timeout."""
    with ThreadPoolExecutor(max_workers=len(peers)) as pool:
        answers = list(pool.map(peer_health, peers))
    mine = state.get("timeline") or 0
    for url, peer in zip(peers, answers):
        if peer.get("up") and peer.get("in_recovery") is False and (peer.get("timeline") or 0) > mine:
            return url
    return None


def verdict(path: str, state: dict, max_lag: int) -> int | None:
    """HTTP status for a path, None for an unknown path."""
    if path == "/health":
        return 200 if state["up"] else 503
    if path == "/primary":
        return 200 if state["up"] and not state["in_recovery"] and not state["read_only"] else 503
    if path == "/replica":
        ok = (state["up"] and state["in_recovery"] and state["receiver"] == "streaming"
              and state["replay_lag_bytes"] is not None and state["replay_lag_bytes"] < max_lag)
        return 200 if ok else 503
    return None


def make_handler(pgport: int, user: str, max_lag: int, peers: list[str] | None = None):
    class Handler(BaseHTTPRequestHandler):
        server_version = "tdah-pg-health"
        sys_version = ""

        def _answer(self, with_body: bool) -> None:
            path = self.path.split("?", 1)[0]
            state = node_state(pgport, user) if path in ("/health", "/primary", "/replica") else {}
            status = verdict(path, state, max_lag) if state else None
            if status == 200 and path == "/primary" and peers:
                outranked_by = newer_primary(state, peers)
                if outranked_by:
                    state = {**state, "fenced_by": outranked_by}
                    status = 503
            body = json.dumps(state if status else {"error": "unknown path"}).encode() + b"\n"
            self.send_response(status or 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if with_body:
                self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            self._answer(True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._answer(False)

        def log_message(self, *args) -> None:  # checks arrive every second or two
            pass

    return Handler


def main(argv: list[str]) -> int:
    if len(argv) < 6:
        sys.stderr.write("usage: tdah-pg-health ADDRESS PORT PGPORT USER MAX_LAG_BYTES [PEER_URL...]\n")
        return 2
    address, port, pgport, user, max_lag = argv[1], int(argv[2]), int(argv[3]), argv[4], int(argv[5])
    server = ThreadingHTTPServer((address, port), make_handler(pgport, user, max_lag, argv[6:]))
    server.daemon_threads = True
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
