# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""haproxy_preflight_problems and haproxy_vip_interface: the haproxy role's checks of its input."""
from __future__ import annotations

import ipaddress
import re

DOCUMENTATION = r"""
name: haproxy_preflight_problems
short_description: Preflight of the haproxy role
version_added: 0.1.0
description:
  - Given the haproxy role's settings and the load balancers' facts, returns one message per problem, so that a
    bad variable stops the run before any host changes.
  - A backend without servers, a request rate limit that is not a positive number, an HSTS lifetime shorter than
    the seed's year, ports out of range or used twice, a VIP that is not an address or lies in no network of a
    load balancer's interfaces, a VRRP router id out of 1-255, a VRRP password that is empty, longer than VRRP's 8
    characters or unsafe in keepalived's file, fewer than two load balancers for a VIP, a certificate name that
    is not a file base name.
author: tdah.platform maintainers (@tdah-platform)
options:
  _input:
    description: >-
      The settings: V(backends) (backend name to its list of servers), V(rate_limit), V(rate_period),
      V(hsts_max_age), V(ports) (variable name to port), V(vip), V(vrrp_router_id), V(vrrp_password),
      V(certificates) (names), V(timeouts) (variable name to a duration).
    type: dict
    required: true
  facts:
    description: The load balancers' facts, by host (C(ansible_facts) of each).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: The haproxy role's input is sound
  ansible.builtin.assert:
    that: __problems | length == 0
    fail_msg: "{{ __problems | join('; ') }}"
  vars:
    __problems: "{{ {'backends': {'api': ['app1']}, 'rate_limit': 100} | tdah.platform.haproxy_preflight_problems({}) }}"
"""

RETURN = r"""
_value:
  description: One message per problem; empty when the input is sound.
  type: list
  elements: str
"""

SEED_HSTS = 31536000
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
DURATION = re.compile(r"^[0-9]+(us|ms|s|m|h|d)?$")
UNSAFE = re.compile(r"[\"'\\\s#!]")


def _as_int(value):
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def interface_networks(facts: dict) -> list:
    """(interface, network) of every address a host's facts show, IPv4 and IPv6, loopback left out."""
    out = []
    for name in facts.get("interfaces", []) or []:
        entry = facts.get(str(name).replace("-", "_").replace(".", "_"), {}) or {}
        ipv4 = [entry.get("ipv4")] if isinstance(entry.get("ipv4"), dict) else []
        for item in ipv4 + list(entry.get("ipv4_secondaries", []) or []) + list(entry.get("ipv6", []) or []):
            try:
                mask = item.get("prefix") or item.get("netmask")
                network = ipaddress.ip_network(f"{item['address']}/{mask}", strict=False)
            except (KeyError, TypeError, ValueError):
                continue
            if not network.network_address.is_loopback:
                out.append((str(name), network))
    return out


def haproxy_vip_interface(facts: dict, vip: str) -> str:
    """The interface whose network holds the VIP, or '' when none does."""
    try:
        address = ipaddress.ip_address(str(vip))
    except ValueError:
        return ""
    for name, network in interface_networks(facts):
        if network.version == address.version and address in network and address != network.network_address:
            return name
    return ""


def _vip_problems(settings: dict, facts: dict) -> list:
    vip = str(settings.get("vip") or "")
    if not vip:
        return []
    try:
        address = ipaddress.ip_address(vip)
    except ValueError:
        return [f"haproxy_vip must be an IP address (is {vip!r})"]
    problems = []
    if address.is_loopback or address.is_link_local or address.is_multicast or address.is_unspecified:
        problems.append(f"haproxy_vip {vip} cannot be reached by clients: choose an address of the load balancers' network")
    if len(facts) < 2:
        problems.append(f"haproxy_vip needs at least two load balancers to move between (the group has {len(facts)})")
    for host in sorted(facts):
        if not haproxy_vip_interface(facts[host], vip):
            seen = ", ".join(f"{name} {network}" for name, network in interface_networks(facts[host])) or "none"
            problems.append(f"haproxy_vip {vip} is in no network of {host}'s interfaces ({seen}): "
                            "choose a free address of the load balancers' subnet")
    router = _as_int(settings.get("vrrp_router_id"))
    if router is None or not 1 <= router <= 255:
        problems.append(f"haproxy_vrrp_router_id must be from 1 to 255 (is {settings.get('vrrp_router_id')!r})")
    password = settings.get("vrrp_password") or ""
    if not password:
        problems.append("haproxy_vrrp_password is empty: set it from Vault (VRRP takes at most 8 characters)")
    elif len(password) > 8:
        problems.append(f"haproxy_vrrp_password must be at most 8 characters (VRRP ignores the rest; is {len(password)})")
    elif UNSAFE.search(password):
        problems.append("haproxy_vrrp_password must not hold a quote, a backslash, '#', '!' or a space")
    return problems


def haproxy_preflight_problems(settings: dict, facts: dict) -> list:
    problems = []
    for name, servers in sorted((settings.get("backends") or {}).items()):
        if not servers:
            problems.append(f"the {name} backend has no servers: add hosts to its group or turn it off")
    rate = _as_int(settings.get("rate_limit"))
    if rate is None or rate <= 0:
        problems.append(f"haproxy_rate_limit must be a positive number of requests per source and period "
                        f"(is {settings.get('rate_limit')!r}); to turn the limit off, set haproxy_rate_limit_enabled: false")
    period = str(settings.get("rate_period", "10s"))
    if not DURATION.match(period) or _as_int(re.sub(r"[a-z]+$", "", period)) == 0:
        problems.append(f"haproxy_rate_period must be a duration like 10s (is {period!r})")
    hsts = _as_int(settings.get("hsts_max_age"))
    if hsts is None or hsts < SEED_HSTS:
        problems.append(f"haproxy_hsts_max_age must be at least {SEED_HSTS} seconds, the seed's year "
                        f"(is {settings.get('hsts_max_age')!r})")
    ports = settings.get("ports") or {}
    for name, port in sorted(ports.items()):
        value = _as_int(port)
        if value is None or not 1 <= value <= 65535:
            problems.append(f"{name} must be a port from 1 to 65535 (is {port!r})")
    used = {}
    for name, port in sorted(ports.items()):
        used.setdefault(_as_int(port), []).append(name)
    for port, names in sorted((p, n) for p, n in used.items() if p is not None and len(n) > 1):
        problems.append(f"{' and '.join(names)} are the same port ({port}): give each its own")
    for name in settings.get("certificates") or []:
        if not NAME.match(str(name)):
            problems.append(f"haproxy_certificates: {name!r} must be a certificate name of the tls role (a file base name)")
    if not settings.get("certificates"):
        problems.append("haproxy_certificates is empty: name at least one tls role certificate to serve on HTTPS")
    for name, value in sorted((settings.get("timeouts") or {}).items()):
        if not DURATION.match(str(value)):
            problems.append(f"{name} must be a duration like 30s (is {value!r})")
    return problems + _vip_problems(settings, facts)


class FilterModule:
    def filters(self):
        return {"haproxy_preflight_problems": haproxy_preflight_problems,
                "haproxy_vip_interface": haproxy_vip_interface}
