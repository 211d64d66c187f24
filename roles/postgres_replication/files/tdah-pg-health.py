"""Primary-aware health endpoint for one PostgreSQL node.

GET /primary  200 only on a writable primary that is confirmed and that no
              peer outranks
GET /replica  200 only on a standby that streams with replay lag under the limit
GET /health   200 when the server answers
Each answer carries a JSON body with what was found. The server is asked on
every request (over the local socket, as the monitoring user), so a load
balancer's check follows a switchover or failover at once.

Fencing: an old primary that comes back after a failover still believes it
is the primary, on an older timeline. /primary asks the peers' /health and
answers 503 when one of them is on a newer timeline (a primary, or a standby
that follows one), so a load balancer never sends writes to the old one. A
watcher does the same every second while this node is a primary; when a
peer outranks it, it writes the fence file, and the root-owned
tdah-pg-fence.path unit stops the server: direct writes are refused too.

Fails closed: when the peers do not answer, a primary is still "confirmed"
only when a standby streams from it, or when this program saw it without a
break (no stall: a frozen or hung host; no server restart) since a majority
of the nodes or a streaming standby last vouched for it. A primary that
comes back from a freeze or a crash and reaches no one answers 503.

Usage: tdah-pg-health ADDRESS PORT PGPORT USER MAX_LAG_BYTES [PEER_URL...]
The confirmation is kept in $STATE_DIRECTORY/confirmed.json and the fence
file is $RUNTIME_DIRECTORY/fence (systemd sets both); without them there is
no memory across restarts and no fencing.
"""
from __future__ import annotations

import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg

# Seconds a peer has to answer; the peers are asked in parallel.
PEER_TIMEOUT = 1.0
# A gap this long in the watcher's clock (a frozen or hung host) ends the
# confirmation; so does a confirmation file older than this at start.
STALL_SECONDS = 10.0
# Seconds between the watcher's looks at the server and its peers.
WATCH_SECONDS = 1.0

QUERY = """
SELECT pg_is_in_recovery() AS in_recovery,
       current_setting('default_transaction_read_only') = 'on' AS read_only,
       (SELECT status FROM pg_stat_wal_receiver) AS receiver,
       pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) AS replay_lag_bytes,
       CASE WHEN pg_is_in_recovery() THEN (SELECT received_tli FROM pg_stat_wal_receiver)
            ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END AS timeline,
       (SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming') AS standbys,
       extract(epoch FROM pg_postmaster_start_time())::float8 AS started
"""


def node_state(pgport: int, user: str) -> dict:
    """What the local server says about itself; {'up': False} when it does not answer."""
    try:
        with psycopg.connect(host="/var/run/postgresql", port=pgport, user=user, dbname="postgres",
                             connect_timeout=2, application_name="tdah-pg-health") as conn:
            row = conn.execute(QUERY).fetchone()
    except psycopg.Error as exc:
        return {"up": False, "error": str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__}
    in_recovery, read_only, receiver, lag, timeline, standbys, started = row
    return {"up": True, "in_recovery": bool(in_recovery), "read_only": bool(read_only),
            "receiver": receiver, "replay_lag_bytes": None if lag is None else int(lag), "timeline": timeline,
            "standbys": int(standbys or 0), "started": started}


def peer_health(url: str) -> dict:
    """A peer's /health body; {} when it does not answer."""
    try:
        with urllib.request.urlopen(url, timeout=PEER_TIMEOUT) as response:  # noqa: S310 (peer URLs from the unit)
            return json.load(response)
    except urllib.error.HTTPError as exc:  # 503: the peer's host answers, its server is down
        try:
            return json.load(exc)
        except ValueError:
            return {"up": False}
    except (OSError, ValueError):
        return {}


def ask_peers(peers: list[str]) -> list[dict]:
    """Every peer's /health at the same time, so a dead peer costs one
    timeout, not one per peer, and the answer stays inside a load
    balancer's check timeout."""
    if not peers:
        return []
    with ThreadPoolExecutor(max_workers=len(peers)) as pool:
        return list(pool.map(peer_health, peers))


def outranked_by(state: dict, peers: list[str], answers: list[dict]) -> str | None:
    """A peer on a newer timeline than this node (a primary, or a standby of
    one), if any."""
    mine = state.get("timeline") or 0
    for url, peer in zip(peers, answers):
        if peer.get("up") and (peer.get("timeline") or 0) > mine:
            return url
    return None


def newer_primary(state: dict, peers: list[str]) -> str | None:
    """outranked_by, asking the peers."""
    return outranked_by(state, peers, ask_peers(peers))


def verdict(path: str, state: dict, max_lag: int) -> int | None:
    """HTTP status for a path from the server's own state, None for an unknown path."""
    if path == "/health":
        return 200 if state["up"] else 503
    if path == "/primary":
        return 200 if state["up"] and not state["in_recovery"] and not state["read_only"] else 503
    if path == "/replica":
        ok = (state["up"] and state["in_recovery"] and state["receiver"] == "streaming"
              and state["replay_lag_bytes"] is not None and state["replay_lag_bytes"] < max_lag)
        return 200 if ok else 503
    return None


class Guard:
    """Whether this node may be the primary when the peers do not say so,
    and the fence when a peer outranks it."""

    def __init__(self, peers: list[str], state_dir: str | None = None, run_dir: str | None = None,
                 clock=time.monotonic, stall: float = STALL_SECONDS):
        self.peers = peers
        self.clock = clock
        self.stall = stall
        self.lock = threading.Lock()
        self.last_tick = clock()
        self.record: float | None = None  # the server start time that is vouched for
        self.fenced: float | None = None
        self.state_file = os.path.join(state_dir, "confirmed.json") if state_dir else None
        self.fence_file = os.path.join(run_dir, "fence") if run_dir else None
        self._load()

    def _load(self) -> None:
        """A confirmation this program wrote moments ago (a restart of the
        endpoint, not of the host)."""
        if not self.state_file:
            return
        try:
            age = time.time() - os.stat(self.state_file).st_mtime
            with open(self.state_file, encoding="utf-8") as handle:
                started = json.load(handle)["started"]
        except (OSError, ValueError, KeyError, TypeError):
            return
        if 0 <= age <= self.stall:
            self.record = float(started)

    def _save(self) -> None:
        if not self.state_file:
            return
        try:
            if self.record is None:
                if os.path.exists(self.state_file):
                    os.unlink(self.state_file)
                return
            tmp = self.state_file + ".tmp"
            with open(tmp, "w", encoding="utf-8") as handle:
                json.dump({"started": self.record}, handle)
            os.replace(tmp, self.state_file)
        except OSError as exc:
            sys.stderr.write(f"tdah-pg-health: cannot keep the confirmation in {self.state_file}: {exc}\n")

    def tick(self) -> None:
        """The watcher's clock: a long gap means the host stalled."""
        now = self.clock()
        with self.lock:
            gap = now - self.last_tick
            self.last_tick = now
            stalled = gap > self.stall and self.record is not None
            if stalled:
                sys.stderr.write(f"tdah-pg-health: stalled for {gap:.0f} s: the primary must be vouched for again\n")
                self.record = None
            record = self.record
        if stalled:
            self._save()
        elif record is not None and self.state_file:
            try:  # a fresh file: a restart of the endpoint right after keeps the confirmation
                os.utime(self.state_file)
            except OSError:
                self._save()

    def vouch(self, state: dict) -> None:
        with self.lock:
            changed = self.record != state.get("started")
            self.record = state.get("started")
        if changed:
            self._save()

    def holds(self, state: dict) -> bool:
        with self.lock:
            unbroken = self.clock() - self.last_tick <= self.stall
            return unbroken and self.record is not None and self.record == state.get("started")

    def fence(self, state: dict, by: str) -> None:
        """Ask the root-owned fence unit to stop this server (once per server start)."""
        with self.lock:
            self.record = None
            if not self.fence_file or self.fenced == state.get("started"):
                return
            self.fenced = state.get("started")
        reason = {"fenced_by": by, "timeline": state.get("timeline"), "at": time.time()}
        sys.stderr.write(f"tdah-pg-health: {by} is on a newer timeline than this primary: fencing it\n")
        try:
            with open(self.fence_file, "w", encoding="utf-8") as handle:
                json.dump(reason, handle)
        except OSError as exc:
            sys.stderr.write(f"tdah-pg-health: cannot write the fence file {self.fence_file}: {exc}\n")

    def primary(self, state: dict) -> dict:
        """For a server that is a writable primary: {} when it may take
        writes, else what stops it."""
        if not self.peers:
            return {}
        answers = ask_peers(self.peers)
        by = outranked_by(state, self.peers, answers)
        if by:
            self.fence(state, by)
            return {"fenced_by": by}
        answered = sum(1 for answer in answers if answer.get("up"))
        if (answered + 1) * 2 > len(self.peers) + 1 or state.get("standbys", 0) > 0:
            self.vouch(state)
            return {}
        if self.holds(state):
            return {}
        return {"unconfirmed": (f"{answered} of {len(self.peers)} peers answer with a running server, no standby streams from this node,"
                                " and it was not vouched for since its last stall or restart")}

    def watch_once(self, state: dict) -> None:
        if not state.get("up"):
            return
        if not state.get("in_recovery"):
            self.primary(state)
        elif state.get("receiver") == "streaming":
            self.vouch(state)  # a healthy member: if promoted, it is vouched for

    def run(self, pgport: int, user: str) -> None:
        """The ticker and the watcher, as daemon threads."""
        def ticker():
            while True:
                self.tick()
                time.sleep(0.5)

        def watcher():
            while True:
                self.watch_once(node_state(pgport, user))
                time.sleep(WATCH_SECONDS)

        for target in (ticker, watcher):
            threading.Thread(target=target, daemon=True).start()


def make_handler(pgport: int, user: str, max_lag: int, peers: list[str] | None = None, guard: Guard | None = None):
    guard = guard or Guard(peers or [])

    class Handler(BaseHTTPRequestHandler):
        server_version = "tdah-pg-health"
        sys_version = ""

        def _answer(self, with_body: bool) -> None:
            path = self.path.split("?", 1)[0]
            state = node_state(pgport, user) if path in ("/health", "/primary", "/replica") else {}
            status = verdict(path, state, max_lag) if state else None
            if status == 200 and path == "/primary":
                stop = guard.primary(state)
                if stop:
                    state = {**state, **stop}
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
    peers = argv[6:]
    guard = Guard(peers, os.environ.get("STATE_DIRECTORY"), os.environ.get("RUNTIME_DIRECTORY"))
    if peers:
        guard.run(pgport, user)
    server = ThreadingHTTPServer((address, port), make_handler(pgport, user, max_lag, peers, guard))
    server.daemon_threads = True
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
