"""The internal CA signs only the names the inventory gives a host."""
from __future__ import annotations

from ansible_collections.tdah.platform.plugins.filter.tls_signing_problems import tls_signing_problems

PG1 = {"inventory_hostname_short": "pg1", "ansible_host": "10.0.0.1",
       "ansible_facts": {"fqdn": "pg1.lab.tdah.test", "default_ipv4": {"address": "10.0.0.1"}}}


def seen(name, sans, common_name, request_sans=None, request_cn=None):
    """An openssl_csr_info result for the tls role's request `name`."""
    request = {"name": name, "sans": request_sans if request_sans is not None else sans,
               "common_name": request_cn if request_cn is not None else common_name}
    return {"item": {"item": request}, "subject_alt_name": sans, "subject": {"commonName": common_name}}


def test_the_default_names_of_a_host_are_signed():
    good = seen("postgres", ["DNS:pg1", "DNS:pg1.lab.tdah.test", "IP:10.0.0.1"], "pg1")
    assert tls_signing_problems([good], "pg1", PG1, trusted=False, domains=["lab.tdah.test"]) == []


def test_a_name_the_inventory_does_not_give_the_host_is_refused_when_the_host_asked_for_it():
    forged = seen("forged", ["DNS:pg1", "DNS:api.example.org", "IP:10.0.0.2"], "pg1")
    problems = tls_signing_problems([forged], "pg1", PG1, trusted=False, domains=["lab.tdah.test"])
    assert problems == [
        "The CA refuses to sign certificate 'forged' for pg1: it asks for DNS:api.example.org, IP:10.0.0.2, which the "
        "inventory does not give pg1. If pg1 should have them, add them to tls_ca_allowed_names for pg1 (or to its "
        "tls_certificates in the inventory)."]


def test_names_from_the_roles_on_the_controller_are_signed():
    role_names = seen("postgres", ["DNS:pg1", "DNS:db.internal"], "pg1")
    assert tls_signing_problems([role_names], "pg1", PG1, trusted=True) == []
    assert "DNS:db.internal" in tls_signing_problems([role_names], "pg1", PG1, trusted=False)[0]


def test_tls_ca_allowed_names_and_inventory_certificates_widen_the_set():
    asked = seen("postgres", ["DNS:pg1", "DNS:db.internal", "IP:2001:db8::0:1"], "pg1")
    assert tls_signing_problems([asked], "pg1", PG1, trusted=False, extra_names=["db.internal", "IP:2001:db8::1"]) == []
    inventory = {**PG1, "tls_certificates": [{"name": "postgres", "dns_names": ["DB.internal"], "ip_addresses": ["2001:db8::1"]}]}
    assert tls_signing_problems([asked], "pg1", inventory, trusted=False) == []


def test_a_signing_request_that_differs_from_its_certificate_is_refused_even_from_the_controller():
    tampered = seen("postgres", ["DNS:pg1", "DNS:evil.example"], "pg1", request_sans=["DNS:pg1"])
    problems = tls_signing_problems([tampered], "pg1", PG1, trusted=True)
    assert len(problems) == 1 and "does not match the certificate asked for (extra names: DNS:evil.example" in problems[0]


def test_a_client_common_name_must_be_given_by_the_inventory():
    client = seen("app-db-client", [], "postgres")
    assert "DNS:postgres" in tls_signing_problems([client], "pg1", PG1, trusted=False)[0]
    inventory = {**PG1, "tls_certificates": [{"name": "app-db-client", "usage": "client", "common_name": "postgres"}]}
    assert tls_signing_problems([client], "pg1", inventory, trusted=False) == []


def test_a_reported_fqdn_outside_the_allowed_domains_is_not_the_host_s():
    host_vars = {**PG1, "ansible_facts": {"fqdn": "pg1.bank.example"}}
    asked = seen("postgres", ["DNS:pg1", "DNS:pg1.bank.example"], "pg1")
    assert "DNS:pg1.bank.example" in tls_signing_problems([asked], "pg1", host_vars, trusted=False, domains=["lab.tdah.test"])[0]
    fqdn_inventory = {"inventory_hostname_short": "pg1", "ansible_host": "10.0.0.1",
                      "ansible_facts": {"fqdn": "pg1.tdah.example"}}
    asked = seen("postgres", ["DNS:pg1", "DNS:pg1.tdah.example", "IP:10.0.0.1"], "pg1")
    assert tls_signing_problems([asked], "pg1.tdah.example", fqdn_inventory, trusted=False) == []
