"""The tls role's preflight: each problem its argument spec cannot say, with what to fix."""
from __future__ import annotations

import pytest

from ansible_collections.tdah.platform.plugins.filter.tls_preflight_problems import preflight_problems

SETTINGS = {"renew_remaining_fraction": 0.3333, "ca_validity_days": 3650, "validity_days": 365, "ca_host": "localhost",
            "ca_name": "tdah-internal-ca", "ca_passphrase": "", "renewal_timer_enabled": False,
            "renewal_timer_directory": "", "renewal_timer_command": ["ansible-playbook"],
            "acme": {"contact": ["mailto:ops@example.org"], "terms_agreed": True},
            "crl": {"url": "http://app.example.org/tdah-internal-ca.crl", "validity_days": 30, "renew_days": 10}}
HOSTS = ["web1", "ca1", "lb1"]


def _cert(**values):
    cert = {"name": "web", "usage": "server", "provider": "ownca", "sans": ["DNS:web1"], "dns_names": ["web1"],
            "ip_addresses": [], "acme_challenge_hosts": ["web1"]}
    cert.update(values)
    return cert


def test_good_input_has_no_problem():
    assert preflight_problems([{"name": "web"}], [_cert()], SETTINGS, HOSTS) == []


def test_no_crl_needs_no_crl_settings():
    assert preflight_problems([{"name": "web"}], [_cert()], {**SETTINGS, "crl": {"url": ""}}, HOSTS) == []


@pytest.mark.parametrize("change, message", [
    ({"renew_remaining_fraction": 1.5}, "tls_renew_remaining_fraction must be between 0 and 1 (is 1.5)"),
    ({"ca_validity_days": 365}, "tls_ca_validity_days (365) must be longer than tls_validity_days (365)"),
    ({"ca_host": "ghost"}, "tls_ca_host 'ghost' is neither localhost (the controller) nor a host of the inventory"),
    ({"ca_name": "Bad Name"}, "tls_ca_name 'Bad Name' must be a file base name"),
    ({"ca_passphrase": "short"}, "tls_ca_passphrase must be empty or at least 16 characters long"),
    ({"renewal_timer_enabled": True, "renewal_timer_directory": "/srv/ops"}, "tls_renewal_timer_enabled needs tls_ca_host to be an inventory host"),
    ({"renewal_timer_enabled": True, "ca_host": "ca1", "renewal_timer_directory": "ops"},
     "tls_renewal_timer_directory must be the absolute path of the project checkout on the CA host (is 'ops')"),
    ({"renewal_timer_enabled": True, "ca_host": "ca1", "renewal_timer_directory": "/srv/ops", "renewal_timer_command": []},
     "tls_renewal_timer_command must not be empty"),
    ({"crl": {"url": "https://app.example.org/ca.crl", "validity_days": 30, "renew_days": 10}},
     "tls_crl_url must be an http:// URL with a path"),
    ({"crl": {"url": "http://app.example.org/", "validity_days": 30, "renew_days": 10}}, "tls_crl_url must be an http:// URL"),
    ({"crl": {"url": "http://app.example.org/ca.crl", "validity_days": 10, "renew_days": 10}},
     "tls_crl_renew_days (10) must be at least 1 and less than tls_crl_validity_days (10)"),
])
def test_each_bad_setting_is_named(change, message):
    problems = preflight_problems([{"name": "web"}], [_cert()], {**SETTINGS, **change}, HOSTS)
    assert [p for p in problems if message in p], problems


@pytest.mark.parametrize("requested, message", [
    ([{"name": "web"}, {"name": "web"}], "certificate 'web' is requested twice"),
    ([{"name": "Web Cert"}], "certificate 'Web Cert': the name must be a file base name"),
    ([{"name": "tdah-internal-ca"}], "certificate 'tdah-internal-ca': the name is the CA file name (tls_ca_name)"),
    ([{"name": "web", "validity_days": 0}], "certificate 'web': validity_days must be at least 1"),
    ([{"name": "web", "ip_addresses": ["10.0.0.300"]}], "'10.0.0.300' in ip_addresses is not an IP address"),
    ([{"name": "web", "ip_addresses": ["10.0.0.0/24"]}], "'10.0.0.0/24' in ip_addresses is not an IP address"),
])
def test_each_bad_request_is_named(requested, message):
    problems = preflight_problems(requested, [], SETTINGS, HOSTS)
    assert [p for p in problems if message in p], problems


@pytest.mark.parametrize("cert, settings, message", [
    (_cert(sans=[]), SETTINGS, "certificate 'web': a server certificate needs at least one name"),
    (_cert(provider="acme"), {**SETTINGS, "acme": {"contact": [], "terms_agreed": True}}, "ACME needs an account contact"),
    (_cert(provider="acme"), {**SETTINGS, "acme": {"contact": ["ops@example.org"], "terms_agreed": True}},
     "ACME needs an account contact"),
    (_cert(provider="acme"), {**SETTINGS, "acme": {"contact": ["mailto:ops@example.org"], "terms_agreed": False}},
     "ACME needs tls_acme_terms_agreed: true"),
    (_cert(provider="acme", dns_names=[]), SETTINGS, "an ACME certificate needs dns_names"),
    (_cert(provider="acme", ip_addresses=["10.0.0.1"]), SETTINGS, "an ACME certificate cannot hold IP addresses"),
    (_cert(provider="acme", acme_challenge_hosts=["lb9"]), SETTINGS, "acme_challenge_hosts are not inventory hosts: lb9"),
])
def test_each_bad_normalized_certificate_is_named(cert, settings, message):
    problems = preflight_problems([{"name": "web"}], [cert], settings, HOSTS)
    assert [p for p in problems if message in p], problems


def test_a_client_certificate_needs_no_name():
    assert preflight_problems([{"name": "app"}], [_cert(name="app", usage="client", sans=[])], SETTINGS, HOSTS) == []
