# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""firewall_rule_problems: what is wrong with a list of firewall rules."""
from __future__ import annotations

DOCUMENTATION = r"""
name: firewall_rule_problems
short_description: Preflight check of the hardening role's firewall rules
version_added: 0.1.0
description:
  - Checks each rule of a C(hardening_firewall_rules) style list and returns one message per malformed rule
    that names the variable and says what to fix. A rule has C(name) (letters, digits, C(.) C(_) C(-)),
    C(port) (1-65535) or C(ports) (a list of them), C(proto) (C(tcp) or C(udp)), and at least one source
    among C(from_groups) (inventory groups), C(from_hosts) (inventory hosts) and C(from_networks) (CIDR);
    no other key.
author: tdah.platform maintainers (@tdah-platform)
options:
  _input:
    description: The rules.
    type: list
    elements: dict
    required: true
  variable:
    description: Name of the variable the rules come from, for the messages.
    type: str
    required: true
  groups:
    description: C(groups).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: The rules are well formed
  ansible.builtin.assert:
    that: __problems | length == 0
    fail_msg: "{{ __problems | join('; ') }}"
  vars:
    __problems: "{{ hardening_firewall_rules | tdah.platform.firewall_rule_problems('hardening_firewall_rules', groups) }}"
"""

RETURN = r"""
_value:
  description: One message per malformed rule; empty when every rule is well formed.
  type: list
  elements: str
"""

from ansible_collections.tdah.platform.plugins.module_utils._hardening import rule_problems


def firewall_rule_problems(rules, variable, groups) -> list:
    return rule_problems(rules, variable, groups, groups.get("all", []))


class FilterModule:
    def filters(self):
        return {"firewall_rule_problems": firewall_rule_problems}
