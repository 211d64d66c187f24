"""The hardening firewall: every port a host listens on is closed to a stranger on the same
network, and open to the hosts whose group needs it. The stranger probes by address, so that a
name that does not resolve cannot pass for a refusal; positive controls (the path exists, the same
ports answer the hosts that may use them) show that "closed" cannot pass by accident."""
from __future__ import annotations

import pytest

from conftest import controller_probe, parse_json, probe_script

PING = r'''
import json, socket, struct, time
def echo(address):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP)
    s.settimeout(2)
    packet = struct.pack("!BBHHH", 8, 0, 0, 0, 1) + b"tdah"
    try:
        s.sendto(packet, (address, 0))
        data = s.recvfrom(1024)[0]
        return data[0] == 0
    except OSError:
        return False
    finally:
        s.close()
print(json.dumps({a: echo(a) for a in %r}))
'''


@pytest.fixture(scope="module")
def listening(lab, remote) -> dict[str, list[int]]:
    """The TCP ports each host listens on, except loopback-only ones."""
    ports = {}
    for name in lab["hosts"]:
        result = remote(name).run("ss -H -ltn", sudo=True)
        assert result.returncode == 0, result.stderr
        found = set()
        for line in result.stdout.splitlines():
            local = line.split()[3]
            address, port = local.rsplit(":", 1)
            if address.strip("[]") in ("127.0.0.1", "::1") or address.startswith("127.") or "%lo" in address:
                continue
            found.add(int(port))
        ports[name] = sorted(found)
    return ports


def test_every_host_listens_on_what_its_groups_serve(lab, listening):
    for name in lab["groups"]["postgres"]:
        assert {22, 5432, 8008} <= set(listening[name]), listening[name]
    for name in lab["groups"]["redis"]:
        assert {22, 6379, 26379} <= set(listening[name]), listening[name]
    for name in lab["groups"]["api"]:
        assert 8000 in listening[name], listening[name]
    for name in lab["groups"]["frontend"]:
        assert 8080 in listening[name], listening[name]
    for name in lab["groups"]["loadbalancers"]:
        assert {80, 443, 5000, 5001, 6380, 8404} <= set(listening[name]), listening[name]
    for name, ports in listening.items():
        assert 22 in ports, f"{name}: {ports}"


def test_the_stranger_reaches_every_host_but_no_listening_port(lab, stranger, listening):
    """Everything but the load balancers' public entry (80 and 443, on their addresses and the VIP)."""
    addresses = sorted(lab["hosts"].values())
    # Positive control: the network path exists (the firewall lets ping through, rate-limited).
    pings = parse_json(stranger(PING % addresses))
    assert all(pings.values()), f"the stranger cannot reach {[a for a, ok in pings.items() if not ok]}"
    public = {(lab["hosts"][name], port) for name in lab["groups"]["loadbalancers"] for port in (80, 443)}
    targets = [(lab["hosts"][name], port) for name, ports in listening.items() for port in ports
               if (lab["hosts"][name], port) not in public]
    targets += [(lab["vars"]["vip"], port) for port in (5000, 5001, 6380, 8404)]
    assert len(targets) >= 30, targets
    result = parse_json(stranger(probe_script(targets + sorted(public), timeout=3.0)))
    opened = {target: result[f"{target[0]}:{target[1]}"] for target in targets}
    opened = {target: state for target, state in opened.items() if state not in ("timeout", "refused")}
    assert not opened, f"open to the stranger: {opened}"
    # The public entry is open to anyone (the positive control of the probe itself).
    assert all(result[f"{a}:{p}"] == "open" for a, p in public), result


def test_the_same_ports_answer_the_groups_that_need_them(lab, remote):
    pg = [lab["hosts"][h] for h in lab["groups"]["postgres"]]
    redis = [lab["hosts"][h] for h in lab["groups"]["redis"]]
    app = remote(lab["groups"]["api"][0])
    lb = remote(lab["groups"]["loadbalancers"][0])
    from_app = parse_json(app.python(probe_script([(a, 5432) for a in pg] + [(a, 8008) for a in pg]
                                                  + [(a, 6379) for a in redis] + [(a, 26379) for a in redis])))
    for address in pg:
        assert from_app[f"{address}:5432"] == "open", from_app
        # The health endpoint is for load balancers, monitoring and the other nodes, not the application.
        assert from_app[f"{address}:8008"] == "timeout", from_app
    for address in redis:
        assert from_app[f"{address}:6379"] == "open" and from_app[f"{address}:26379"] == "open", from_app
    # The load balancers check the health endpoint and route to PostgreSQL and Redis; the
    # Sentinels are not theirs to ask.
    from_lb = parse_json(lb.python(probe_script([(a, 8008) for a in pg] + [(a, 5432) for a in pg]
                                                + [(a, 6379) for a in redis])))
    for address in pg:
        assert from_lb[f"{address}:8008"] == "open" and from_lb[f"{address}:5432"] == "open", from_lb
    for address in redis:
        assert from_lb[f"{address}:6379"] == "open", from_lb


def test_the_api_answers_load_balancers_and_monitoring_the_frontend_load_balancers_only(lab, remote):
    api = [lab["hosts"][h] for h in lab["groups"]["api"]]
    frontend = [lab["hosts"][h] for h in lab["groups"]["frontend"]]
    targets = [(a, 8000) for a in api] + [(a, 8080) for a in frontend]
    from_lb = parse_json(remote(lab["groups"]["loadbalancers"][0]).python(probe_script(targets)))
    from_mon = parse_json(remote(lab["groups"]["monitoring"][0]).python(probe_script(targets)))
    from_db = parse_json(remote(lab["groups"]["postgres"][0]).python(probe_script(targets)))
    for address in api:
        assert from_lb[f"{address}:8000"] == "open" and from_mon[f"{address}:8000"] == "open", (from_lb, from_mon)
        assert from_db[f"{address}:8000"] == "timeout", from_db
    for address in frontend:
        assert from_lb[f"{address}:8080"] == "open", from_lb
        assert from_mon[f"{address}:8080"] == "timeout" and from_db[f"{address}:8080"] == "timeout", (from_mon, from_db)


def test_ssh_answers_the_controller_only(lab, stranger):
    addresses = sorted(lab["hosts"].values())
    assert set(controller_probe([(a, 22) for a in addresses]).values()) == {"open"}
    assert set(parse_json(stranger(probe_script([(a, 22) for a in addresses]))).values()) <= {"timeout", "refused"}
