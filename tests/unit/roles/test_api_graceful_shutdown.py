"""The api role's graceful shutdown for uvicorn's workers (roles/api/files/graceful_shutdown.py):
a request that arrives just after a worker's shutdown began, on a connection the worker had
accepted or on an idle keep-alive connection, is answered with Connection: close. uvicorn's own
shutdown closes those connections unanswered: the controls that show the cases are real and that
the tests can fail."""
from __future__ import annotations

import asyncio
import importlib.util
import socket

import pytest
from uvicorn.config import Config
from uvicorn.protocols.http import h11_impl
from uvicorn.server import Server

from conftest import ROOT

SPEC = importlib.util.spec_from_file_location("graceful_shutdown", ROOT / "roles/api/files/graceful_shutdown.py")
graceful_shutdown = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(graceful_shutdown)


async def _app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"content-length", b"8")]})
    await send({"type": "http.response.body", "body": b"answered"})


async def _until(predicate, seconds: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.01)


async def _serve(server_class):
    """A server on a free loopback port, started; (server, its task, port)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    port = sock.getsockname()[1]
    server = server_class(Config(app=_app, lifespan="off", http="h11", log_level="warning"))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    await _until(lambda: server.started)
    return server, serving, port


async def _shutdown_then_request(server, serving, reader, writer) -> bytes:
    """Let the shutdown begin, then send a request on the open connection; what comes back."""
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


async def _late_request(server_class) -> bytes:
    """Connect, let the shutdown begin, then send the first request."""
    server, serving, port = await _serve(server_class)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await _until(lambda: len(server.server_state.connections) == 1)
    return await _shutdown_then_request(server, serving, reader, writer)


async def _next_keepalive_request(server_class) -> tuple:
    """A first request answered on a keep-alive connection; the shutdown begins; the next request."""
    server, serving, port = await _serve(server_class)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET / HTTP/1.1\r\nHost: api\r\n\r\n")
    await writer.drain()
    first = await asyncio.wait_for(reader.readuntil(b"answered"), 5)
    return first, await _shutdown_then_request(server, serving, reader, writer)


class GracefulServer(Server):
    pass


GracefulServer.shutdown = graceful_shutdown.graceful(Server.shutdown, 1.0)


@pytest.fixture(name="patched_cycles")
def fixture_patched_cycles(monkeypatch):
    """uvicorn's h11 request cycle answers with Connection: close once the shutdown began."""
    monkeypatch.setattr(h11_impl.RequestResponseCycle, "send",
                        graceful_shutdown.closing_send(h11_impl.RequestResponseCycle.send))
    monkeypatch.setitem(graceful_shutdown.STATE, "closing", False)


@pytest.fixture(name="stock_cycles")
def fixture_stock_cycles(monkeypatch):
    monkeypatch.setitem(graceful_shutdown.STATE, "closing", False)


def test_uvicorn_s_own_shutdown_closes_a_connection_whose_request_is_late(stock_cycles):
    assert asyncio.run(_late_request(Server)) == b""


def test_the_graceful_shutdown_answers_it_then_closes(patched_cycles):
    answer = asyncio.run(_late_request(GracefulServer))
    # Answered, then closed (reader.read() returned): the next request goes to a new worker.
    assert answer.startswith(b"HTTP/1.1 200") and b"answered" in answer, answer
    assert b"connection: close" in answer.lower(), answer


def test_uvicorn_s_own_shutdown_closes_an_idle_keepalive_connection_under_the_next_request(stock_cycles):
    first, answer = asyncio.run(_next_keepalive_request(Server))
    assert first.startswith(b"HTTP/1.1 200") and b"connection: close" not in first.lower(), first
    assert answer == b""


def test_the_graceful_shutdown_answers_the_next_keepalive_request_with_connection_close(patched_cycles):
    first, answer = asyncio.run(_next_keepalive_request(GracefulServer))
    assert first.startswith(b"HTTP/1.1 200") and b"connection: close" not in first.lower(), first
    assert answer.startswith(b"HTTP/1.1 200") and b"answered" in answer, answer
    assert b"connection: close" in answer.lower(), answer


def test_closing_headers_adds_connection_close_once():
    message = {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]}
    closed = graceful_shutdown.closing_headers(message)
    assert closed["headers"] == [(b"content-type", b"text/plain"), (b"connection", b"close")]
    assert message["headers"] == [(b"content-type", b"text/plain")]
    assert graceful_shutdown.closing_headers(closed)["headers"] == closed["headers"]
    assert graceful_shutdown.closing_headers({"headers": [(b"Connection", b"Close")]})["headers"] == [
        (b"Connection", b"Close")]


def test_install_patches_uvicorn_once(monkeypatch):
    monkeypatch.setattr(Server, "shutdown", Server.shutdown)
    monkeypatch.setattr(h11_impl.RequestResponseCycle, "send", h11_impl.RequestResponseCycle.send)
    original, original_send = Server.shutdown, h11_impl.RequestResponseCycle.send
    assert graceful_shutdown.install(1.0) is True
    patched, patched_send = Server.shutdown, h11_impl.RequestResponseCycle.send
    assert patched is not original and patched.tdah_graceful
    assert patched_send is not original_send and patched_send.tdah_graceful
    assert graceful_shutdown.install(1.0) is True and Server.shutdown is patched
    assert h11_impl.RequestResponseCycle.send is patched_send


def test_install_with_no_grace_leaves_uvicorn_alone(monkeypatch):
    monkeypatch.setattr(Server, "shutdown", Server.shutdown)
    monkeypatch.setattr(h11_impl.RequestResponseCycle, "send", h11_impl.RequestResponseCycle.send)
    original, original_send = Server.shutdown, h11_impl.RequestResponseCycle.send
    assert graceful_shutdown.install(0) is True and Server.shutdown is original
    assert h11_impl.RequestResponseCycle.send is original_send


class _Transport:
    def __init__(self, closing):
        self.closing = closing

    def is_closing(self):
        return self.closing


class _Connection:
    def __init__(self, cycle, closing=False):
        self.cycle = cycle
        self.transport = _Transport(closing)


CONNECTIONS = [(_Connection(None), True), (_Connection(object()), True), (_Connection(None, closing=True), False),
               (_Connection(object(), closing=True), False)]


@pytest.mark.parametrize("connection, waiting", CONNECTIONS)
def test_awaiting_request(connection, waiting):
    assert graceful_shutdown.awaiting_request(connection) is waiting
