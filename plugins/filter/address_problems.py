# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""address_problems: the hosts whose address cannot be worked out, and why."""
from __future__ import annotations

DOCUMENTATION = r"""
name: address_problems
short_description: Preflight check of the address contract for a list of hosts
version_added: 0.1.0
description:
  - For each host of the list, checks the address contract of P(tdah.platform.host_address#filter) and returns
    one message per host that breaks it (a C(tdah_address) that is not an IP address, or no address at all).
  - Roles call it in preflight so that a bad address stops the run before anything changes.
author: tdah.platform maintainers (@tdah-platform)
options:
  _input:
    description: Inventory host names.
    type: list
    elements: str
    required: true
  hostvars:
    description: C(hostvars).
    type: dict
    required: true
  hosts_only:
    description: Return the names of the hosts that break the contract instead of the messages.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Every host has an address
  ansible.builtin.assert:
    that: __problems | length == 0
    fail_msg: "{{ __problems | join('; ') }}"
  vars:
    __problems: "{{ groups['all'] | tdah.platform.address_problems(hostvars) }}"
"""

RETURN = r"""
_value:
  description: One message (or name) per host that breaks the contract; empty when every host has an address.
  type: list
  elements: str
"""

from ansible_collections.tdah.platform.plugins.module_utils._network import resolve


def address_problems(hosts, hostvars, hosts_only=False) -> list:
    out = []
    for host in hosts:
        problem = resolve(host, hostvars[host])[1]
        if problem:
            out.append(host if hosts_only else problem)
    return out


class FilterModule:
    def filters(self):
        return {"address_problems": address_problems}
