"""The api role's graceful shutdown for uvicorn's workers (roles/api/files/graceful_shutdown.py):
a request that arrives just after a worker's shutdown began, on a connection the worker had
accepted, is answered. uvicorn's own shutdown closes that connection unanswered: the control that
shows the case is real and that the test can fail."""
from __future__ import annotations

import asyncio
import importlib.util
import socket

import pytest
from uvicorn.config import Config
from uvicorn.server import Server

from conftest import ROOT

SPEC = importlib.util.spec_from_file_location("graceful_shutdown", ROOT / "roles/api/files/graceful_shutdown.py")
graceful_shutdown = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(graceful_shutdown)


async def _app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"answered"})


async def _until(predicate, seconds: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.01)


async def _late_request(server_class) -> bytes:
    """Connect, let the shutdown begin, then send the request; what comes back."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    port = sock.getsockname()[1]
    server = server_class(Config(app=_app, lifespan="off", http="h11", log_level="warning"))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    await _until(lambda: server.started)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await _until(lambda: len(server.server_state.connections) == 1)
    server.should_exit = True
    # The main loop sees should_exit within 0.1 s: the shutdown is under way when the request goes.
    await asyncio.sleep(0.3)
    try:
        writer.write(b"GET / HTTP/1.1\r\nHost: api\r\n\r\n")
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), 5)
    except ConnectionError:
        answer = b""
    writer.close()
    await asyncio.wait_for(serving, 10)
    return answer


class GracefulServer(Server):
    pass


GracefulServer.shutdown = graceful_shutdown.graceful(Server.shutdown, 1.0)


def test_uvicorn_s_own_shutdown_closes_a_connection_whose_request_is_late():
    assert asyncio.run(_late_request(Server)) == b""


def test_the_graceful_shutdown_answers_it_then_closes():
    answer = asyncio.run(_late_request(GracefulServer))
    # Answered, then closed (reader.read() returned): the next request goes to a new worker.
    assert answer.startswith(b"HTTP/1.1 200") and b"answered" in answer, answer


def test_install_patches_uvicorn_once(monkeypatch):
    original = Server.shutdown
    monkeypatch.setattr(Server, "shutdown", original)
    assert graceful_shutdown.install(1.0) is True
    patched = Server.shutdown
    assert patched is not original and patched.tdah_graceful
    assert graceful_shutdown.install(1.0) is True and Server.shutdown is patched


def test_install_with_no_grace_leaves_uvicorn_alone(monkeypatch):
    original = Server.shutdown
    monkeypatch.setattr(Server, "shutdown", original)
    assert graceful_shutdown.install(0) is True and Server.shutdown is original


class _Transport:
    def __init__(self, closing):
        self.closing = closing

    def is_closing(self):
        return self.closing


class _Connection:
    def __init__(self, cycle, closing=False):
        self.cycle = cycle
        self.transport = _Transport(closing)


CONNECTIONS = [(_Connection(None), True), (_Connection(object()), False), (_Connection(None, closing=True), False)]


@pytest.mark.parametrize("connection, waiting", CONNECTIONS)
def test_awaiting_request(connection, waiting):
    assert graceful_shutdown.awaiting_request(connection) is waiting
