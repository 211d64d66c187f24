"""host_address: the role variable, then an IP ansible_host, then facts, then the name."""
from __future__ import annotations

from ansible_collections.tdah.platform.plugins.filter.host_address import host_address

FACTS = {"default_ipv4": {"address": "10.0.0.9"}}


def test_order_of_preference():
    base = {"inventory_hostname": "redis1"}
    assert host_address({**base, "redis_sentinel_address": "10.1.1.1", "ansible_host": "10.2.2.2",
                         "ansible_facts": FACTS}, "redis_sentinel_address") == "10.1.1.1"
    assert host_address({**base, "ansible_host": "10.2.2.2", "ansible_facts": FACTS}, "redis_sentinel_address") == "10.2.2.2"
    assert host_address({**base, "ansible_host": "redis1.example", "ansible_facts": FACTS}, "redis_sentinel_address") == "10.0.0.9"
    assert host_address({**base, "redis_sentinel_address": ""}, "redis_sentinel_address") == "redis1"
