# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""host_address: the one address other hosts use to reach an inventory host."""
from __future__ import annotations

DOCUMENTATION = r"""
name: host_address
short_description: The address other hosts use to reach an inventory host (the address contract)
version_added: 0.1.0
description:
  - Given a host's variables (C(hostvars[host])), returns the one address every role writes about that host,
    in certificate SANs, C(pg_hba.conf) lines, firewall sources, replication and Sentinel addresses, and later
    load balancer backends and Prometheus targets.
  - In order, the first that is set wins. V(tdah_address), an IP address set per host or group (a NAT,
    a bastion, a multi-homed host; the address on the service network). C(ansible_host) when it is an IP
    address. The default IPv4 address from the host's facts, then the default IPv6 one.
  - A host with none of them, or a V(tdah_address) that is not an IP address, is an error that names the
    host and says what to set. Nothing falls back to a name.
author: tdah.platform maintainers (@tdah-platform)
options:
  _input:
    description: The host's variables, C(hostvars[host]).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: The address of the initial master
  ansible.builtin.debug:
    msg: "{{ hostvars[redis_sentinel_initial_master] | tdah.platform.host_address }}"

- name: The addresses of the application hosts
  ansible.builtin.debug:
    msg: "{{ groups['api'] | map('extract', hostvars) | map('tdah.platform.host_address') | list }}"
"""

RETURN = r"""
_value:
  description: An IP address.
  type: str
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.tdah.platform.plugins.module_utils._network import resolve


def host_address(host_vars) -> str:
    host = host_vars.get("inventory_hostname", "this host")
    address, problem = resolve(host, host_vars)
    if problem:
        raise AnsibleFilterError(problem)
    return address


class FilterModule:
    def filters(self):
        return {"host_address": host_address}
