"""Prometheus metrics. Under gunicorn every worker is a process of its own: with
PROMETHEUS_MULTIPROC_DIR set (the api role's unit sets it), the scrape adds up
every worker's figures."""
from __future__ import annotations

import os

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

REQUESTS = Counter("http_requests_total", "HTTP requests by method, route and status", ["method", "route", "status"])
DURATION = Histogram("http_request_duration_seconds", "HTTP request duration by route", ["method", "route"],
                     buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0))
DATABASE_HEALTH = Gauge("database_health_status", "1 when this worker's last database check passed",
                        multiprocess_mode="livemostrecent")
POOL_SIZE = Gauge("database_pool_connections", "Connections the pools hold", multiprocess_mode="livesum")
POOL_IDLE = Gauge("database_pool_connections_idle", "Idle connections in the pools", multiprocess_mode="livesum")
POOL_WAITING = Gauge("database_pool_requests_waiting", "Requests waiting for a connection", multiprocess_mode="livesum")


def observe(method: str, route: str, status: int, seconds: float) -> None:
    REQUESTS.labels(method, route, str(status)).inc()
    DURATION.labels(method, route).observe(seconds)


def render() -> tuple[bytes, str]:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess  # pylint: disable=import-outside-toplevel
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    from prometheus_client import REGISTRY  # pylint: disable=import-outside-toplevel
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
