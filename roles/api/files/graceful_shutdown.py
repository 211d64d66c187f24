# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A shutdown for uvicorn's servers that answers the requests already on their way.

uvicorn's shutdown stops listening, then closes every connection that has no request in
progress, including one it accepted a moment ago whose request has not arrived yet: that client
sees its connection closed without an answer. gunicorn stops a worker on every graceful reload
and every max_requests restart, so under load that happens. With install(), a server stops
listening first, then waits (at most `grace` seconds) until every connection it accepted has
its request in progress, and only then lets uvicorn shut down: those requests are answered and
the next ones go to the new workers.

The api role's gunicorn.conf.py loads this file in each worker (post_worker_init), never in the
master, so it applies to any application served by uvicorn's workers.
"""
from __future__ import annotations

import asyncio


def awaiting_request(connection) -> bool:
    """Whether a connection was accepted but its request has not started (uvicorn's protocols set
    `cycle` when a request starts; a closing transport needs no answer)."""
    transport = getattr(connection, "transport", None)
    return getattr(connection, "cycle", None) is None and transport is not None and not transport.is_closing()


def graceful(shutdown, grace: float):
    """Wrap uvicorn's Server.shutdown: stop listening, wait for accepted requests, then shut down."""
    async def wrapper(self, sockets=None):
        for server in getattr(self, "servers", []):
            server.close()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        while loop.time() < deadline and any(awaiting_request(c) for c in list(self.server_state.connections)):
            await asyncio.sleep(0.02)
        await shutdown(self, sockets)
    wrapper.tdah_graceful = True
    return wrapper


def install(grace: float) -> bool:
    """Patch uvicorn's Server in this process; False when uvicorn is not there (nothing to do)."""
    try:
        from uvicorn.server import Server  # pylint: disable=import-outside-toplevel
    except ImportError:
        return False
    if grace > 0 and not getattr(Server.shutdown, "tdah_graceful", False):
        Server.shutdown = graceful(Server.shutdown, grace)
    return True
