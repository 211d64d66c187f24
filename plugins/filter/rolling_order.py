# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""rolling_order: the nodes a change restarts, one at a time, the serving node last."""
from __future__ import annotations

DOCUMENTATION = r"""
name: rolling_order
short_description: The order in which a role restarts the nodes that need it, one at a time, the primary last
version_added: 0.1.0
description:
  - From the hosts of a play (in play order), the ones whose entry in O(pending) is true, with O(last) (the
    PostgreSQL primary, the Redis master) moved to the end, so that a change restarts the replicas first and
    the node that serves writes only when every replica runs the change.
  - A host missing from O(pending) needs nothing. Hosts are never repeated.
author: tdah.platform maintainers (@tdah-platform)
options:
  _input:
    description: The hosts of the play, in play order (C(ansible_play_hosts)).
    type: list
    elements: str
    required: true
  pending:
    description: Host name to whether it needs a restart (a bool, or a list of reasons that is empty when not).
    type: dict
    required: true
  last:
    description: The host that serves writes; restarted after all others.
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: Replicas first, then the primary
  ansible.builtin.debug:
    msg: "{{ ['pg1', 'pg2', 'pg3'] | tdah.platform.rolling_order({'pg1': true, 'pg2': ['shared_buffers'], 'pg3': []}, 'pg1') }}"
  # ['pg2', 'pg1']
"""

RETURN = r"""
_value:
  description: The hosts to restart, in order.
  type: list
  elements: str
"""


def rolling_order(hosts, pending, last="") -> list:
    chosen = []
    for host in hosts:
        if host not in chosen and pending.get(host):
            chosen.append(host)
    if last in chosen:
        chosen.remove(last)
        chosen.append(last)
    return chosen


class FilterModule:
    def filters(self):
        return {"rolling_order": rolling_order}
