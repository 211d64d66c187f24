"""The ASGI application: health endpoints, metrics, and the seed's users and conversations."""
from __future__ import annotations

import contextlib
import time

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import __version__, metrics
from .health import run_checks
from .settings import Settings

MAX_TEXT = 4000


class MetricsMiddleware:  # pylint: disable=too-few-public-methods
    """Counts every request by its route template (not its path: no unbounded label values)."""

    def __init__(self, app, routes: dict | None = None):
        self.app = app
        self.routes = routes or {}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = {"code": 500}

        async def send_status(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)
        try:
            await self.app(scope, receive, send_status)
        finally:
            route = self.routes.get(scope.get("endpoint"), "unmatched")
            metrics.observe(scope["method"], route, status["code"], time.perf_counter() - start)


def _bad(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def create_app(settings: Settings, database, cache) -> Starlette:
    """database and cache: backends.Database and backends.Cache, or stand-ins with the same methods."""

    def overall(request: Request) -> JSONResponse:
        verdict = run_checks({"database": database.check, "redis": cache.check})
        metrics.DATABASE_HEALTH.set(0 if "database" in verdict["failed"] else 1)
        body = {"version": __version__, "environment": settings.environment, **verdict}
        return JSONResponse(body, status_code=200 if verdict["status"] == "healthy" else 503)

    def database_health(request: Request) -> JSONResponse:
        verdict = run_checks({"database": database.check})
        metrics.DATABASE_HEALTH.set(0 if verdict["failed"] else 1)
        verdict["pool"] = database.stats()
        return JSONResponse(verdict, status_code=200 if verdict["status"] == "healthy" else 503)

    def performance(request: Request) -> Response:
        stats = database.stats()
        metrics.POOL_SIZE.set(stats["size"])
        metrics.POOL_IDLE.set(stats["idle"])
        metrics.POOL_WAITING.set(stats["waiting"])
        body, content_type = metrics.render()
        return Response(body, media_type=content_type)

    def version(request: Request) -> JSONResponse:
        return JSONResponse({"version": __version__})

    async def create_user(request: Request) -> JSONResponse:
        try:
            data = await request.json()
        except ValueError:
            return _bad("the body must be JSON")
        email = str(data.get("email", "")).strip().lower() if isinstance(data, dict) else ""
        if "@" not in email or len(email) > 254:
            return _bad("email must be an e-mail address")
        name = str(data.get("name") or "")[:200]
        phone = str(data.get("phone_number") or "")[:32] or None
        # The drivers block: off the event loop, in the thread pool.
        row = await run_in_threadpool(
            database.fetch_one,
            "INSERT INTO users (email, name, phone_number) VALUES (%s, %s, %s) "
            "ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name, phone_number = EXCLUDED.phone_number, "
            "updated_at = now() RETURNING id, email, name, phone_number", (email, name, phone))
        await run_in_threadpool(cache.delete, f"user_profile:{row['id']}")
        return JSONResponse(row, status_code=201)

    def cached(kind: str, key: str, load) -> JSONResponse:
        """Cache-aside with the seed's TTL of `kind`; load() gives the body, or None for 404."""
        hit = cache.get_json(f"{kind}:{key}")
        if hit is not None:
            return JSONResponse(hit, headers={"X-Cache": "hit"})
        body = load()
        if body is None:
            return _bad("not found", 404)
        cache.set_json(f"{kind}:{key}", body, settings.cache_ttl[kind])
        return JSONResponse(body, headers={"X-Cache": "miss"})

    def get_user(request: Request) -> JSONResponse:
        user_id = request.path_params["user_id"]
        return cached("user_profile", user_id, lambda: database.fetch_one(
            "SELECT id, email, name, phone_number FROM users WHERE id = %s", (user_id,)))

    async def add_message(request: Request) -> JSONResponse:
        user_id = request.path_params["user_id"]
        try:
            data = await request.json()
        except ValueError:
            return _bad("the body must be JSON")
        content = str(data.get("content", "")) if isinstance(data, dict) else ""
        role = str(data.get("role", "user")) if isinstance(data, dict) else "user"
        if not content or len(content) > MAX_TEXT or role not in ("user", "assistant", "system"):
            return _bad(f"content must be 1 to {MAX_TEXT} characters and role user, assistant or system")
        row = await run_in_threadpool(
            database.fetch_one,
            "WITH state AS (INSERT INTO conversation_states (user_id) SELECT id FROM users WHERE id = %s "
            "ON CONFLICT (user_id) DO UPDATE SET updated_at = now() RETURNING id) "
            "INSERT INTO conversation_messages (conversation_id, role, content) SELECT id, %s, %s FROM state "
            "RETURNING id, conversation_id, role, content, timestamp", (user_id, role, content))
        if row is None:
            return _bad("no such user", 404)
        await run_in_threadpool(cache.delete, f"conversation:{user_id}")
        return JSONResponse({**row, "timestamp": row["timestamp"].isoformat()}, status_code=201)

    def get_conversation(request: Request) -> JSONResponse:
        user_id = request.path_params["user_id"]

        def load() -> dict:
            rows = database.fetch_all(
                "SELECT m.id, m.role, m.content, m.timestamp FROM conversation_messages m "
                "JOIN conversation_states s ON s.id = m.conversation_id WHERE s.user_id = %s "
                "ORDER BY m.timestamp DESC, m.id DESC LIMIT 50", (user_id,))
            return {"user_id": user_id, "messages": [{**r, "timestamp": r["timestamp"].isoformat()} for r in rows]}
        return cached("conversation", user_id, load)

    @contextlib.asynccontextmanager
    async def lifespan(app_):
        database.open()
        try:
            yield
        finally:
            database.close()

    routes = [
        Route("/health/overall", overall),
        Route("/health/database", database_health),
        Route("/health/database/performance", performance),
        Route("/api/version", version),
        Route("/api/users", create_user, methods=["POST"]),
        Route("/api/users/{user_id:int}", get_user),
        Route("/api/users/{user_id:int}/messages", add_message, methods=["POST"]),
        Route("/api/users/{user_id:int}/conversation", get_conversation),
    ]
    app = Starlette(debug=settings.debug, routes=routes, lifespan=lifespan)
    app.add_middleware(MetricsMiddleware, routes={route.endpoint: route.path for route in routes})
    return app
