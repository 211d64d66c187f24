"""redis_config: values compared the way Redis reads them back."""
from __future__ import annotations

import pytest

from ansible_collections.tdah.platform.plugins.modules import redis_config


@pytest.mark.parametrize("given, reported", [
    ("256mb", "268435456"), ("1gb", "1073741824"), ("100k", "100000"), ("2m", "2000000"), ("512", "512"),
    (True, "yes"), (False, "no"), (1, "1"), ("allkeys-LRU", "allkeys-lru"), ("3600 1  300 100", "3600 1 300 100"),
])
def test_normalize_matches_what_config_get_returns(given, reported):
    assert redis_config.normalize(given) == redis_config.normalize(reported)


def test_differences_names_only_real_changes_and_unknown_names():
    current = {"maxmemory": "268435456", "appendonly": "yes", "save": "3600 1 300 100", "min-replicas-to-write": "1"}
    wanted = {"maxmemory": "256mb", "appendonly": True, "save": "3600 1 300 100", "min-replicas-to-write": 2,
              "no-such-setting": "x"}
    assert redis_config.differences(current, wanted) == ["min-replicas-to-write", "no-such-setting"]


def test_values_are_sent_as_redis_reads_them():
    assert redis_config.as_argument(True) == "yes"
    assert redis_config.as_argument(5000) == "5000"
    assert redis_config.as_argument("256mb") == "256mb"


def test_secrets_are_compared_exactly():
    current = {"masterauth": "Pass Word"}
    assert redis_config.differences(current, {"masterauth": "pass word"}) == []
    assert redis_config.differences(current, {"masterauth": "pass word"}, frozenset({"masterauth"})) == ["masterauth"]
    assert redis_config.differences(current, {"masterauth": "Pass Word"}, frozenset({"masterauth"})) == []
