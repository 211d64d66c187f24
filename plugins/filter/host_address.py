# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""host_address: the address other hosts use to reach an inventory host."""
from __future__ import annotations

import ipaddress

DOCUMENTATION = r"""
name: host_address
short_description: The address other hosts use to reach an inventory host
version_added: 0.1.0
description:
  - Given a host's variables (C(hostvars[host])), returns, in this order, the value of the role's address
    variable when it is set, C(ansible_host) when it is an IP address, the default IPv4 address from the
    host's facts (gathered or cached), else the inventory name.
  - Service roles use it for the addresses they write into configuration (replication sources, Sentinel's
    master) and certificates carry the same default IPv4 address.
author: tdah.platform maintainers (@tdah-platform)
options:
  _input:
    description: The host's variables, C(hostvars[host]).
    type: dict
    required: true
  variable:
    description: Name of the role's address variable (V(redis_sentinel_address)).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: The address of the initial master
  ansible.builtin.debug:
    msg: "{{ hostvars[redis_sentinel_initial_master] | tdah.platform.host_address('redis_sentinel_address') }}"
"""

RETURN = r"""
_value:
  description: An IP address, or the host's name when nothing better is known.
  type: str
"""


def _is_ip(value) -> bool:
    try:
        ipaddress.ip_address(str(value))
    except ValueError:
        return False
    return True


def host_address(host_vars, variable: str) -> str:
    override = host_vars.get(variable)
    if override:
        return str(override)
    ansible_host = host_vars.get("ansible_host")
    if ansible_host and _is_ip(ansible_host):
        return str(ansible_host)
    facts = host_vars.get("ansible_facts") or {}
    address = (facts.get("default_ipv4") or {}).get("address")
    if address:
        return str(address)
    return str(host_vars.get("inventory_hostname"))


class FilterModule:
    def filters(self):
        return {"host_address": host_address}
