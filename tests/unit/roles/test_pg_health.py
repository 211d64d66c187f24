"""The postgres_replication health endpoint: verdicts per role and the HTTP
answers a load balancer sees (the server state is stubbed; the scenario
asks real PostgreSQL nodes)."""
from __future__ import annotations

import http.client
import importlib.util
import json
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
