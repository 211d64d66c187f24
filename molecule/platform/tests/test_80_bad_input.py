"""Bad input through site.yml is refused in its first play, with a message that says what to fix,
before any host changes."""
from __future__ import annotations

import json
import re

import pytest

from conftest import recap

# A port out of range and a group the inventory does not have (one problem list reports both).
BAD_RULES = [{"name": "web", "port": 70000, "from_groups": ["api"]},
             {"name": "web2", "port": 80, "from_groups": ["no_such_group"]}]

# One line per case: extra arguments (each limited to the hosts whose preflight judges it, so a case
# costs one short first play), the message expected (a regular expression on flattened output).
CASES = {
    # Both SSH access problems in one run (one problem list): an AllowUsers without deploy, admin networks
    # without the controller.
    "lockout": (["--limit", "lb1", "-e", json.dumps({"hardening_ssh_allow_users": ["someoneelse"],
                                                     "hardening_firewall_admin_networks": ["192.0.2.0/24"]})],
                r"(?=.*Refusing to apply an SSH config that locks out 'deploy': not in hardening_ssh_allow_users \['someoneelse'\])"
                r"(?=.*does not hold 10\.89\.\d+\.1, the address Ansible connects from)"),
    "malformed-rule": (["--limit", "lb1,app1", "-e", json.dumps({"hardening_firewall_rules": BAD_RULES})],
                       r"(?=.*Malformed rule in hardening_firewall_rules: .*port \(1-65535\))(?=.*unknown here \['no_such_group'\])"),
    "postgres-synchronous-mode": (["--limit", "postgres", "-e", "postgres_replication_synchronous_mode=all"],
                                  r"postgres_replication_synchronous_mode.*(all|choices)"),
    "redis-quorum": (["--limit", "redis", "-e", "redis_sentinel_quorum=4"], r"redis_sentinel_quorum"),
    # Three load balancer problems in one run: a backend without servers, no rate, a VIP in no network.
    "haproxy": (["--limit", "loadbalancers", "-e", json.dumps({"haproxy_api_group": "nosuchgroup", "haproxy_rate_limit": 0,
                                                               "haproxy_vip": "192.0.2.10"})],
                r"(?=.*the api backend has no servers)(?=.*haproxy_rate_limit must be a positive number)"
                r"(?=.*haproxy_vip 192\.0\.2\.10 is in no network of lb1's interfaces)"),
}

WATCHED = ["/etc/ssh/sshd_config.d/00-tdah-hardening.conf", "/etc/nftables.conf", "/etc/nftables.d/10-inventory.nft"]


def _checksums(remote, name) -> dict:
    result = remote(name).run("sha256sum " + " ".join(WATCHED), sudo=True)
    assert result.returncode == 0, result.stderr
    return dict(reversed(line.split()) for line in result.stdout.splitlines())


def _refused(result, message, hosts):
    output = re.sub(r"\s+", " ", (result.stdout + result.stderr).replace("''", "'"))
    assert result.returncode != 0, output[-3000:]
    assert re.search(message, output), f"expected /{message}/ in: {output[-3000:]}"
    counts = recap(result.stdout)
    assert not [h for h, c in counts.items() if c["changed"]], counts
    # The preflight play stops every host: no role play ran.
    assert "PLAY [Harden every host]" not in result.stdout, "a role play ran after the preflight failed"
    return counts


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_refused_before_any_change(case, lab, playbook, remote):
    before = {name: _checksums(remote, name) for name in ("pg1", "lb1")}
    args, message = CASES[case]
    _refused(playbook("site.yml", *args), message, lab["hosts"])
    assert {name: _checksums(remote, name) for name in ("pg1", "lb1")} == before


def test_weak_api_settings_are_refused_without_showing_the_secret(lab, playbook, remote):
    """A short JWT_SECRET_KEY, DEBUG in production and no client certificate for PostgreSQL: one run
    names all three problems (never the secret's value) and no host changes."""
    secret = "tdah-short-" + "x" * 9
    before = _checksums(remote, "app1")
    env = remote("app1").run("sha256sum /etc/tdah/api/api.env", sudo=True).stdout
    result = playbook("site.yml", "--limit", "app1", "-e", json.dumps(
        {"api_jwt_secret_key": secret, "api_debug": True, "api_db_client_certificate": ""}))
    _refused(result, r"(?=.*JWT_SECRET_KEY must be at least 64 characters \(is 20\))"
                     r"(?=.*api_debug must be false in production)"
                     r"(?=.*api_db_client_certificate must name the client certificate PostgreSQL checks)", lab["hosts"])
    assert secret not in result.stdout + result.stderr
    assert _checksums(remote, "app1") == before
    assert remote("app1").run("sha256sum /etc/tdah/api/api.env", sudo=True).stdout == env


def test_an_address_override_that_is_not_an_address_is_refused(lab, playbook, tmp_path):
    # One host's tdah_address, as an inventory would set it.
    extra = tmp_path / "override.yml"
    extra.write_text("all:\n  hosts:\n    pg2:\n      tdah_address: pg2.example.org\n")
    result = playbook("site.yml", "-i", str(extra), "--limit", "postgres")
    _refused(result, r"tdah_address of pg2 is 'pg2\.example\.org', which is not an IP address", lab["hosts"])
