"""The address contract: tdah_address, then an IP ansible_host, then facts; never a guess."""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.tdah.platform.plugins.filter.address_problems import address_problems
from ansible_collections.tdah.platform.plugins.filter.host_address import host_address
from ansible_collections.tdah.platform.plugins.filter.ip_version import ip_version

FACTS = {"default_ipv4": {"address": "10.0.0.9"}, "default_ipv6": {"address": "fd00::9"}}


def _host(**values):
    return {"inventory_hostname": "redis1", **values}


def test_the_override_wins_over_everything():
    assert host_address(_host(tdah_address="10.1.1.1", ansible_host="10.2.2.2", ansible_facts=FACTS)) == "10.1.1.1"


def test_an_ip_ansible_host_comes_next_then_the_facts():
    assert host_address(_host(ansible_host="10.2.2.2", ansible_facts=FACTS)) == "10.2.2.2"
    assert host_address(_host(ansible_host="redis1.example", ansible_facts=FACTS)) == "10.0.0.9"
    assert host_address(_host(ansible_facts={"default_ipv6": {"address": "fd00::9"}})) == "fd00::9"


def test_addresses_are_normalized():
    assert host_address(_host(tdah_address=" 2001:DB8::0001 ")) == "2001:db8::1"


def test_an_empty_override_is_no_override():
    assert host_address(_host(tdah_address="", ansible_host="10.2.2.2")) == "10.2.2.2"


@pytest.mark.parametrize("bad", ["redis1.example", "10.0.0.300", "10.0.0.0/24", "yes"])
def test_an_override_that_is_not_an_address_is_refused_and_named(bad):
    with pytest.raises(AnsibleFilterError, match=r"tdah_address of redis1 is '.*', which is not an IP address"):
        host_address(_host(tdah_address=bad, ansible_host="10.2.2.2"))


def test_no_address_at_all_is_an_error_never_the_name():
    with pytest.raises(AnsibleFilterError, match="no address is known for redis1"):
        host_address(_host(ansible_host="redis1.example"))


def test_address_problems_lists_each_host_or_its_name():
    hostvars = {"a": {"ansible_host": "10.0.0.1"}, "b": {"tdah_address": "nope"}, "c": {}}
    problems = address_problems(["a", "b", "c"], hostvars)
    assert len(problems) == 2 and "tdah_address of b is 'nope'" in problems[0] and "no address is known for c" in problems[1]
    assert address_problems(["a", "b", "c"], hostvars, hosts_only=True) == ["b", "c"]


class _Raising(dict):
    def get(self, key, default=None):
        if key == "tdah_address":
            raise RuntimeError("'undefined_var' is undefined")
        return super().get(key, default)


def test_an_override_that_cannot_be_evaluated_is_reported_not_ignored():
    problems = address_problems(["a"], {"a": _Raising(ansible_host="10.0.0.1")})
    assert problems and "cannot be worked out" in problems[0] and "undefined_var" in problems[0]


def test_ip_version_keeps_one_version_in_order_without_duplicates():
    values = ["10.0.0.1", "fd00::1", "10.0.0.0/24", "not-an-ip", "10.0.0.1/32", " 10.0.0.1 ", "fd00::/64"]
    assert ip_version(values, 4) == ["10.0.0.1", "10.0.0.0/24"]
    assert ip_version(values, "6") == ["fd00::1", "fd00::/64"]


@pytest.mark.parametrize("bad", ["127.0.0.1", "::1", "fe80::1", "169.254.1.1", "0.0.0.0", "224.0.0.1"])
def test_an_override_other_hosts_cannot_reach_is_refused(bad):
    with pytest.raises(AnsibleFilterError, match="which other hosts cannot reach"):
        host_address(_host(tdah_address=bad))


def test_a_loopback_ansible_host_is_passed_over_for_the_facts():
    assert host_address(_host(ansible_host="127.0.0.1", ansible_facts=FACTS)) == "10.0.0.9"
    with pytest.raises(AnsibleFilterError, match="no address is known"):
        host_address(_host(ansible_host="127.0.0.1"))
