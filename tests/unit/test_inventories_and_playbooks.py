"""Inventories describe the seed's topology; playbooks parse."""
from __future__ import annotations

import pytest

from conftest import ROOT, inventory, load_yaml, run

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


def test_the_lab_is_reached_as_production_is_over_ssh_as_deploy():
    result = run(["ansible", "-i", "inventories/lab", "lab", "-m", "ansible.builtin.debug", "-a",
                  "msg={{ [ansible_connection | default('ssh'), ansible_user, ansible_host] | join(' ') }}"])
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if "msg:" in line]
    assert len(lines) == 10, result.stdout
    for line in lines:
        connection, user, address = line.split("msg:")[1].strip().split()
        assert (connection, user) == ("ssh", "deploy")
        assert address.startswith("10.89.70."), line


PLAYBOOKS = ["site.yml"] + sorted(str(p.relative_to(ROOT)) for p in (ROOT / "playbooks").glob("*.yml"))


@pytest.mark.parametrize("playbook", PLAYBOOKS)
def test_plays_that_change_hosts_escalate_and_controller_plays_do_not(playbook):
    for play in load_yaml(ROOT / playbook):
        if "ansible.builtin.import_playbook" in play or "import_playbook" in play:
            continue
        local = play.get("connection") == "local" or play["hosts"] == "localhost"
        assert "become" in play, f"{playbook}: play '{play['name']}' does not say become"
        assert play["become"] is (not local), f"{playbook}: play '{play['name']}' become {play['become']}"


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


@pytest.mark.parametrize("playbook", PLAYBOOKS)
def test_playbook_syntax(playbook):
    result = run(["ansible-playbook", "-i", "inventories/lab", "--syntax-check", playbook])
    assert result.returncode == 0, result.stdout + result.stderr
