"""The application tier as its clients see it: the API on every API host answers with its release
and says healthy, through the client certificate and verified TLS to PostgreSQL and TLS to Redis,
both through the load balancers' routing ports on the VIP; its endpoints write and read the seed's tables with Redis as cache,
shared by both hosts; the migration made the seed's tables and indexes once; the env files keep
their secrets from everyone but root and the service; the frontend serves its release with the
caching and headers the seed asks for. Everything is asked from a load balancer, as the next
issue's HAProxy will."""
from __future__ import annotations

import json
import re
import uuid

from conftest import parse_json

HTTP = r'''
import gzip, http.client, json
args = json.loads(%r)
out = []
for call in args:
    connection = http.client.HTTPConnection(call["host"], call["port"], timeout=10)
    headers = {"Content-Type": "application/json", **call.get("headers", {})}
    body = json.dumps(call["json"]) if "json" in call else None
    connection.request(call.get("method", "GET"), call["path"], body=body, headers=headers)
    response = connection.getresponse()
    raw = response.read()
    text = (gzip.decompress(raw) if response.getheader("Content-Encoding") == "gzip" else raw).decode()
    out.append({"status": response.status, "headers": {k.lower(): v for k, v in response.getheaders()}, "body": text})
    connection.close()
print(json.dumps(out))
'''


def _http(lab, remote, calls: list[dict]) -> list[dict]:
    lb = remote(lab["groups"]["loadbalancers"][0])
    return parse_json(lb.python(HTTP % json.dumps(calls)))


def _api(lab, name: str, path: str, **call) -> dict:
    return {"host": lab["hosts"][name], "port": 8000, "path": path, **call}


def _psql(remote, lab, sql: str) -> str:
    primary = lab["groups"]["postgres"][0]
    result = remote(primary).run(f"sudo -u postgres psql -XAt -d {lab['vars']['pg_database']} -c {json.dumps(sql)}", sudo=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_every_api_host_is_healthy_with_its_release_over_verified_tls(lab, remote):
    answers = _http(lab, remote, [_api(lab, name, "/health/overall") for name in lab["groups"]["api"]])
    for name, answer in zip(lab["groups"]["api"], answers):
        assert answer["status"] == 200, (name, answer)
        health = json.loads(answer["body"])
        assert health["status"] == "healthy" and health["failed"] == [], (name, health)
        assert health["version"] == "0.1.0" and health["environment"] == "production", (name, health)
        # The primary, over TLS; the master; both behind the VIP's routing ports.
        assert health["checks"]["database"]["server"].split("/")[0] == lab["hosts"]["pg1"], (name, health)
        assert health["checks"]["database"]["tls"] is True, (name, health)
        assert health["checks"]["redis"]["master"] == f"{lab['hosts']['redis1']}:6379", (name, health)
        assert health["checks"]["redis"]["via"] == f"{lab['vars']['vip']}:6380", (name, health)


def test_the_api_s_connections_come_through_a_load_balancer_with_its_client_certificate(lab, remote):
    """PostgreSQL's own view of the API's sessions: they come from a load balancer (the routing port
    passes TLS through), over TLS with the tls role's client certificate, none straight from an API host."""
    balancers = {lab["hosts"][name] for name in lab["groups"]["loadbalancers"]}
    rows = _psql(remote, lab, "SELECT DISTINCT host(a.client_addr) || ' ' || s.ssl || ' ' || coalesce(s.client_dn, 'none') "
                              "FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.usename = 'app_user' "
                              "AND a.application_name LIKE 'tdah-reference/%' ORDER BY 1")
    lines = rows.splitlines()
    assert lines, "no session of the API"
    assert {line.split(" ", 1)[0] for line in lines} <= balancers, rows
    # The subject's common name is what clientcert=verify-full matches with the user.
    assert all(line.split(" ", 2)[1] == "true" and re.search(r" /(.+/)?CN=app_user$", line) for line in lines), rows


def test_the_endpoints_write_and_read_the_seed_tables_with_a_shared_cache(lab, remote):
    first, second = lab["groups"]["api"][:2]
    email = f"verify-{uuid.uuid4().hex[:12]}@example.org"
    created = _http(lab, remote, [_api(lab, first, "/api/users", method="POST", json={"email": email, "name": "Verify"})])[0]
    assert created["status"] == 201, created
    user = json.loads(created["body"])
    message = {"content": "remember the appointment", "role": "user"}
    answers = _http(lab, remote, [
        # The first read fills the cache through one host; the other host then finds it there.
        _api(lab, first, f"/api/users/{user['id']}"),
        _api(lab, second, f"/api/users/{user['id']}"),
        _api(lab, second, f"/api/users/{user['id']}/messages", method="POST", json=message),
        _api(lab, first, f"/api/users/{user['id']}/conversation"),
        _api(lab, first, "/api/users/999999999"),
    ])
    assert [a["status"] for a in answers] == [200, 200, 201, 200, 404], answers
    assert [a["headers"].get("x-cache") for a in answers[:2]] == ["miss", "hit"], answers
    assert json.loads(answers[1]["body"])["email"] == email, answers[1]
    conversation = json.loads(answers[3]["body"])
    assert [m["content"] for m in conversation["messages"]] == [message["content"]], conversation
    # The row is in PostgreSQL, not only in the cache.
    assert _psql(remote, lab, f"SELECT count(*) FROM users WHERE email = '{email}'") == "1"


def test_the_metrics_are_prometheus_text_with_the_seed_s_series(lab, remote):
    answer = _http(lab, remote, [_api(lab, lab["groups"]["api"][0], "/health/database/performance")])[0]
    assert answer["status"] == 200 and answer["headers"]["content-type"].startswith("text/plain"), answer
    text = answer["body"]
    assert re.search(r'^http_requests_total\{.*route="/health/overall".*status="200".*\} [1-9]', text, re.MULTILINE), text[:2000]
    assert re.search(r"^http_request_duration_seconds_bucket\{", text, re.MULTILINE), text[:2000]
    assert re.search(r"^database_health_status(\{[^}]*\})? 1\.0$", text, re.MULTILINE), text[:2000]
    assert re.search(r"^database_pool_connections(\{[^}]*\})? [0-9.]+$", text, re.MULTILINE), text[:2000]


def test_the_migration_made_the_seed_s_tables_and_valid_indexes_once(lab, remote):
    tables = _psql(remote, lab, "SELECT string_agg(tablename, ' ' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public' "
                                "AND tablename IN ('users', 'conversation_states', 'conversation_messages', 'alembic_version')")
    assert tables == "alembic_version conversation_messages conversation_states users", tables
    assert _psql(remote, lab, "SELECT string_agg(version_num, ' ') FROM alembic_version") == "0001"
    indexes = _psql(remote, lab, "SELECT c.relname || ' ' || i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                                 "WHERE c.relname LIKE 'idx_%' ORDER BY 1").splitlines()
    assert len(indexes) == 5 and all(line.endswith(" true") for line in indexes), indexes
    owners = _psql(remote, lab, "SELECT DISTINCT tableowner FROM pg_tables WHERE tablename IN ('users', 'conversation_messages')")
    assert owners == "app_owner", owners


def test_the_env_files_keep_their_secrets_from_everyone_but_root_and_the_service(lab, infra):
    for name in lab["groups"]["api"]:
        host = infra(name)
        env = host.file("/etc/tdah/api/api.env")
        assert (env.user, env.group, env.mode) == ("root", "tdah-api", 0o640), name
        owner = host.file("/etc/tdah/api/migrate.env")
        assert (owner.user, owner.group, owner.mode) == ("root", "root", 0o600), name
        # The service reads its file but not the schema owner's; deploy reads neither.
        assert host.run("sudo -u tdah-api test -r /etc/tdah/api/api.env").rc == 0, name
        assert host.run("sudo -u tdah-api test -r /etc/tdah/api/migrate.env").rc != 0, name
        assert host.run("sudo -u deploy test -r /etc/tdah/api/api.env").rc != 0, name
        workers = host.process.filter(comm="python3") + host.process.filter(comm="python")
        assert workers and {p.user for p in workers if "gunicorn" in p.args} == {"tdah-api"}, [(p.user, p.args) for p in workers]


def test_the_frontend_serves_its_release_with_the_seed_s_caching_and_headers(lab, remote):
    name = lab["groups"]["frontend"][0]
    index = _http(lab, remote, [{"host": lab["hosts"][name], "port": 8080, "path": "/",
                                 "headers": {"Accept-Encoding": "gzip"}}])[0]
    assert index["status"] == 200 and index["headers"].get("content-encoding") == "gzip", index["headers"]
    assert index["headers"]["cache-control"] == "no-cache", index["headers"]
    for header, value in (("x-frame-options", "DENY"), ("x-content-type-options", "nosniff"),
                          ("referrer-policy", "strict-origin-when-cross-origin")):
        assert index["headers"].get(header, "").startswith(value), (header, index["headers"])
    assert "content-security-policy" in index["headers"], index["headers"]
    assets = re.findall(r'(?:src|href)="(/assets/[^"]+)"', index["body"])
    assert len(assets) == 2, index["body"]
    answers = _http(lab, remote, [{"host": lab["hosts"][name], "port": 8080, "path": path} for path in assets]
                    + [{"host": lab["hosts"][name], "port": 8080, "path": "/assets/app.000000000000.js"}])
    for answer in answers[:-1]:
        assert answer["status"] == 200 and "immutable" in answer["headers"]["cache-control"], answer["headers"]
        assert "max-age=31536000" in answer["headers"]["cache-control"], answer["headers"]
    assert answers[-1]["status"] == 404, answers[-1]
