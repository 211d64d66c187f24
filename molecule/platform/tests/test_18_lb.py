"""The load balancers as their clients see them. From the stranger, through the VIP: HTTP
redirects to HTTPS, the certificate verifies for the platform's name, the seed's headers and HSTS
are there, the API and the frontend answer, and only TLS 1.2 and 1.3 are spoken. Each load balancer
answers on its own address too. On the private side, the routing ports lead to the right node,
which the node's own certificate (its address in the SAN) shows: the write port to the primary,
the read port to the replica, the Redis port to the master; they are closed to the stranger, and
the stats port answers monitoring only. keepalived gives the VIP to exactly one load balancer."""
from __future__ import annotations

import base64
import datetime
import json
from urllib.parse import urlsplit

from conftest import parse_json, probe_script
from cryptography import x509

# An HTTPS client with the lab's CA, the platform's name sent by SNI and
# checked against the certificate, the address given apart (no DNS needed).
HTTPS = r'''
import http.client, json, socket, ssl
args = json.loads(%r)
out = []
for call in args:
    context = ssl.create_default_context(cafile=args_ca) if (args_ca := call.get("ca")) else ssl._create_unverified_context()
    if call.get("max_version"):
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        context.maximum_version = getattr(ssl.TLSVersion, call["max_version"])
        context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
        context.set_ciphers("ALL:@SECLEVEL=0")
    class Connection(http.client.HTTPSConnection):
        def connect(self):
            sock = socket.create_connection((call["address"], self.port), timeout=10)
            self.sock = context.wrap_socket(sock, server_hostname=call["name"])
    try:
        if call.get("plain"):
            connection = http.client.HTTPConnection(call["address"], 80, timeout=10)
        else:
            connection = Connection(call["name"], 443, timeout=10)
        connection.request("GET", call["path"], headers={"Host": call["name"]})
        response = connection.getresponse()
        body = response.read().decode(errors="replace")
        out.append({"status": response.status, "headers": {k.lower(): v for k, v in response.getheaders()},
                    "body": body[:2000], "tls": None if call.get("plain") else connection.sock.version()})
        connection.close()
    except (OSError, ssl.SSLError) as exc:
        out.append({"error": f"{type(exc).__name__}: {exc}"})
print(json.dumps(out))
'''

# The certificate a routing port leads to, read in the protocol's own way:
# PostgreSQL's SSLRequest first, Redis's TLS straight away. The node's
# address is in its certificate's SAN.
PEER = r'''
import json, socket, ssl, struct
args = json.loads(%r)
out = {}
context = ssl.create_default_context(cafile=args["ca"])
context.check_hostname = False
for name, (port, kind) in args["ports"].items():
    try:
        sock = socket.create_connection((args["vip"], port), timeout=5)
        if kind == "postgres":
            sock.sendall(struct.pack("!ii", 8, 80877103))
            assert sock.recv(1) == b"S", "no TLS offered"
        tls = context.wrap_socket(sock, server_hostname=args["vip"])
        cert = tls.getpeercert()
        out[name] = sorted(value for kind_, value in cert.get("subjectAltName", ()) if kind_ == "IP Address")
        tls.close()
    except (OSError, ssl.SSLError, AssertionError) as exc:
        out[name] = f"{type(exc).__name__}: {exc}"
print(json.dumps(out))
'''


# The public certificate as served (DER), then a plain HTTP GET through the
# VIP with the Host a URL names; bodies come back base64-encoded.
FETCH = r'''
import base64, http.client, json, socket, ssl
args = json.loads(%r)
out = {}
if args.get("ca"):
    context = ssl.create_default_context(cafile=args["ca"])
    with context.wrap_socket(socket.create_connection((args["vip"], 443), timeout=10), server_hostname=args["name"]) as tls:
        out["certificate"] = base64.b64encode(tls.getpeercert(binary_form=True)).decode()
if args.get("path"):
    connection = http.client.HTTPConnection(args["vip"], 80, timeout=10)
    connection.request("GET", args["path"], headers={"Host": args["host"]})
    response = connection.getresponse()
    out.update(status=response.status, type=response.getheader("content-type"),
               body=base64.b64encode(response.read()).decode())
print(json.dumps(out))
'''


def _https(lab, run, calls):
    for call in calls:
        call.setdefault("name", lab["vars"]["public_name"])
    return parse_json(run(HTTPS % json.dumps(calls)))


def _stranger_ca(lab, stranger) -> str:
    """The stranger gets the lab's CA certificate (public) to verify with, as a browser has its roots."""
    pem = (lab["root"] + "/.cache/" + lab["lab"] + "/ca/tdah-internal-ca.crt")
    with open(pem, encoding="ascii") as handle:
        text = handle.read()
    result = stranger(f"open('/tmp/tdah-ca.crt', 'w').write({text!r})")
    assert result.returncode == 0, result.stderr
    return "/tmp/tdah-ca.crt"


def test_http_redirects_to_https_and_https_verifies_with_the_seed_headers(lab, stranger):
    ca = _stranger_ca(lab, stranger)
    vip = lab["vars"]["vip"]
    plain, overall, index = _https(lab, stranger, [
        {"address": vip, "path": "/api/users/1", "plain": True},
        {"address": vip, "path": "/health/overall", "ca": ca},
        {"address": vip, "path": "/", "ca": ca}])
    assert plain["status"] in (301, 302, 308), plain
    assert plain["headers"]["location"] == f"https://{lab['vars']['public_name']}/api/users/1", plain
    for answer in (overall, index):
        assert "error" not in answer and answer["status"] == 200, answer
        headers = answer["headers"]
        assert int(headers["strict-transport-security"].split("max-age=")[1].split(";")[0]) >= 31536000, headers
        assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff", headers
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin", headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"], headers
        assert answer["tls"] in ("TLSv1.2", "TLSv1.3"), answer
    assert json.loads(overall["body"])["status"] == "healthy", overall
    assert "<html" in index["body"].lower(), index


def test_each_load_balancer_answers_on_its_own_address_and_name(lab, stranger):
    ca = _stranger_ca(lab, stranger)
    names = lab["groups"]["loadbalancers"]
    domain = lab["vars"]["public_name"].split(".", 1)[1]
    answers = _https(lab, stranger, [{"address": lab["hosts"][name], "name": f"{name}.{domain}", "path": "/api/version", "ca": ca}
                                     for name in names])
    for name, answer in zip(names, answers):
        assert "error" not in answer and answer["status"] == 200, (name, answer)


def test_no_protocol_below_tls_1_2_and_no_certificate_for_a_stranger_name(lab, stranger):
    ca = _stranger_ca(lab, stranger)
    vip = lab["vars"]["vip"]
    tls11, wrong = _https(lab, stranger, [
        {"address": vip, "path": "/", "max_version": "TLSv1_1"},
        {"address": vip, "path": "/", "ca": ca, "name": "intruder.example.org"}])
    assert "error" in tls11, tls11
    # The default certificate does not name a stranger's host name: verification fails.
    assert "error" in wrong and "certificate verify failed" in wrong["error"], wrong


def test_the_routing_ports_lead_to_the_primary_the_replica_and_the_master(lab, remote):
    app = remote(lab["groups"]["api"][0])
    args = {"vip": lab["vars"]["vip"], "ca": lab["ca"],
            "ports": {"write": [5000, "postgres"], "read": [5001, "postgres"], "redis": [6380, "redis"]}}
    peers = parse_json(app.python(PEER % json.dumps(args)))
    assert lab["hosts"]["pg1"] in peers["write"] and lab["hosts"]["pg2"] not in peers["write"], peers
    assert lab["hosts"]["pg2"] in peers["read"] and lab["hosts"]["pg1"] not in peers["read"], peers
    assert lab["hosts"]["redis1"] in peers["redis"], peers
    # Clients verify the VIP: every node's certificate names it.
    assert all(lab["vars"]["vip"] in value for value in peers.values()), peers


def test_the_routing_and_stats_ports_are_private(lab, remote, stranger):
    vip = lab["vars"]["vip"]
    balancers = [lab["hosts"][name] for name in lab["groups"]["loadbalancers"]]
    stats = [(address, 8404) for address in balancers]
    routing = [(vip, port) for port in (5000, 5001, 6380)]
    from_app = parse_json(remote(lab["groups"]["api"][0]).python(probe_script(routing + stats)))
    from_mon = parse_json(remote(lab["groups"]["monitoring"][0]).python(probe_script(routing + stats)))
    from_stranger = parse_json(stranger(probe_script(routing + stats)))
    for address, port in routing:
        key = f"{address}:{port}"
        assert from_app[key] == "open" and from_stranger[key] != "open" and from_mon[key] != "open", (
            key, from_app, from_mon, from_stranger)
    for address, port in stats:
        key = f"{address}:{port}"
        assert from_mon[key] == "open" and from_app[key] != "open" and from_stranger[key] != "open", (
            key, from_app, from_mon, from_stranger)


def test_monitoring_reads_haproxy_s_metrics(lab, remote):
    mon = remote(lab["groups"]["monitoring"][0])
    for name in lab["groups"]["loadbalancers"]:
        result = mon.run(f"python3 -c \"import urllib.request; print(urllib.request.urlopen("
                         f"'http://{lab['hosts'][name]}:8404/metrics', timeout=10).read().decode())\"")
        assert result.returncode == 0, result.stderr
        expected = [("api", api) for api in lab["groups"]["api"]]
        expected += [("postgres_write", "pg1"), ("postgres_read", "pg2"), ("redis_master", "redis1")]
        for proxy, server in expected:
            line = f'haproxy_server_status{{proxy="{proxy}",server="{server}",state="UP"}} 1'
            assert line in result.stdout, (name, line, [x for x in result.stdout.splitlines() if "server_status{" in x])
        # The primary is not a read server, nor a replica a write server.
        assert 'haproxy_server_status{proxy="postgres_write",server="pg2",state="UP"} 0' in result.stdout, name


def test_exactly_one_load_balancer_holds_the_vip(lab, remote):
    holders = []
    for name in lab["groups"]["loadbalancers"]:
        result = remote(name).run("ip -o -4 addr show", sudo=False)
        assert result.returncode == 0, result.stderr
        if f" {lab['vars']['vip']}/" in result.stdout:
            holders.append(name)
    assert len(holders) == 1, holders


def test_the_certificate_names_the_ca_s_revocation_list_which_the_load_balancers_serve_signed(lab, stranger):
    """A client that checks revocation finds the list the certificate names, over plain HTTP through the
    VIP, signed by the CA that issued the certificate, current, and not listing the certificate."""
    ca_path = _stranger_ca(lab, stranger)
    with open(lab["root"] + "/.cache/" + lab["lab"] + "/ca/tdah-internal-ca.crt", "rb") as handle:
        ca = x509.load_pem_x509_certificate(handle.read())
    vip, name = lab["vars"]["vip"], lab["vars"]["public_name"]
    served = parse_json(stranger(FETCH % json.dumps({"ca": ca_path, "vip": vip, "name": name})))
    certificate = x509.load_der_x509_certificate(base64.b64decode(served["certificate"]))
    points = certificate.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    urls = [n.value for point in points for n in point.full_name or [] if isinstance(n, x509.UniformResourceIdentifier)]
    assert len(urls) == 1 and urls[0].startswith("http://"), urls
    url = urlsplit(urls[0])
    assert url.hostname == name, urls
    fetched = parse_json(stranger(FETCH % json.dumps({"vip": vip, "path": url.path, "host": url.netloc})))
    assert fetched["status"] == 200 and fetched["type"] == "application/pkix-crl", {**fetched, "body": "..."}
    crl = x509.load_der_x509_crl(base64.b64decode(fetched["body"]))
    assert crl.issuer == ca.subject and crl.is_signature_valid(ca.public_key())
    now = datetime.datetime.now(datetime.timezone.utc)
    assert crl.last_update_utc <= now < crl.next_update_utc - datetime.timedelta(days=1), (crl.last_update_utc, crl.next_update_utc)
    assert crl.get_revoked_certificate_by_serial_number(certificate.serial_number) is None
    # Any other path on :80 still redirects to HTTPS (the responder serves the list and challenges only).
    other = parse_json(stranger(FETCH % json.dumps({"vip": vip, "path": url.path + ".bak", "host": url.netloc})))
    assert other["status"] in (301, 302, 308), {**other, "body": "..."}


# testssl.sh (Debian's) from the image's apt cache, against the VIP with the
# platform's name and the lab's CA added to its trust stores; prints its
# findings (the JSON file).
TESTSSL = r'''
import json, os, subprocess, sys
args = json.loads(%r)
subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "--no-download", "testssl.sh"],
               check=True, capture_output=True, env={"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
if os.path.exists("/tmp/testssl.json"):
    os.remove("/tmp/testssl.json")
done = subprocess.run(["testssl", "--quiet", "--color", "0", "--warnings", "batch", "--jsonfile", "/tmp/testssl.json",
                       "--add-ca", args["ca"], "--ip", args["vip"], "https://" + args["name"] + "/"],
                      capture_output=True, text=True, timeout=600)
sys.stderr.write(done.stdout[-4000:])
print(json.dumps(json.load(open("/tmp/testssl.json"))))
'''


def test_testssl_finds_nothing_high_or_critical_and_no_protocol_below_tls_1_2(lab, stranger):
    ca = _stranger_ca(lab, stranger)
    run = stranger(TESTSSL % json.dumps({"ca": ca, "vip": lab["vars"]["vip"], "name": lab["vars"]["public_name"]}), timeout=700)
    findings = parse_json(run)
    by_id = {item["id"]: item for item in findings}
    assert "TLS1_2" in by_id and "offered" in by_id["TLS1_2"]["finding"], (by_id.get("TLS1_2"), run.stderr)
    for old in ("SSLv2", "SSLv3", "TLS1", "TLS1_1"):
        assert by_id[old]["finding"].startswith("not offered"), by_id[old]
    bad = [f"{item['id']} ({item['severity']}): {item['finding']}" for item in findings
           if item.get("severity") in ("HIGH", "CRITICAL")]
    assert not bad, bad
    # The checks that rated revocation ran and found the CRL the certificate names.
    assert by_id["cert_crlDistributionPoints"]["finding"].startswith("http://"), by_id["cert_crlDistributionPoints"]


def test_acme_challenges_reach_the_responder_on_whichever_load_balancer_holds_the_vip(lab, remote, stranger):
    """The ACME server's HTTP-01 request comes to the public name on :80: HAProxy sends it to the tls role's
    responder on the same host. A token is put on both load balancers, as the tls role does for an order."""
    token = "tdah-verify-" + base64.urlsafe_b64encode(datetime.datetime.now().isoformat().encode()).decode().rstrip("=")
    path = f"/var/lib/tdah-acme/.well-known/acme-challenge/{token}"
    for name in lab["groups"]["loadbalancers"]:
        put = remote(name).run(f"tee {path} >/dev/null", sudo=True, input=token + ".thumbprint")
        assert put.returncode == 0, put.stderr
    try:
        host = lab["vars"]["public_name"]
        got = parse_json(stranger(FETCH % json.dumps({"vip": lab["vars"]["vip"], "path": f"/.well-known/acme-challenge/{token}",
                                                      "host": host})))
        assert got["status"] == 200 and base64.b64decode(got["body"]) == (token + ".thumbprint").encode(), got
        missing = parse_json(stranger(FETCH % json.dumps({"vip": lab["vars"]["vip"], "path": "/.well-known/acme-challenge/none",
                                                          "host": host})))
        assert missing["status"] == 404, missing
    finally:
        for name in lab["groups"]["loadbalancers"]:
            remote(name).run(f"rm -f {path}", sudo=True)


def test_a_reload_hands_the_servers_states_to_the_new_process(lab, remote):
    """The new process of a reload starts with the replica DOWN on the PostgreSQL write port and the Redis
    replicas DOWN on the master port, from the states the old one saved: without them it would route to
    every server until its first checks. Reloaded on the load balancer that does not hold the VIP."""
    vip = lab["vars"]["vip"]
    holds = {name: f" {vip}/" in remote(name).run("ip -o -4 addr show").stdout for name in lab["groups"]["loadbalancers"]}
    other = remote(next(name for name, held in holds.items() if not held))
    done = other.run("sh -c 'since=$(date +%s.%N); systemctl reload haproxy.service && sleep 1 "
                     "&& journalctl -u haproxy.service --since @$since -o cat --no-pager'", sudo=True)
    assert done.returncode == 0, done.stderr
    restored = [line for line in done.stdout.splitlines() if "changed from server-state after a reload" in line]
    assert len([x for x in restored if "Server postgres_write/" in x]) == len(lab["groups"]["postgres"]) - 1, done.stdout
    assert len([x for x in restored if "Server redis_master/" in x]) == len(lab["groups"]["redis"]) - 1, done.stdout
    assert "Can't open global server state file" not in done.stdout, done.stdout
