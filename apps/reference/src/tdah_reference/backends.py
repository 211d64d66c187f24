"""PostgreSQL (a psycopg pool on the read-write node) and Redis (the master: found by the Sentinels, or behind a routing port)."""
from __future__ import annotations

import json

import psycopg
from psycopg_pool import ConnectionPool
import redis
from redis.sentinel import Sentinel

from .settings import Settings


class Database:
    def __init__(self, settings: Settings):
        self.pool = ConnectionPool(
            kwargs={**settings.conninfo(), "password": settings.db_password},
            min_size=1, max_size=settings.db_pool_size + settings.db_max_overflow,
            timeout=settings.db_pool_timeout, max_lifetime=settings.db_pool_recycle,
            check=ConnectionPool.check_connection, open=False, name="tdah-reference")

    def open(self) -> None:
        self.pool.open(wait=False)

    def close(self) -> None:
        self.pool.close()

    def stats(self) -> dict:
        stats = self.pool.get_stats()
        return {"size": stats.get("pool_size", 0), "idle": stats.get("pool_available", 0),
                "waiting": stats.get("requests_waiting", 0), "max": self.pool.max_size}

    def check(self) -> dict:
        with self.pool.connection() as conn:
            row = conn.execute("SELECT pg_is_in_recovery(), inet_server_addr()::text, "
                               "(SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid())").fetchone()
        if row[0]:
            raise RuntimeError(f"{row[1]} is in recovery: not the primary")
        return {"server": row[1], "tls": bool(row[2])}

    def fetch_one(self, sql: str, params: tuple = ()) -> dict | None:
        with self.pool.connection() as conn, conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
            cur.execute(sql, params)
            return cur.fetchone()

    def fetch_all(self, sql: str, params: tuple = ()) -> list[dict]:
        with self.pool.connection() as conn, conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
            cur.execute(sql, params)
            return cur.fetchall()


class Cache:
    def __init__(self, settings: Settings):
        tls = {}
        if settings.redis_ssl:
            tls = {"ssl": True, "ssl_cert_reqs": "required", "ssl_check_hostname": True}
            if settings.redis_ssl_ca_certs:
                tls["ssl_ca_certs"] = settings.redis_ssl_ca_certs
        client = {"username": settings.redis_username, "password": settings.redis_password, "socket_timeout": 2,
                  "socket_keepalive": True, "retry_on_timeout": True, "max_connections": settings.redis_max_connections}
        self.name = settings.redis_master_name
        self.direct = settings.redis_host
        if self.direct:
            # A routing port that leads to the master: no Sentinel.
            self.sentinel = None
            self.master = redis.Redis(host=self.direct[0], port=self.direct[1], **client, **tls)
        else:
            self.sentinel = Sentinel(settings.redis_sentinels, socket_timeout=2,
                                     sentinel_kwargs={"password": settings.redis_sentinel_password or None, **tls},
                                     **tls)
            self.master = self.sentinel.master_for(self.name, **client)

    def check(self) -> dict:
        if self.direct:
            # It leads to the master if a write is taken (a replica answers
            # READONLY); the server's own address for this connection is the
            # node behind the routing port. Both need only the application's ACL.
            self.master.set("tdah:health", "1", ex=60)
            return {"master": self.master.client_info()["laddr"], "via": f"{self.direct[0]}:{self.direct[1]}"}
        address = self.sentinel.discover_master(self.name)
        if not self.master.ping():
            raise RuntimeError("the master did not answer PING")
        return {"master": f"{address[0]}:{address[1]}"}

    def get_json(self, key: str):
        value = self.master.get(key)
        return None if value is None else json.loads(value)

    def set_json(self, key: str, value, ttl: int) -> None:
        self.master.set(key, json.dumps(value, default=str), ex=ttl)

    def delete(self, key: str) -> None:
        self.master.delete(key)
