# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A shutdown for uvicorn's servers that answers the requests already on their way.

uvicorn's shutdown stops listening, then closes every connection that has no request in
progress: one it accepted a moment ago whose request has not arrived yet, and every idle
keep-alive connection, on which the client may be sending its next request at that moment.
Those clients see their connection closed without an answer. gunicorn stops a worker on every
graceful reload and every max_requests restart, so under load (and behind a load balancer that
keeps its connections to the servers open) that happens many times a minute.

With install(), a server that shuts down:
1. stops listening (new connections go to the other workers, or the new ones);
2. answers every request from then on with `Connection: close`, and closes that connection
   once its answer is sent, so the client knows not to send another request on it;
3. waits (at most `grace` seconds) until every connection is closed that way, whether its
   request was in progress, on its way, or the next one on a keep-alive connection;
4. only then lets uvicorn shut down: it closes what is still idle after the grace (a client
   silent for that long is not sending) and waits for the requests in progress.

The api role's gunicorn.conf.py loads this file in each worker (post_worker_init), never in the
master, so it applies to any application served by uvicorn's workers (h11 or httptools).
"""
from __future__ import annotations

import asyncio

CLOSE_HEADER = (b"connection", b"close")
# One server per worker process: the flag that its shutdown has begun.
STATE = {"closing": False}


def awaiting_request(connection) -> bool:
    """Whether a connection is still open and may yet bring a request (its transport is not
    closing: uvicorn closes it after an answer sent with Connection: close)."""
    transport = getattr(connection, "transport", None)
    return transport is not None and not transport.is_closing()


def closing_headers(message: dict) -> dict:
    """The response start message with Connection: close (unless it says so already)."""
    headers = list(message.get("headers", []))
    if not any(name.lower() == b"connection" and value.lower() == b"close" for name, value in headers):
        headers.append(CLOSE_HEADER)
    return {**message, "headers": headers}


def closing_send(send):
    """Wrap a request cycle's ASGI send: once the shutdown began, every answer closes its connection."""
    async def wrapper(self, message):
        if STATE["closing"] and message.get("type") == "http.response.start" and not self.response_started:
            self.keep_alive = False
            message = closing_headers(message)
        await send(self, message)
    wrapper.tdah_graceful = True
    return wrapper


def graceful(shutdown, grace: float):
    """Wrap uvicorn's Server.shutdown: stop listening, answer and close every connection, then shut down."""
    async def wrapper(self, sockets=None):
        STATE["closing"] = True
        for server in getattr(self, "servers", []):
            server.close()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        while loop.time() < deadline and any(awaiting_request(c) for c in list(self.server_state.connections)):
            await asyncio.sleep(0.02)
        await shutdown(self, sockets)
    wrapper.tdah_graceful = True
    return wrapper


def _cycles():
    """uvicorn's request cycle classes that are importable here (httptools is optional)."""
    classes = []
    for module in ("uvicorn.protocols.http.h11_impl", "uvicorn.protocols.http.httptools_impl"):
        try:
            classes.append(__import__(module, fromlist=["RequestResponseCycle"]).RequestResponseCycle)
        except ImportError:
            continue
    return classes


def install(grace: float) -> bool:
    """Patch uvicorn's Server and request cycles in this process; False when uvicorn is not there."""
    try:
        from uvicorn.server import Server  # pylint: disable=import-outside-toplevel
    except ImportError:
        return False
    if grace > 0 and not getattr(Server.shutdown, "tdah_graceful", False):
        Server.shutdown = graceful(Server.shutdown, grace)
        for cycle in _cycles():
            if not getattr(cycle.send, "tdah_graceful", False):
                cycle.send = closing_send(cycle.send)
    return True
