"""The database and cache roles refuse bad input in their preflight entry point, with a message
that says what to fix. Their checks read variables only, so they run here against an inventory of
hosts on the local connection, in seconds (the platform scenario runs them through site.yml)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import run

INVENTORY = """
all:
  vars:
    ansible_connection: local
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  children:
    postgres:
      hosts: {pg1: {}, pg2: {}, pg3: {}}
      vars:
        postgres_replication_initial_primary: pg1
        postgres_replication_owner_password: unit-owner-password-0001
        postgres_replication_app_password: unit-app-password-000002
        postgres_replication_replication_password: unit-replication-pass-3
        postgres_replication_backup_password: unit-backup-password-004
        postgres_replication_monitor_password: unit-monitor-password-05
        postgres_replication_synchronous_mode: first
    redis:
      hosts: {redis1: {}, redis2: {}, redis3: {}}
      vars:
        redis_sentinel_initial_master: redis1
        redis_sentinel_admin_password: unit-redis-admin-password-00000000001
        redis_sentinel_app_password: unit-redis-app-password-000000000000002
        redis_sentinel_replication_password: unit-redis-replication-password-0003
        redis_sentinel_sentinel_user_password: unit-redis-sentinel-user-pass-000004
        redis_sentinel_sentinel_password: unit-redis-sentinel-password-0000005
        redis_sentinel_exporter_password: unit-redis-exporter-password-0000006
        redis_sentinel_health_password: unit-redis-health-password-000000007
    sentinel_pair:
      hosts: {redis1: {}, redis2: {}}
    api:
      hosts: {app1: {}}
"""

PLAYBOOK = """
- name: The role's preflight, on its own
  hosts: "{{ target }}"
  gather_facts: false
  tasks:
    - name: Preflight
      ansible.builtin.include_role:
        name: "tdah.platform.{{ role }}"
        tasks_from: preflight
"""

CASES = [
    ("postgres_replication", "postgres", ["-e", 'postgres_replication_initial_primary=""'],
     "postgres_replication_initial_primary is not set"),
    ("postgres_replication", "postgres", ["-e", json.dumps({"postgres_replication_initial_primary": ["pg1", "pg2"]})],
     "postgres_replication_initial_primary names exactly one host; got"),
    ("postgres_replication", "postgres", ["-e", "postgres_replication_initial_primary=app1"],
     "postgres_replication_initial_primary 'app1' is not in the group 'postgres'"),
    ("postgres_replication", "postgres", ["-e", "postgres_replication_max_wal_senders=1"],
     r"2 replicas need more than postgres_replication_max_wal_senders \(1\)"),
    ("postgres_replication", "postgres", ["-e", "postgres_replication_app_password=short"],
     r"postgres_replication_app_password must be at least 16 characters long \(is 5\)"),
    ("postgres_replication", "postgres", ["-e", "postgres_replication_synchronous_mode=all"],
     "value of postgres_replication_synchronous_mode must be one of: off, any, first, got: all"),
    ("postgres_replication", "postgres", ["-e", "postgres_replication_synchronous_count=3"],
     r"postgres_replication_synchronous_count \(3\) must be between 1 and the number of standbys that can confirm \(2\)"),
    ("postgres_replication", "postgres", ["--limit", "pg1"],
     r"run the role on the whole group: the current primary is discovered among its nodes \(left out by --limit: pg2, pg3\)"),
    ("redis_sentinel", "redis", ["-e", "redis_sentinel_quorum=4"],
     r"redis_sentinel_quorum \(4\) must be between 1 and the number of Sentinels \(3\)"),
    ("redis_sentinel", "redis", ["-e", "redis_sentinel_sentinel_group=sentinel_pair"],
     "Sentinel needs at least three Sentinels on different hosts to fail over safely; the group 'sentinel_pair' .* has 2"),
    ("redis_sentinel", "redis", ["-e", "redis_sentinel_app_password=short"],
     r"redis_sentinel_app_password must be at least 32 characters long \(is 5\)"),
    ("redis_sentinel", "redis", ["-e", json.dumps({"redis_sentinel_app_rules": ["+@read", "+@nosuch"]})],
     "unknown ACL category '@nosuch' in redis_sentinel_app_rules"),
    ("redis_sentinel", "redis", ["-e", "redis_sentinel_tls_auth_clients=maybe"],
     "value of redis_sentinel_tls_auth_clients must be one of: no, optional, yes, got: maybe"),
    ("redis_sentinel", "redis", ["--limit", "redis1"],
     r"run the role on every Redis and Sentinel host: the current master is asked of the Sentinels \(left out by --limit: redis2, redis3\)"),
]


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> tuple[Path, Path]:
    work = tmp_path_factory.mktemp("preflight")
    (work / "inventory.yml").write_text(INVENTORY)
    (work / "preflight.yml").write_text(PLAYBOOK)
    return work / "inventory.yml", work / "preflight.yml"


def _preflight(files, role: str, target: str, args: list[str]):
    inventory, playbook = files
    return run(["ansible-playbook", "-i", str(inventory), str(playbook), "-e", f"role={role}", "-e", f"target={target}", *args])


@pytest.mark.parametrize("role, target", [("postgres_replication", "postgres"), ("redis_sentinel", "redis")])
def test_good_input_passes(files, role, target):
    result = _preflight(files, role, target, [])
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


@pytest.mark.parametrize("role, target, args, message", CASES, ids=[c[3][:60] for c in CASES])
def test_bad_input_is_refused_with_what_to_fix(files, role, target, args, message):
    result = _preflight(files, role, target, args)
    flat = re.sub(r"\s+", " ", (result.stdout + result.stderr).replace("''", "'"))
    assert result.returncode != 0, flat[-2000:]
    assert re.search(message, flat), f"expected /{message}/ in: {flat[-2000:]}"
