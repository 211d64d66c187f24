"""The data tiers as their own tools report them: PostgreSQL streams through its slots with data
checksums on; every Sentinel can authorize a failover and names the same master; Redis started
without a warning."""
from __future__ import annotations

import json


def _psql(remote, name: str, sql: str) -> str:
    result = remote(name).run(f"sudo -u postgres psql -XAtc {json.dumps(sql)}", sudo=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_replica_streams_through_its_slot_with_checksums_on(lab, remote):
    primary = lab["groups"]["postgres"][0]
    replicas = lab["groups"]["postgres"][1:]
    streaming = _psql(remote, primary, "SELECT application_name || ' ' || state FROM pg_stat_replication ORDER BY 1")
    assert streaming.splitlines() == [f"{name} streaming" for name in replicas], streaming
    slots = _psql(remote, primary, "SELECT slot_name || ' ' || active FROM pg_replication_slots ORDER BY 1")
    assert slots.splitlines() == [f"{name} true" for name in replicas], slots
    for name in lab["groups"]["postgres"]:
        assert _psql(remote, name, "SHOW data_checksums") == "on", name


def test_every_sentinel_has_a_quorum_and_names_the_same_master(lab, remote):
    ca = lab["ca"]
    masters = set()
    for name in lab["groups"]["redis"]:
        host = remote(name)
        cli = f"redis-cli --no-auth-warning --tls --cacert {ca} -h 127.0.0.1 -p 26379 --askpass"
        quorum = host.run(f"{cli} SENTINEL CKQUORUM mymaster", input=lab["vars"]["redis_sentinel_password"] + "\n")
        assert quorum.stdout.startswith("OK 3 usable Sentinels"), quorum.stdout + quorum.stderr
        master = host.run(f"{cli} SENTINEL GET-MASTER-ADDR-BY-NAME mymaster", input=lab["vars"]["redis_sentinel_password"] + "\n")
        masters.add(master.stdout.split()[0])
    assert masters == {lab["hosts"]["redis1"]}, masters


def test_redis_logs_no_warning(lab, remote):
    for name in lab["groups"]["redis"]:
        log = remote(name).run("grep -h WARNING /var/log/redis/redis-server.log", sudo=True)
        assert log.stdout.strip() == "", f"{name}: {log.stdout}"
