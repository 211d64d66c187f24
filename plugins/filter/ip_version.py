# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ip_version: the addresses or networks of one IP version."""
from __future__ import annotations

DOCUMENTATION = r"""
name: ip_version
short_description: Keep the addresses or CIDR networks of one IP version
version_added: 0.1.0
description:
  - Returns the items of the list that are IPv4 (or IPv6) addresses or networks, in order and without
    duplicates; anything else is dropped. Uses only the Python standard library.
author: tdah.platform maintainers (@tdah-platform)
options:
  _input:
    description: Addresses and CIDR networks.
    type: list
    elements: str
    required: true
  version:
    description: The IP version to keep.
    type: int
    choices: [4, 6]
    required: true
"""

EXAMPLES = r"""
- name: IPv4 admin networks
  ansible.builtin.debug:
    msg: "{{ hardening_firewall_admin_networks | tdah.platform.ip_version(4) }}"
"""

RETURN = r"""
_value:
  description: The items of that version.
  type: list
  elements: str
"""

from ansible_collections.tdah.platform.plugins.module_utils._network import by_version


def ip_version(values, version) -> list:
    return by_version(values, int(version))


class FilterModule:
    def filters(self):
        return {"ip_version": ip_version}
