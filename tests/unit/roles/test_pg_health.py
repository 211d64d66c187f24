"""The postgres_replication health endpoint: verdicts per role and the HTTP
answers a load balancer sees (the server state is stubbed; the scenario
asks real PostgreSQL nodes)."""
from __future__ import annotations

import http.client
import importlib.util
import json
import os
import socket
import sys
import threading
import types
from http.server import ThreadingHTTPServer

import pytest

from conftest import ROOT

PRIMARY = {"up": True, "in_recovery": False, "read_only": False, "receiver": None, "replay_lag_bytes": None}
REPLICA = {"up": True, "in_recovery": True, "read_only": False, "receiver": "streaming", "replay_lag_bytes": 0}
DOWN = {"up": False, "error": "connection refused"}


@pytest.fixture(name="health")
def fixture_health(monkeypatch):
    # psycopg is only needed on the nodes; a stand-in module lets the
    # program load here.
    stub = types.ModuleType("psycopg")
    stub.Error = Exception
    monkeypatch.setitem(sys.modules, "psycopg", stub)
    path = ROOT / "roles" / "postgres_replication" / "files" / "tdah-pg-health.py"
    spec = importlib.util.spec_from_file_location("tdah_pg_health", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("state, path, status", [
    (PRIMARY, "/primary", 200), (PRIMARY, "/replica", 503), (PRIMARY, "/health", 200),
    (REPLICA, "/primary", 503), (REPLICA, "/replica", 200), (REPLICA, "/health", 200),
    ({**PRIMARY, "read_only": True}, "/primary", 503),
    ({**REPLICA, "replay_lag_bytes": 16 * 1024 * 1024}, "/replica", 503),
    ({**REPLICA, "receiver": None}, "/replica", 503),
    ({**REPLICA, "receiver": "starting"}, "/replica", 503),
    (DOWN, "/primary", 503), (DOWN, "/replica", 503), (DOWN, "/health", 503),
    (PRIMARY, "/other", None),
])
def test_verdicts(health, state, path, status):
    assert health.verdict(path, state, 16 * 1024 * 1024) == status


def test_http_answers_follow_the_server_state(health, monkeypatch):
    states = {"now": PRIMARY}
    monkeypatch.setattr(health, "node_state", lambda pgport, user: states["now"])
    server = ThreadingHTTPServer(("127.0.0.1", 0), health.make_handler(5432, "monitor_user", 1024))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def get(path: str, method: str = "GET") -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=5)
        conn.request(method, path)
        response = conn.getresponse()
        return response.status, response.read()

    try:
        status, body = get("/primary")
        assert status == 200 and json.loads(body)["in_recovery"] is False
        assert get("/replica")[0] == 503
        states["now"] = REPLICA  # a switchover: the same endpoint follows at once
        assert get("/primary")[0] == 503
        assert get("/replica")[0] == 200
        assert get("/replica", "HEAD") == (200, b"")
        assert get("/nothing")[0] == 404
    finally:
        server.shutdown()
        server.server_close()


def test_usage_error(health, capsys):
    assert health.main(["tdah-pg-health"]) == 2
    assert "usage: tdah-pg-health ADDRESS PORT PGPORT USER MAX_LAG_BYTES [PEER_URL...]" in capsys.readouterr().err


def test_an_old_primary_is_fenced_by_a_peer_on_a_newer_timeline(health, monkeypatch):
    old = {**PRIMARY, "timeline": 1}
    monkeypatch.setattr(health, "node_state", lambda pgport, user: old)
    peer_states = {"now": {**PRIMARY, "timeline": 2}}
    servers = []

    class PeerHandler(health.make_handler(5432, "monitor_user", 1024)):
        """A peer's /health, answering from peer_states."""

        def _answer(self, with_body):
            body = json.dumps(peer_states["now"]).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    peer = ThreadingHTTPServer(("127.0.0.1", 0), PeerHandler)
    dead = f"http://127.0.0.1:{_free_port()}/health"  # a peer that is down is skipped
    node = ThreadingHTTPServer(("127.0.0.1", 0), health.make_handler(
        5432, "monitor_user", 1024, [dead, f"http://127.0.0.1:{peer.server_port}/health"]))
    for server in (peer, node):
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", node.server_port, timeout=5)
        conn.request("GET", "/primary")
        response = conn.getresponse()
        body = json.loads(response.read())
        assert response.status == 503
        assert body["fenced_by"].endswith(f":{peer.server_port}/health")
        peer_states["now"] = {**REPLICA, "timeline": None}  # the peer is a standby: no fence
        conn = http.client.HTTPConnection("127.0.0.1", node.server_port, timeout=5)
        conn.request("GET", "/primary")
        assert conn.getresponse().status == 200
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_peers_are_asked_at_the_same_time(health, monkeypatch):
    # Each fake peer waits for the other: asked one after the other, the
    # barrier would break and the first would raise.
    barrier = threading.Barrier(2, timeout=5)
    asked = []

    def peer_health(url):
        barrier.wait()
        asked.append(url)
        return {**PRIMARY, "timeline": 3} if url.endswith("b") else {}

    monkeypatch.setattr(health, "peer_health", peer_health)
    assert health.newer_primary({**PRIMARY, "timeline": 2}, ["http://a", "http://b"]) == "http://b"
    assert sorted(asked) == ["http://a", "http://b"]


def test_a_peer_that_does_not_answer_cannot_outrank(health, monkeypatch):
    monkeypatch.setattr(health, "PEER_TIMEOUT", 0.2)
    assert health.peer_health(f"http://127.0.0.1:{_free_port()}/health") == {}


# --- Failing closed: the guard ---------------------------------------------------

class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


LONE = {**PRIMARY, "timeline": 2, "standbys": 0, "started": 111.0}
UP_REPLICA = {**REPLICA, "timeline": 2}


@pytest.fixture(name="guard")
def fixture_guard(health, monkeypatch, tmp_path):
    answers = {"now": [{}]}
    monkeypatch.setattr(health, "ask_peers", lambda peers: answers["now"])
    clock = FakeClock()
    guard = health.Guard(["http://pg2/health"], str(tmp_path / "state"), str(tmp_path / "run"), clock=clock, stall=10)
    (tmp_path / "state").mkdir()
    (tmp_path / "run").mkdir()
    return types.SimpleNamespace(guard=guard, answers=answers, clock=clock, tmp=tmp_path, health=health)


def test_a_primary_nobody_vouches_for_is_refused(guard):
    stop = guard.guard.primary(LONE)
    assert "0 of 1 peers answer" in stop["unconfirmed"]


def test_a_peer_that_answers_without_a_server_does_not_vouch(guard):
    guard.answers["now"] = [{"up": False, "error": "connection refused"}]
    assert "unconfirmed" in guard.guard.primary(LONE)


def test_a_majority_vouches_and_the_confirmation_outlives_the_peers(guard):
    guard.answers["now"] = [UP_REPLICA]
    assert guard.guard.primary(LONE) == {}
    guard.answers["now"] = [{}]  # the replica dies: the primary goes on
    guard.clock.now += 5
    guard.guard.tick()
    assert guard.guard.primary(LONE) == {}


def test_a_streaming_standby_vouches(guard):
    assert guard.guard.primary({**LONE, "standbys": 1}) == {}
    assert guard.guard.primary(LONE) == {}


def test_a_stall_ends_the_confirmation(guard):
    guard.answers["now"] = [UP_REPLICA]
    guard.guard.primary(LONE)
    guard.answers["now"] = [{}]
    guard.clock.now += 30  # frozen: the ticker did not run
    assert "unconfirmed" in guard.guard.primary(LONE)  # before the ticker notices
    guard.guard.tick()
    guard.clock.now += 1
    guard.guard.tick()
    assert "unconfirmed" in guard.guard.primary(LONE)
    assert not (guard.tmp / "state" / "confirmed.json").exists()


def test_a_server_restart_ends_the_confirmation(guard):
    guard.answers["now"] = [UP_REPLICA]
    guard.guard.primary(LONE)
    guard.answers["now"] = [{}]
    assert "unconfirmed" in guard.guard.primary({**LONE, "started": 222.0})


def test_a_streaming_replica_is_vouched_for_when_promoted(guard):
    guard.guard.watch_once({**UP_REPLICA, "started": 111.0})
    assert guard.guard.primary({**LONE, "timeline": 3}) == {}


def test_the_confirmation_survives_a_quick_restart_of_the_endpoint_only(guard):
    guard.answers["now"] = [UP_REPLICA]
    guard.guard.primary(LONE)
    state_file = guard.tmp / "state" / "confirmed.json"
    assert json.loads(state_file.read_text()) == {"started": 111.0}
    guard.answers["now"] = [{}]
    again = guard.health.Guard(["http://pg2/health"], str(guard.tmp / "state"), None, clock=guard.clock, stall=10)
    assert again.primary(LONE) == {}
    old = state_file.stat().st_mtime - 60  # the host was down for a minute
    os.utime(state_file, (old, old))
    late = guard.health.Guard(["http://pg2/health"], str(guard.tmp / "state"), None, clock=guard.clock, stall=10)
    assert "unconfirmed" in late.primary(LONE)


def test_an_outranked_primary_writes_the_fence_file_once(guard):
    guard.answers["now"] = [{**UP_REPLICA, "timeline": 3}]  # a standby that follows a newer primary
    assert guard.guard.primary(LONE) == {"fenced_by": "http://pg2/health"}
    fence = guard.tmp / "run" / "fence"
    first = json.loads(fence.read_text())
    assert first["fenced_by"] == "http://pg2/health" and first["timeline"] == 2
    fence.unlink()
    guard.guard.primary(LONE)
    assert not fence.exists()  # once per server start
    guard.guard.watch_once({**LONE, "started": 333.0})
    assert fence.exists()


def test_an_unconfirmed_primary_answers_503_with_the_reason(health, monkeypatch):
    monkeypatch.setattr(health, "node_state", lambda pgport, user: LONE)
    monkeypatch.setattr(health, "PEER_TIMEOUT", 0.2)
    node = ThreadingHTTPServer(("127.0.0.1", 0), health.make_handler(
        5432, "monitor_user", 1024, [f"http://127.0.0.1:{_free_port()}/health"]))
    threading.Thread(target=node.serve_forever, daemon=True).start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", node.server_port, timeout=5)
        conn.request("GET", "/primary")
        response = conn.getresponse()
        assert response.status == 503
        assert "no standby streams from this node" in json.loads(response.read())["unconfirmed"]
    finally:
        node.shutdown()
        node.server_close()
