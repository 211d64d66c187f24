"""The hardening role's decisions: firewall rules and sources, lock-out checks."""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.tdah.platform.plugins.filter.firewall_rule_problems import firewall_rule_problems
from ansible_collections.tdah.platform.plugins.filter.firewall_sources import firewall_sources
from ansible_collections.tdah.platform.plugins.filter.ssh_access_problems import ssh_access_problems

GROUPS = {"all": ["app1", "app2", "pg1", "nat1"], "api": ["app1", "app2"], "postgres": ["pg1"], "empty": []}
HOSTVARS = {
    "app1": {"inventory_hostname": "app1", "ansible_host": "10.0.0.21"},
    "app2": {"inventory_hostname": "app2", "ansible_host": "app2.example", "ansible_facts": {"default_ipv4": {"address": "10.0.0.22"}}},
    "pg1": {"inventory_hostname": "pg1", "ansible_host": "192.0.2.41", "tdah_address": "10.0.0.41"},
    "nat1": {"inventory_hostname": "nat1", "ansible_host": "nat1.example"},
}


def test_a_good_rule_has_no_problem():
    rules = [{"name": "pg", "port": 5432, "from_groups": ["api"]},
             {"name": "pair", "ports": ["80", 443], "proto": "tcp", "from_hosts": ["pg1"], "from_networks": ["10.9.0.0/16"]}]
    assert firewall_rule_problems(rules, "hardening_firewall_rules", GROUPS) == []


def test_a_vrrp_rule_names_no_port_and_has_sources():
    rule = {"name": "vrrp", "proto": "vrrp", "from_groups": ["api"]}
    assert firewall_rule_problems([rule], "hardening_firewall_rules", GROUPS) == []
    sources = firewall_sources(rule, GROUPS, HOSTVARS)
    assert sources["ports"] == [] and sources["proto"] == "vrrp" and sources["v4"] == ["10.0.0.21", "10.0.0.22"]


@pytest.mark.parametrize("rule, why", [
    ({"name": "web", "port": 70000, "from_groups": ["api"]}, "port (1-65535)"),
    ({"name": "web", "port": "80a", "from_groups": ["api"]}, "port (1-65535)"),
    ({"name": "web", "port": 80, "proto": "icmp", "from_groups": ["api"]}, "proto must be tcp, udp or vrrp"),
    ({"name": "vip", "port": 112, "proto": "vrrp", "from_groups": ["api"]}, "vrrp has no ports: leave out port and ports"),
    ({"name": "web", "port": 80, "from_groups": ["no_such_group"]}, "unknown here ['no_such_group']"),
    ({"name": "web", "port": 80, "from_hosts": ["ghost"]}, "unknown here ['ghost']"),
    ({"name": "web", "port": 80, "from_networks": ["10.0.0.0/33"]}, "not one ['10.0.0.0/33']"),
    ({"name": "web", "port": 80}, "at least one source"),
    ({"name": "web", "port": 80, "from_groups": ["api"], "form_hosts": []}, "unknown keys ['form_hosts']"),
    ({"name": "bad name", "port": 80, "from_groups": ["api"]}, "name must be"),
])
def test_each_malformed_rule_is_named_with_what_to_fix(rule, why):
    problems = firewall_rule_problems([rule], "hardening_firewall_rules", GROUPS)
    assert len(problems) == 1
    assert problems[0].startswith("Malformed rule in hardening_firewall_rules")
    assert why in problems[0]


def test_rules_that_are_not_a_list_are_refused():
    assert "must be a list" in firewall_rule_problems({"name": "x"}, "v", GROUPS)[0]


def test_sources_are_the_contract_addresses_merged_per_version():
    rule = {"name": "pg", "port": 5432, "from_groups": ["api"], "from_hosts": ["pg1"],
            "from_networks": ["10.0.0.0/30", "fd00::/64", "fd00::1"]}
    # app1 by its IP ansible_host, app2 by its facts, pg1 by its override; 10.0.0.0/30 holds none of them.
    sources = firewall_sources(rule, GROUPS, HOSTVARS)
    assert (sources["v4"], sources["v6"]) == (["10.0.0.0/30", "10.0.0.21", "10.0.0.22", "10.0.0.41"], ["fd00::/64"])
    assert sources["ports"] == [5432] and sources["proto"] == "tcp"
    assert sources["from"] == ["group api", "pg1", "10.0.0.0/30", "fd00::/64", "fd00::1"]


def test_a_network_that_holds_a_host_absorbs_it():
    rule = {"name": "pg", "port": 5432, "from_groups": ["api"], "from_networks": ["10.0.0.0/24"]}
    sources = firewall_sources(rule, GROUPS, HOSTVARS)
    assert (sources["v4"], sources["v6"]) == (["10.0.0.0/24"], [])


def test_ports_and_sources_in_any_shape_the_checks_accept():
    """A string port is one port (never its digits), a single host is a list of one."""
    sources = firewall_sources({"name": "web", "ports": "80", "from_hosts": "app1"}, GROUPS, HOSTVARS)
    assert sources["ports"] == [80] and sources["v4"] == ["10.0.0.21"]
    assert firewall_rule_problems([{"name": "web", "ports": "80", "from_hosts": "app1"}], "v", GROUPS) == []


def test_overlapping_admin_networks_are_merged():
    sources = firewall_sources({"name": "ssh", "port": 22, "from_networks": ["10.0.0.0/8", "10.1.0.0/16", "10.0.0.0/8 "]},
                               GROUPS, HOSTVARS)
    assert sources["v4"] == ["10.0.0.0/8"]


def test_a_source_host_without_address_is_an_error_that_names_it():
    with pytest.raises(AnsibleFilterError, match="no address is known for nat1"):
        firewall_sources({"name": "x", "port": 1, "from_hosts": ["nat1"]}, GROUPS, HOSTVARS)


SETTINGS = {"allow_users": [], "allow_groups": [], "permit_root_login": "no", "firewall": True,
            "admin_networks": ["10.89.70.1/32"], "client_address": "10.89.70.1"}
DEPLOY = {"user": "deploy", "exists": True, "groups": ["deploy", "sudo"], "key_size": 81}


def test_the_lab_settings_lock_nobody_out():
    assert ssh_access_problems([DEPLOY], SETTINGS) == []


@pytest.mark.parametrize("change, why", [
    ({"allow_users": ["someoneelse"]}, "not in hardening_ssh_allow_users ['someoneelse']"),
    ({"allow_groups": ["sshusers"]}, "in none of hardening_ssh_allow_groups ['sshusers']"),
    ({"admin_networks": ["192.0.2.0/24"]}, "does not hold 10.89.70.1"),
    ({"admin_networks": []}, "hardening_firewall_admin_networks is empty"),
    ({"admin_networks": ["10.89.70.0/40"]}, "must be CIDR networks"),
])
def test_each_way_to_lock_out_deploy_is_refused(change, why):
    problems = ssh_access_problems([DEPLOY], {**SETTINGS, **change})
    assert problems and any(why in p for p in problems), problems


def test_a_user_without_keys_or_account_or_root_with_no_root_login():
    problems = ssh_access_problems([{**DEPLOY, "key_size": 0}, {"user": "ghost", "exists": False, "groups": [], "key_size": 0},
                                    {"user": "root", "exists": True, "groups": ["root"], "key_size": 10}], SETTINGS)
    assert "locks out 'deploy': no non-empty ~/.ssh/authorized_keys" in problems[0]
    assert "'ghost': the user does not exist" in problems[1]
    assert "'root': root while hardening_ssh_permit_root_login is 'no'" in problems[2]


def test_moving_the_ssh_port_under_the_connection_is_refused():
    problems = ssh_access_problems([DEPLOY], {**SETTINGS, "ssh_port": 2222, "server_port": 22})
    assert problems and "hardening_ssh_port is 2222 but Ansible is connected to port 22" in problems[0]
    assert ssh_access_problems([DEPLOY], {**SETTINGS, "ssh_port": 22, "server_port": 22}) == []


def test_no_client_address_means_not_over_ssh_and_no_firewall_check():
    assert ssh_access_problems([DEPLOY], {**SETTINGS, "admin_networks": ["192.0.2.0/24"], "client_address": ""}) == []
    assert ssh_access_problems([DEPLOY], {**SETTINGS, "firewall": False, "admin_networks": []}) == []
