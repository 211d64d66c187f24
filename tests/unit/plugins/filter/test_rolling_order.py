"""rolling_order: replicas first, one at a time, the node that serves writes last."""
from __future__ import annotations

from ansible_collections.tdah.platform.plugins.filter.rolling_order import rolling_order


def test_the_primary_goes_last_whatever_its_place_in_the_play():
    assert rolling_order(["pg1", "pg2", "pg3"], {"pg1": True, "pg2": True, "pg3": True}, "pg1") == ["pg2", "pg3", "pg1"]


def test_only_the_nodes_that_need_it_in_play_order():
    pending = {"redis1": [], "redis2": ["redis-server.service"], "redis3": ["redis-server.service"]}
    assert rolling_order(["redis3", "redis1", "redis2"], pending, "redis1") == ["redis3", "redis2"]


def test_nothing_pending_is_nothing_to_do():
    assert rolling_order(["pg1", "pg2"], {}, "pg1") == []
    assert rolling_order(["pg1", "pg2"], {"pg1": False, "pg2": []}, "pg2") == []


def test_a_host_is_never_restarted_twice():
    assert rolling_order(["a", "b", "a"], {"a": True, "b": True}, "") == ["a", "b"]
