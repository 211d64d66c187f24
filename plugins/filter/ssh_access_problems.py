# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ssh_access_problems: why an SSH and firewall configuration would lock someone out."""
from __future__ import annotations

DOCUMENTATION = r"""
name: ssh_access_problems
short_description: Lock-out preflight of the hardening role
version_added: 0.1.0
description:
  - Given what the host says about each user that must keep SSH access (the administrators and the user
    Ansible connects as) and the settings about to be applied, returns one message per way the
    configuration would lock one of them out, or cut the controller's own connection at the firewall.
  - A user is locked out when it does not exist, is not in C(AllowUsers) or in one of C(AllowGroups) when
    those are set, is root while C(PermitRootLogin no), or has no non-empty C(~/.ssh/authorized_keys).
  - The firewall cuts the connection when its admin networks are empty, are not CIDR networks, or do not
    hold the address the controller connects from (read without privilege escalation, as sudo drops
    C(SSH_CONNECTION)).
author: tdah.platform maintainers (@tdah-platform)
options:
  _input:
    description: One item per user, with V(user), V(exists), V(groups) and V(key_size).
    type: list
    elements: dict
    required: true
  settings:
    description: >-
      V(allow_users), V(allow_groups), V(permit_root_login), V(firewall) (whether the firewall is managed),
      V(admin_networks) and V(client_address) (empty when not connected over SSH).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Nobody who must keep access is locked out
  ansible.builtin.assert:
    that: __problems | length == 0
    fail_msg: "{{ __problems | join('; ') }}"
  vars:
    __problems: >-
      {{ [{'user': 'deploy', 'exists': true, 'groups': ['deploy'], 'key_size': 81}]
         | tdah.platform.ssh_access_problems({'allow_users': [], 'allow_groups': [], 'permit_root_login': 'no',
                                              'firewall': true, 'admin_networks': ['10.0.0.0/24'],
                                              'client_address': '10.0.0.1'}) }}
"""

RETURN = r"""
_value:
  description: One message per problem; empty when nobody is locked out.
  type: list
  elements: str
"""

from ansible_collections.tdah.platform.plugins.module_utils._hardening import ssh_access_problems


class FilterModule:
    def filters(self):
        return {"ssh_access_problems": ssh_access_problems}
