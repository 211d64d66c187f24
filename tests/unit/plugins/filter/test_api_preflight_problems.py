"""api_preflight_problems: the api role's bad input, named before anything changes."""
from __future__ import annotations

import pytest

from ansible_collections.tdah.platform.plugins.filter.api_preflight_problems import (
    api_dependencies_differ, api_preflight_problems, api_prune, api_target)

LENGTHS = {"JWT_SECRET_KEY": 64, "ENCRYPTION_KEY": 32, "SESSION_SECRET": 32, "REDIS_PASSWORD": 32}
GOOD = {
    "environment": "production", "debug": False, "min_lengths": LENGTHS,
    "secrets": {"JWT_SECRET_KEY": "j" * 64, "ENCRYPTION_KEY": "e" * 32, "SESSION_SECRET": "s" * 32,
                "REDIS_PASSWORD": "r" * 32},
    "db_password": "d" * 20, "owner_password": "o" * 20, "password_min_length": 16,
    "release": {"version": "0.1.0", "source": "/src/app", "wheelhouse": ""}, "releases_keep": 3,
    "workers": 4, "max_requests": 1000, "max_requests_jitter": 100, "port": 8000,
    "db_ssl_mode": "verify-full", "db_client_certificate": "api-postgres", "db_hosts": ["pg1"],
    "redis_sentinels": ["redis1:26379"], "db_user": "app_user", "ca_allowed_names": ["app_user"],
}


def test_good_input_has_no_problem():
    assert api_preflight_problems(GOOD) == []


@pytest.mark.parametrize("change, message", [
    ({"secrets": {**GOOD["secrets"], "JWT_SECRET_KEY": "j" * 63}}, "JWT_SECRET_KEY must be at least 64 characters (is 63)"),
    ({"secrets": {**GOOD["secrets"], "SESSION_SECRET": None}}, "SESSION_SECRET must be at least 32"),
    ({"secrets": {**GOOD["secrets"], "ENCRYPTION_KEY": "e" * 31 + "'"}}, "ENCRYPTION_KEY must not hold a quote"),
    ({"debug": True}, "api_debug must be false in production"),
    ({"db_ssl_mode": "require"}, "api_db_ssl_mode must be verify-full"),
    ({"db_client_certificate": ""}, "api_db_client_certificate must name"),
    ({"db_password": "short"}, "PostgreSQL db password must be at least 16"),
    ({"owner_password": "o" * 20 + "$x"}, "PostgreSQL owner password must not hold"),
    ({"db_hosts": []}, "api_db_hosts is empty"),
    ({"redis_sentinels": []}, "api_redis_sentinels is empty"),
    ({"redis_host": "10.0.0.10"}, "api_redis_host must be one address as host:port"),
    ({"redis_host": "10.0.0.10:6380,10.0.0.11:6380"}, "api_redis_host must be one address"),
    ({"release": {"version": "", "source": "/src"}}, "api_release_version must be a version"),
    ({"release": {"version": "1.0", "source": "", "wheelhouse": ""}}, "give api_release_source"),
    ({"releases_keep": 1}, "api_releases_keep must be at least 2"),
    ({"workers": 0}, "api_workers must be an integer from 1 to 64"),
    ({"sentinel_password": "x'y"}, "api_redis_sentinel_password must not hold"),
    ({"extra_environment": {"lower": "x"}}, "api_extra_environment: lower must be"),
    ({"extra_environment": {"FEATURE": "a$b"}}, "api_extra_environment: FEATURE must be"),
    ({"port": "http"}, "api_port must be an integer"),
    ({"ca_allowed_names": []}, "tls_ca_allowed_names must hold app_user"),
    ({"ca_allowed_names": ["DNS:app_owner"]}, "tls_ca_allowed_names must hold app_user"),
])
def test_each_problem_is_named(change, message):
    problems = api_preflight_problems({**GOOD, **change})
    assert any(message in problem for problem in problems), problems


def test_the_database_user_may_be_allowed_with_its_dns_prefix():
    assert api_preflight_problems({**GOOD, "ca_allowed_names": ["IP:10.0.0.9", "DNS:app_user"]}) == []


def test_debug_is_allowed_outside_production():
    assert api_preflight_problems({**GOOD, "environment": "staging", "debug": True}) == []


def test_api_target_names_python_and_architecture():
    facts = {"python": {"version": {"major": 3, "minor": 11, "micro": 2}}, "architecture": "aarch64"}
    assert api_target(facts) == "3.11.2-aarch64"


def test_api_prune_keeps_the_newest_and_never_the_current_or_new_release():
    releases = [{"path": f"/opt/a/releases/{v}", "mtime": m} for v, m in
                (("0.1", 1), ("0.2", 2), ("0.3", 3), ("0.4", 4), ("0.5", 5))]
    # 0.1 is current (oldest), 0.5 new: keep 3 = those two and the newest other (0.4).
    doomed = api_prune(releases, 3, ["/opt/a/releases/0.5", "/opt/a/releases/0.1"], "/opt/a")
    assert doomed == ["/opt/a/releases/0.3", "/opt/a/wheelhouse/0.3", "/opt/a/releases/0.2", "/opt/a/wheelhouse/0.2"]
    assert api_prune(releases[:2], 3, ["/opt/a/releases/0.2", ""], "/opt/a") == []


def _sums(*lines):
    import base64
    return {"content": base64.b64encode("".join(f"{line}\n" for line in lines).encode()).decode()}


def test_only_a_new_application_wheel_is_a_reload():
    old = _sums("aa  tdah_reference-0.1.0-py3-none-any.whl", "bb  uvicorn-0.34.3-py3-none-any.whl")
    new = _sums("cc  tdah_reference-0.2.0-py3-none-any.whl", "bb  uvicorn-0.34.3-py3-none-any.whl")
    upgraded = _sums("cc  tdah_reference-0.2.0-py3-none-any.whl", "dd  uvicorn-0.35.0-py3-none-any.whl")
    assert api_dependencies_differ([old, new], "tdah-reference") is False
    assert api_dependencies_differ([old, upgraded], "tdah-reference") is True
    assert api_dependencies_differ([old, {"failed": True}], "tdah-reference") is True
    assert api_dependencies_differ([new], "tdah-reference") is False


def test_a_routing_port_replaces_the_sentinels():
    assert api_preflight_problems({**GOOD, "redis_sentinels": [], "redis_host": "[fd00::10]:6380"}) == []
    assert api_preflight_problems({**GOOD, "redis_sentinels": [], "redis_host": "vip.example.org:6380"}) == []
