"""From an application host, the application's users reach PostgreSQL and Redis over verified TLS,
and what they may not do is refused."""
from __future__ import annotations

import json

from conftest import parse_json

PG = r'''
import json, time
import psycopg
lab = json.loads(%r)
nodes = lab["postgres"]
base = dict(dbname=lab["db"], sslmode="verify-full", sslrootcert=lab["ca"], connect_timeout=5)
out = {}
# The owner runs DDL (migrations), the application user only DML.
with psycopg.connect(host=",".join(nodes), target_session_attrs="read-write", user="app_owner",
                     password=lab["owner"], **base) as owner:
    owner.execute("CREATE TABLE IF NOT EXISTS probe (id bigserial PRIMARY KEY, marker text NOT NULL)")
with psycopg.connect(host=",".join(nodes), target_session_attrs="read-write", user="app_user",
                     password=lab["app"], **base) as app:
    out["primary"] = app.info.host
    out["tls"] = app.execute("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()
    app.execute("INSERT INTO probe (marker) VALUES (%%s)", [lab["marker"]])
    app.commit()
    try:
        app.execute("CREATE TABLE app_may_not (x int)")
        out["ddl"] = "allowed"
    except psycopg.Error as exc:
        out["ddl"] = str(exc).splitlines()[0]
        app.rollback()
out["replicas"] = {}
for node in nodes:
    if node == out["primary"]:
        continue
    with psycopg.connect(host=node, user="app_user", password=lab["app"], **base) as replica:
        for _ in range(20):
            count = replica.execute("SELECT count(*) FROM probe WHERE marker = %%s", [lab["marker"]]).fetchone()[0]
            if count:
                break
            time.sleep(0.5)
        out["replicas"][node] = count
try:
    psycopg.connect(host=nodes[0], user="app_user", password=lab["app"], dbname=lab["db"], sslmode="disable",
                    connect_timeout=5).close()
    out["plain"] = "allowed"
except psycopg.Error as exc:
    out["plain"] = str(exc)
try:
    psycopg.connect(host=nodes[0], user="replica_user", password=lab["app"], dbname="postgres",
                    sslmode="verify-full", sslrootcert=lab["ca"], connect_timeout=5).close()
    out["replication_user"] = "allowed"
except psycopg.Error as exc:
    out["replication_user"] = str(exc)
print(json.dumps(out))
'''

REDIS = r'''
import json, socket, ssl
import redis
from redis.sentinel import Sentinel
lab = json.loads(%r)
tls = dict(ssl=True, ssl_ca_certs=lab["ca"], ssl_cert_reqs="required", ssl_check_hostname=True)
sentinel = Sentinel([(address, 26379) for address in lab["redis"]], socket_timeout=5,
                    sentinel_kwargs=dict(password=lab["sentinel"], **tls), **tls)
out = {"master": sentinel.discover_master("mymaster")[0]}
master = sentinel.master_for("mymaster", username="app", password=lab["app"], socket_timeout=5)
master.set("probe:clients", lab["marker"])
out["wait"] = master.execute_command("WAIT", 2, 5000)
out["replicas"] = {}
for address in lab["redis"]:
    if address == out["master"]:
        continue
    node = redis.Redis(host=address, port=6379, username="app", password=lab["app"], socket_timeout=5, **tls)
    out["replicas"][address] = (node.get("probe:clients") or b"").decode()
def refused(**kwargs):
    try:
        redis.Redis(host=out["master"], port=6379, socket_timeout=5, **kwargs).ping()
        return "allowed"
    except (redis.exceptions.RedisError, OSError) as exc:
        return type(exc).__name__ + ": " + str(exc)
out["no_password"] = refused(**tls)
out["default_user"] = refused(password=lab["app"], **tls)
out["plain_text"] = refused(username="app", password=lab["app"])
try:
    master.flushall()
    out["flushall"] = "allowed"
except redis.exceptions.RedisError as exc:
    out["flushall"] = str(exc)
print(json.dumps(out))
'''


def _app(lab, remote):
    return remote(lab["groups"]["api"][0])


def test_the_application_uses_postgres_over_verified_tls_with_least_privilege(lab, remote):
    owner = lab["vars"]["pg_owner_password"]
    marker = "clients-test"
    args = {"postgres": [lab["hosts"][h] for h in lab["groups"]["postgres"]], "db": lab["vars"]["pg_database"],
            "ca": lab["ca"], "owner": owner, "app": lab["vars"]["pg_app_password"], "marker": marker}
    out = parse_json(_app(lab, remote).python(PG % json.dumps(args)))
    assert out["tls"][0] is True and out["tls"][1] in ("TLSv1.2", "TLSv1.3"), out
    assert out["primary"] == lab["hosts"]["pg1"], out
    assert out["replicas"] and all(count >= 1 for count in out["replicas"].values()), out
    assert "permission denied for schema public" in out["ddl"], out
    assert "no encryption" in out["plain"], out
    assert 'pg_hba.conf rejects connection for host' in out["replication_user"], out


def test_the_application_uses_redis_through_the_sentinels_over_verified_tls(lab, remote):
    marker = "clients-test"
    redis_nodes = [lab["hosts"][h] for h in lab["groups"]["redis"]]
    args = {"redis": redis_nodes, "ca": lab["ca"], "app": lab["vars"]["redis_app_password"],
            "sentinel": lab["vars"]["redis_sentinel_password"], "marker": marker}
    out = parse_json(_app(lab, remote).python(REDIS % json.dumps(args)))
    assert out["master"] == lab["hosts"]["redis1"], out
    assert out["wait"] == 2, out
    assert out["replicas"] and set(out["replicas"].values()) == {marker}, out
    assert "NOAUTH" in out["no_password"] or "Authentication required" in out["no_password"], out
    assert "WRONGPASS" in out["default_user"] or "invalid username-password" in out["default_user"], out
    assert "allowed" not in out["plain_text"], out
    assert "NOPERM" in out["flushall"] or "no permissions" in out["flushall"], out
