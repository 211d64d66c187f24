"""The record a service declares to load balancers and monitoring."""
from __future__ import annotations

from ansible_collections.tdah.platform.plugins.filter.service_record import service_record


def test_ports_lose_their_sources_and_metrics_get_their_defaults():
    record = service_record(
        [{"name": "postgres", "port": "5432", "from_groups": ["api"]}, {"name": "dns", "ports": [53, "5353"], "proto": "udp"}],
        [{"name": "exporter", "port": "9187"}, {"name": "health", "port": 8008, "path": "/health", "scheme": "https"}],
        [{"unit": "tdah-pg-health.service", "user": "x"}])
    assert record == {
        "ports": [{"name": "postgres", "ports": [5432], "proto": "tcp"}, {"name": "dns", "ports": [53, 5353], "proto": "udp"}],
        "metrics": [{"name": "exporter", "port": 9187, "path": "/metrics", "scheme": "http"},
                    {"name": "health", "port": 8008, "path": "/health", "scheme": "https"}],
        "units": ["tdah-pg-health.service"]}
