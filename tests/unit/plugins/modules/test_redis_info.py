"""redis_info: INFO replication as the role reads it."""
from __future__ import annotations

from ansible_collections.tdah.platform.plugins.modules import redis_info


def test_a_master_lists_its_replicas():
    info = {"role": "master", "connected_slaves": 2, "master_repl_offset": 4242,
            "slave0": {"ip": "10.0.0.2", "port": 6379, "state": "online", "offset": 4242, "lag": 0},
            "slave1": {"ip": "10.0.0.3", "port": 6379, "state": "online", "offset": 4200, "lag": 1}}
    assert redis_info.replication(info) == {
        "role": "master", "offset": 4242,
        "replicas": [{"ip": "10.0.0.2", "port": 6379, "offset": 4242}, {"ip": "10.0.0.3", "port": 6379, "offset": 4200}]}


def test_a_replica_names_its_master_and_link():
    info = {"role": "slave", "master_host": "10.0.0.1", "master_port": 6379, "master_link_status": "down",
            "master_repl_offset": 10}
    assert redis_info.replication(info) == {"role": "replica", "offset": 10, "master_host": "10.0.0.1",
                                            "master_port": 6379, "master_link_up": False}
