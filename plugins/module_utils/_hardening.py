# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Decisions of the hardening role: firewall rules and sources, SSH lock-out checks."""
from __future__ import annotations

import ipaddress
import re
from typing import Any, Iterable, Mapping

from ansible_collections.tdah.platform.plugins.module_utils._network import in_any, parse_network, resolve

RULE_KEYS = ("name", "port", "ports", "proto", "from_groups", "from_hosts", "from_networks")
# tcp and udp rules name ports; vrrp (IP protocol 112, keepalived's
# advertisements) has none.
PROTOCOLS = ("tcp", "udp", "vrrp")
PORTLESS = ("vrrp",)
_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def _ports(rule: Mapping) -> list:
    """The rule's ports as a list, whether given as port, ports, a list or a single value."""
    if "ports" in rule:
        ports = rule["ports"]
        return list(ports) if isinstance(ports, (list, tuple)) else [ports]
    return [rule["port"]] if "port" in rule else []


def _valid_port(port: Any) -> bool:
    text = str(port).strip()
    return text.isdigit() and 0 < int(text) < 65536


def _as_list(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def rule_problems(rules: Any, variable: str, groups: Mapping, hosts: Iterable[str]) -> list[str]:
    """What is wrong with each firewall rule, one message per rule, naming the variable."""
    if not isinstance(rules, (list, tuple)):
        return [f"{variable} must be a list of rules (is {rules!r})"]
    known_hosts = set(hosts)
    problems = []
    for rule in rules:
        if not isinstance(rule, Mapping):
            problems.append(f"Malformed rule in {variable}: {rule!r} is not a mapping")
            continue
        why = []
        name = rule.get("name", "")
        if not isinstance(name, str) or not _NAME.match(name):
            why.append("name must be letters, digits, . _ or -")
        ports = _ports(rule)
        proto = rule.get("proto", "tcp")
        if proto not in PROTOCOLS:
            why.append("proto must be tcp, udp or vrrp")
        elif proto in PORTLESS:
            if ports:
                why.append(f"{proto} has no ports: leave out port and ports")
        elif not ports or not all(_valid_port(p) for p in ports):
            why.append("port (1-65535) or ports (a list of them) is required")
        from_groups = _as_list(rule.get("from_groups"))
        from_hosts = _as_list(rule.get("from_hosts"))
        from_networks = _as_list(rule.get("from_networks"))
        unknown_groups = [g for g in from_groups if g not in groups]
        if unknown_groups:
            why.append(f"from_groups must name inventory groups: unknown here {unknown_groups}")
        unknown_hosts = [h for h in from_hosts if h not in known_hosts]
        if unknown_hosts:
            why.append(f"from_hosts must name inventory hosts: unknown here {unknown_hosts}")
        bad_networks = [n for n in from_networks if parse_network(n) is None]
        if bad_networks:
            why.append(f"from_networks must be CIDR networks: not one {bad_networks}")
        if not (from_groups or from_hosts or from_networks):
            why.append("at least one source (from_groups, from_hosts, from_networks) is required")
        extra = sorted(set(rule) - set(RULE_KEYS))
        if extra:
            why.append(f"unknown keys {extra} (allowed: {', '.join(RULE_KEYS)})")
        if why:
            problems.append(f"Malformed rule in {variable}: {dict(rule)}: " + "; ".join(why))
    return problems


def rule_hosts(rules: Iterable[Mapping], groups: Mapping) -> list[str]:
    """The inventory hosts the rules admit, by group or by name."""
    out: list[str] = []
    for rule in rules:
        for group in _as_list(rule.get("from_groups")):
            for host in groups.get(group, []):
                if host not in out:
                    out.append(host)
        for host in _as_list(rule.get("from_hosts")):
            if host not in out:
                out.append(host)
    return out


def rule_sources(rule: Mapping, groups: Mapping, hostvars: Mapping) -> dict[str, list[str]]:
    """The source networks a rule admits, per IP version, overlaps merged (nft refuses
    overlapping elements): each host by its contract address, plus from_networks."""
    networks = []
    for host in rule_hosts([rule], groups):
        address, problem = resolve(host, hostvars[host])
        if problem:
            raise ValueError(problem)
        networks.append(ipaddress.ip_network(address))
    for network in _as_list(rule.get("from_networks")):
        parsed = parse_network(network)
        if parsed is None:
            raise ValueError(f"'{network}' in from_networks of {rule.get('name')} is not a CIDR network")
        networks.append(parsed)
    out = {"ports": [int(str(p).strip()) for p in _ports(rule)], "proto": str(rule.get("proto", "tcp")),
           "from": ([f"group {g}" for g in _as_list(rule.get("from_groups"))] + [str(h) for h in _as_list(rule.get("from_hosts"))]
                    + [str(n) for n in _as_list(rule.get("from_networks"))])}
    for version, key in ((4, "v4"), (6, "v6")):
        merged = ipaddress.collapse_addresses(sorted(n for n in networks if n.version == version))
        out[key] = [str(n.network_address) if n.num_addresses == 1 else str(n) for n in merged]
    return out


def ssh_access_problems(keep: Iterable[Mapping], settings: Mapping) -> list[str]:
    """Why the SSH and firewall settings would lock out a user that must keep access.

    keep: one mapping per user: user, exists (bool), groups (list), key_size (int).
    settings: allow_users, allow_groups, permit_root_login, firewall (bool),
    admin_networks (list), client_address (the address the controller
    connects from over SSH, '' when not over SSH), ssh_port (the port sshd is
    to listen on) and server_port (the one this connection came in on, 0
    when not over SSH).
    """
    problems = []
    allow_users = _as_list(settings.get("allow_users"))
    allow_groups = _as_list(settings.get("allow_groups"))
    for entry in keep:
        user = entry["user"]
        why = []
        if not entry.get("exists"):
            why.append("the user does not exist on this host")
        if allow_users and user not in allow_users:
            why.append(f"not in hardening_ssh_allow_users {allow_users}")
        if allow_groups and not set(_as_list(entry.get("groups"))) & set(allow_groups):
            why.append(f"in none of hardening_ssh_allow_groups {allow_groups} (member of {_as_list(entry.get('groups'))})")
        if user == "root" and settings.get("permit_root_login") == "no":
            why.append("root while hardening_ssh_permit_root_login is 'no'")
        if int(entry.get("key_size") or 0) <= 0:
            why.append("no non-empty ~/.ssh/authorized_keys (logins are key-only)")
        if why:
            problems.append(f"Refusing to apply an SSH config that locks out '{user}': " + "; ".join(why))
    ssh_port, server_port = int(settings.get("ssh_port") or 0), int(settings.get("server_port") or 0)
    if ssh_port and server_port and ssh_port != server_port:
        problems.append(f"hardening_ssh_port is {ssh_port} but Ansible is connected to port {server_port}: sshd and the "
                        "firewall would stop answering this run's next connection. Move the port in two steps (listen "
                        f"on both with hardening_ssh_extra_options, then set ansible_port to {ssh_port})")
    if settings.get("firewall"):
        networks = _as_list(settings.get("admin_networks"))
        bad = [n for n in networks if parse_network(n) is None]
        if not networks:
            problems.append("hardening_firewall_admin_networks is empty: list the CIDR networks allowed to reach SSH")
        if bad:
            problems.append(f"hardening_firewall_admin_networks must be CIDR networks: not one {bad}")
        client = settings.get("client_address") or ""
        if client and networks and not bad and not in_any(client, networks):
            problems.append(f"Fix hardening_firewall_admin_networks ({networks}): it does not hold {client}, the "
                            f"address Ansible connects from, so the firewall would cut this connection")
    return problems
