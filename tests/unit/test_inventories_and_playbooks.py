"""Inventories describe the seed's topology; playbooks parse."""
from __future__ import annotations

import pytest

from conftest import ROOT, inventory, run

SEED_GROUPS = ("loadbalancers", "api", "frontend", "postgres", "redis", "monitoring")


def _hosts(inv: dict, group: str) -> list[str]:
    return inv.get(group, {}).get("hosts", [])


def test_lab_is_the_seed_topology_in_miniature():
    inv = inventory("lab")
    assert _hosts(inv, "loadbalancers") == ["lb1", "lb2"]
    assert _hosts(inv, "api") == ["app1", "app2"]
    assert _hosts(inv, "frontend") == ["app1", "app2"]
    assert _hosts(inv, "postgres") == ["pg1", "pg2"]
    assert _hosts(inv, "redis") == ["redis1", "redis2", "redis3"]
    assert _hosts(inv, "monitoring") == ["mon1"]
    lab_vars = inv["_meta"]["hostvars"]["lb1"]
    assert lab_vars["ansible_connection"] == "containers.podman.podman"


def test_production_has_the_seed_counts():
    inv = inventory("production")
    counts = {group: len(_hosts(inv, group)) for group in SEED_GROUPS}
    # PostgreSQL: the seed's HA section (a master, replica1 and replica2).
    assert counts == {"loadbalancers": 2, "api": 3, "frontend": 2, "postgres": 3, "redis": 3, "monitoring": 1}


@pytest.mark.parametrize("name", ["production", "staging"])
def test_real_inventories_restrict_ssh(name):
    hostvars = inventory(name)["_meta"]["hostvars"]
    for host, values in hostvars.items():
        assert values["hardening_firewall_admin_networks"], f"{host}: no admin network"
        assert values["hardening_ssh_admin_users"], f"{host}: no admin user kept"


@pytest.mark.parametrize("playbook", ["site.yml"] + sorted(str(p.relative_to(ROOT)) for p in (ROOT / "playbooks").glob("*.yml")))
def test_playbook_syntax(playbook):
    result = run(["ansible-playbook", "-i", "inventories/lab", "--syntax-check", playbook])
    assert result.returncode == 0, result.stdout + result.stderr
