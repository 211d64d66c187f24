"""The ASGI app with stand-ins for PostgreSQL and Redis: health verdicts, metrics, cache use."""
from __future__ import annotations

import datetime

import pytest
from starlette.testclient import TestClient

from tdah_reference import __version__
from tdah_reference.app import create_app
from tdah_reference.health import run_checks
from tdah_reference.settings import load
from test_settings import GOOD


class FakeDatabase:
    def __init__(self):
        self.down = None
        self.users = {}
        self.messages = []
        self.queries = 0

    def open(self):
        pass

    def close(self):
        pass

    def stats(self):
        return {"size": 2, "idle": 1, "waiting": 0, "max": 50}

    def check(self):
        if self.down:
            raise RuntimeError(self.down)
        return {"server": "10.0.0.41", "tls": True}

    def fetch_one(self, sql, params=()):
        self.queries += 1
        if sql.startswith("INSERT INTO users"):
            known = [u["id"] for u in self.users.values() if u["email"] == params[0]]
            user_id = known[0] if known else len(self.users) + 1
            user = {"id": user_id, "email": params[0], "name": params[1], "phone_number": params[2]}
            self.users[user["id"]] = user
            return user
        if sql.startswith("SELECT id, email"):
            return self.users.get(params[0])
        if sql.startswith("WITH state"):
            if params[0] not in self.users:
                return None
            row = {"id": len(self.messages) + 1, "conversation_id": params[0], "role": params[1],
                   "content": params[2], "timestamp": datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)}
            self.messages.append(row)
            return row
        raise AssertionError(sql)

    def fetch_all(self, sql, params=()):
        self.queries += 1
        return [m for m in self.messages if m["conversation_id"] == params[0]][::-1]


class FakeCache:
    def __init__(self):
        self.down = None
        self.data = {}
        self.ttls = {}

    def check(self):
        if self.down:
            raise ConnectionError(self.down)
        return {"master": "10.0.0.51:6379"}

    def get_json(self, key):
        return self.data.get(key)

    def set_json(self, key, value, ttl):
        self.data[key] = value
        self.ttls[key] = ttl

    def delete(self, key):
        self.data.pop(key, None)


@pytest.fixture()
def world():
    database, cache = FakeDatabase(), FakeCache()
    with TestClient(create_app(load(GOOD, __version__), database, cache)) as client:
        yield client, database, cache


def test_healthy_when_both_checks_pass(world):
    client = world[0]
    answer = client.get("/health/overall")
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "healthy" and body["version"] == __version__ and body["failed"] == []
    assert body["checks"]["database"]["tls"] is True


@pytest.mark.parametrize("broken", ["database", "redis"])
def test_unhealthy_names_the_failed_dependency(world, broken):
    client, database, cache = world
    (database if broken == "database" else cache).down = "connection refused"
    answer = client.get("/health/overall")
    assert answer.status_code == 503
    body = answer.json()
    assert body["failed"] == [broken] and "connection refused" in body["checks"][broken]["error"]
    other = "redis" if broken == "database" else "database"
    assert body["checks"][other]["status"] == "ok"


def test_database_health_and_pool(world):
    client, database = world[0], world[1]
    assert client.get("/health/database").json()["pool"]["max"] == 50
    database.down = "timeout"
    assert client.get("/health/database").status_code == 503


def test_metrics_count_requests_by_route_and_status(world):
    client = world[0]
    client.get("/api/users/999")
    client.get("/api/users/998")
    text = client.get("/health/database/performance").text
    assert 'http_requests_total{method="GET",route="/api/users/{user_id:int}",status="404"}' in text
    assert "http_request_duration_seconds_bucket" in text and "database_pool_connections" in text
    assert "database_health_status" in text


def test_a_user_is_cached_with_the_seed_ttl_and_invalidated_on_update(world):
    client, database, cache = world
    created = client.post("/api/users", json={"email": "Ada@Example.org", "name": "Ada"})
    assert created.status_code == 201 and created.json()["email"] == "ada@example.org"
    user_id = created.json()["id"]
    first = client.get(f"/api/users/{user_id}")
    second = client.get(f"/api/users/{user_id}")
    assert first.headers["x-cache"] == "miss" and second.headers["x-cache"] == "hit"
    assert cache.ttls[f"user_profile:{user_id}"] == 3600
    client.post("/api/users", json={"email": "ada@example.org", "name": "Ada L."})
    assert f"user_profile:{user_id}" not in cache.data


def test_messages_and_conversation(world):
    client, cache = world[0], world[2]
    user_id = client.post("/api/users", json={"email": "b@example.org"}).json()["id"]
    assert client.post(f"/api/users/{user_id}/messages", json={"content": "hello"}).status_code == 201
    conversation = client.get(f"/api/users/{user_id}/conversation").json()
    assert [m["content"] for m in conversation["messages"]] == ["hello"]
    assert cache.ttls[f"conversation:{user_id}"] == 300
    assert client.post(f"/api/users/{user_id}/messages", json={"content": ""}).status_code == 400
    assert client.post("/api/users/4242/messages", json={"content": "x"}).status_code == 404


def test_bad_bodies_are_refused(world):
    client, database = world[0], world[1]
    assert client.post("/api/users", content=b"not json").status_code == 400
    assert client.post("/api/users", json={"email": "nobody"}).status_code == 400
    assert database.queries == 0


def test_run_checks_times_each_check():
    ticks = iter([0.0, 0.5, 1.0, 1.25])
    verdict = run_checks({"a": lambda: {"x": 1}, "b": lambda: 1 / 0}, clock=lambda: next(ticks))
    assert verdict["status"] == "unhealthy" and verdict["failed"] == ["b"]
    assert verdict["checks"]["a"] == {"status": "ok", "x": 1, "seconds": 0.5}
    assert verdict["checks"]["b"]["error"].startswith("ZeroDivisionError")
