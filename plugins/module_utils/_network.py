# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's address contract and the network checks built on it.

One address per inventory host, used for everything other hosts write about
it (certificate SANs, pg_hba, firewall sources, replication and Sentinel
addresses, load balancer backends, Prometheus targets). In order:

1. ``tdah_address`` when it is set (an IP address, per host or group);
2. ``ansible_host`` when it is an IP address;
3. the default IPv4 address from the host's facts, then the default IPv6 one;

and nothing else: a host with none of them is an error, never a guess. An
address other hosts cannot use (loopback, link-local, unspecified,
multicast) is refused in tdah_address and passed over elsewhere.
"""
from __future__ import annotations

import ipaddress
from typing import Any, Iterable, Mapping

ADDRESS_VARIABLE = "tdah_address"


def parse_ip(value: Any):
    """The value as an IP address object, or None."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return ipaddress.ip_address(str(value).strip())
    except ValueError:
        return None


def parse_network(value: Any):
    """An address or CIDR network as a network object, or None (host bits may be set)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return ipaddress.ip_network(str(value).strip(), strict=False)
    except ValueError:
        return None


class _Unresolved(Exception):
    """A variable of the host could not be evaluated."""


def _get(host_vars: Mapping, name: str, default=None):
    try:
        value = host_vars.get(name, default)
    except Exception as exc:  # pylint: disable=broad-except  # hostvars raise their own errors on bad templates
        raise _Unresolved(f"{name}: {exc}") from exc
    return default if value is None else value


def resolve(host: str, host_vars: Mapping) -> tuple[str | None, str | None]:
    """(address, problem): the host's address under the contract, or why there is none."""
    try:
        return _resolve(host, host_vars)
    except _Unresolved as exc:
        return None, f"the address of {host} cannot be worked out: {exc}"


def reachable(address) -> bool:
    """Whether other hosts can use the address: not loopback, link-local (it needs an interface),
    unspecified or multicast."""
    return not (address.is_loopback or address.is_link_local or address.is_unspecified or address.is_multicast
                or getattr(address, "scope_id", None))


def _resolve(host: str, host_vars: Mapping) -> tuple[str | None, str | None]:
    override = _get(host_vars, ADDRESS_VARIABLE, "")
    if override not in ("", None):
        address = parse_ip(override)
        if address is None:
            return None, (f"{ADDRESS_VARIABLE} of {host} is '{override}', which is not an IP address "
                          f"(set it to the address other hosts reach {host} at, or remove it)")
        if not reachable(address):
            return None, (f"{ADDRESS_VARIABLE} of {host} is '{override}', which other hosts cannot reach (loopback, "
                          "link-local, unspecified or multicast): set the address on the service network")
        return str(address), None
    # An ansible_host that only the controller can use (127.0.0.1 behind a port forward) is not the
    # host's address for other hosts: the facts are asked then.
    ansible_host = parse_ip(_get(host_vars, "ansible_host", ""))
    if ansible_host is not None and reachable(ansible_host):
        return str(ansible_host), None
    facts = _get(host_vars, "ansible_facts", {}) or {}
    for key in ("default_ipv4", "default_ipv6"):
        address = parse_ip((facts.get(key) or {}).get("address"))
        if address is not None and reachable(address):
            return str(address), None
    return None, (f"no address is known for {host}: set {ADDRESS_VARIABLE} (or ansible_host) to its IP address, "
                  "or gather its facts first")


def by_version(values: Iterable[Any], version: int) -> list[str]:
    """The addresses or networks of one IP version, normalized, without duplicates, in order."""
    out: list[str] = []
    for value in values:
        network = parse_network(value)
        if network is None or network.version != version:
            continue
        text = str(network.network_address) if network.num_addresses == 1 else str(network)
        if text not in out:
            out.append(text)
    return out


def as_host_network(address: str) -> str:
    """An address as a one-host CIDR (pg_hba, nftables), a network as it is."""
    network = parse_network(address)
    if network is None:
        raise ValueError(f"'{address}' is not an IP address or network")
    return str(network)


def in_any(address: str, networks: Iterable[str]) -> bool:
    """Whether the address lies in one of the networks."""
    ip = parse_ip(address)
    if ip is None:
        return False
    return any(ip in net for net in (parse_network(n) for n in networks) if net is not None and net.version == ip.version)
