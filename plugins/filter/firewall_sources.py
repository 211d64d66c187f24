# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""firewall_sources: the source addresses a firewall rule admits."""
from __future__ import annotations

DOCUMENTATION = r"""
name: firewall_sources
short_description: The source addresses and networks a firewall rule admits, per IP version
version_added: 0.1.0
description:
  - Resolves a rule's C(from_groups) and C(from_hosts) to each host's address under the address contract
    (P(tdah.platform.host_address#filter)), adds its C(from_networks), and returns them per IP version with
    overlaps merged, as nftables sets need them.
  - A host without an address is an error that names it.
author: tdah.platform maintainers (@tdah-platform)
options:
  _input:
    description: One firewall rule.
    type: dict
    required: true
  groups:
    description: C(groups).
    type: dict
    required: true
  hostvars:
    description: C(hostvars).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Sources of a rule
  ansible.builtin.debug:
    msg: "{{ {'name': 'pg', 'port': 5432, 'from_groups': ['api']} | tdah.platform.firewall_sources(groups, hostvars) }}"
"""

RETURN = r"""
_value:
  description: C(v4) and C(v6), each a sorted list of addresses and CIDR networks.
  type: dict
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.tdah.platform.plugins.module_utils._hardening import rule_sources


def firewall_sources(rule, groups, hostvars) -> dict:
    try:
        return rule_sources(rule, groups, hostvars)
    except ValueError as exc:
        raise AnsibleFilterError(f"firewall rule {rule.get('name')}: {exc}") from exc


class FilterModule:
    def filters(self):
        return {"firewall_sources": firewall_sources}
