"""The haproxy role's preflight: each bad setting named with what to fix; the VIP's interface."""
from __future__ import annotations

import pytest

from ansible_collections.tdah.platform.plugins.filter.haproxy_preflight_problems import (
    haproxy_preflight_problems, haproxy_vip_interface, interface_networks)


def _facts(address, prefix="24", name="eth0"):
    return {"interfaces": ["lo", name],
            "lo": {"ipv4": {"address": "127.0.0.1", "netmask": "255.0.0.0"}},
            name.replace("-", "_"): {"ipv4": {"address": address, "netmask": "255.255.255.0", "prefix": prefix},
                                     "ipv6": [{"address": "fd00::11", "prefix": "64", "scope": "global"}]}}


FACTS = {"lb1": _facts("10.89.70.11"), "lb2": _facts("10.89.70.12")}
SETTINGS = {"backends": {"api": ["app1", "app2"], "frontend": ["app1"], "postgres": ["pg1", "pg2"], "redis": ["r1"]},
            "rate_limit": 100, "rate_period": "10s", "hsts_max_age": 63072000,
            "ports": {"haproxy_http_port": 80, "haproxy_https_port": 443, "haproxy_postgres_write_port": 5000,
                      "haproxy_stats_port": 8404},
            "vip": "10.89.70.10", "vrrp_router_id": 51, "vrrp_password": "s3cretpw", "certificates": ["public"],
            "timeouts": {"haproxy_timeout_client": "30s", "haproxy_hard_stop_after": "5m"}}


def test_good_input_has_no_problem():
    assert haproxy_preflight_problems(SETTINGS, FACTS) == []


def test_no_vip_needs_no_vrrp_settings_and_no_second_balancer():
    settings = {**SETTINGS, "vip": "", "vrrp_password": "", "vrrp_router_id": 0}
    assert haproxy_preflight_problems(settings, {"lb1": FACTS["lb1"]}) == []


@pytest.mark.parametrize("change, message", [
    ({"backends": {"api": []}}, "the api backend has no servers: add hosts to its group or turn it off"),
    ({"rate_limit": 0}, "haproxy_rate_limit must be a positive number of requests per source and period (is 0)"),
    ({"rate_limit": "many"}, "haproxy_rate_limit must be a positive number"),
    ({"rate_limit": True}, "haproxy_rate_limit must be a positive number"),
    ({"rate_period": "0s"}, "haproxy_rate_period must be a duration like 10s (is '0s')"),
    ({"rate_period": "ten"}, "haproxy_rate_period must be a duration like 10s"),
    ({"hsts_max_age": 86400}, "haproxy_hsts_max_age must be at least 31536000 seconds, the seed's year (is 86400)"),
    ({"ports": {"haproxy_http_port": 80, "haproxy_https_port": 80}},
     "haproxy_http_port and haproxy_https_port are the same port (80): give each its own"),
    ({"ports": {"haproxy_stats_port": 70000}}, "haproxy_stats_port must be a port from 1 to 65535 (is 70000)"),
    ({"certificates": []}, "haproxy_certificates is empty"),
    ({"certificates": ["../etc/passwd"]}, "haproxy_certificates: '../etc/passwd' must be a certificate name"),
    ({"timeouts": {"haproxy_timeout_client": "soon"}}, "haproxy_timeout_client must be a duration like 30s (is 'soon')"),
    ({"vip": "10.9.9.9"}, "haproxy_vip 10.9.9.9 is in no network of lb1's interfaces (eth0 10.89.70.0/24, eth0 fd00::/64)"),
    ({"vip": "not-an-ip"}, "haproxy_vip must be an IP address (is 'not-an-ip')"),
    ({"vip": "127.0.0.5"}, "haproxy_vip 127.0.0.5 cannot be reached by clients"),
    ({"vrrp_router_id": 256}, "haproxy_vrrp_router_id must be from 1 to 255 (is 256)"),
    ({"vrrp_password": ""}, "haproxy_vrrp_password is empty: set it from Vault"),
    ({"vrrp_password": "123456789"}, "haproxy_vrrp_password must be at most 8 characters (VRRP ignores the rest; is 9)"),
    ({"vrrp_password": "a b"}, "haproxy_vrrp_password must not hold a quote"),
])
def test_each_bad_setting_is_named(change, message):
    problems = haproxy_preflight_problems({**SETTINGS, **change}, FACTS)
    assert [p for p in problems if message in p], problems


def test_a_vip_needs_two_load_balancers():
    problems = haproxy_preflight_problems(SETTINGS, {"lb1": FACTS["lb1"]})
    assert problems == ["haproxy_vip needs at least two load balancers to move between (the group has 1)"]


def test_every_problem_is_reported_at_once_and_no_secret_in_them():
    settings = {**SETTINGS, "backends": {"api": []}, "rate_limit": 0, "vrrp_password": "far-too-long-secret"}
    problems = haproxy_preflight_problems(settings, FACTS)
    assert len(problems) == 3, problems
    assert not [p for p in problems if "far-too-long-secret" in p]


@pytest.mark.parametrize("vip, interface", [
    ("10.89.70.10", "eth0"), ("fd00::10", "eth0"), ("10.89.71.10", ""), ("10.89.70.0", ""), ("bogus", ""),
])
def test_vip_interface(vip, interface):
    assert haproxy_vip_interface(FACTS["lb1"], vip) == interface


def test_interface_names_with_dashes_and_secondaries():
    facts = _facts("192.0.2.11", name="br-lan")
    facts["br_lan"]["ipv4_secondaries"] = [{"address": "198.51.100.11", "netmask": "255.255.255.0"}]
    assert [str(network) for name, network in interface_networks(facts) if name == "br-lan"] == ["192.0.2.0/24", "198.51.100.0/24", "fd00::/64"]
    assert haproxy_vip_interface(facts, "198.51.100.10") == "br-lan"
