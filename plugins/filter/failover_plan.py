# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""failover_plan: whether an unplanned PostgreSQL failover may promote, and whom."""
from __future__ import annotations

DOCUMENTATION = r"""
name: failover_plan
short_description: Decide an unplanned PostgreSQL failover from what the nodes answered
version_added: 0.1.0
description:
  - Takes what each node of the group answered (or that it did not) and returns the replica to promote, or the
    reasons not to.
  - It refuses while a node still runs as a primary (that is a switchover), when no replica answered, and while a
    replica that answered still receives WAL from a node that did not answer. That node is a live primary that
    only the controller cannot reach; promoting would make two primaries. O(force) skips that last check only.
  - The replica that received the most WAL is chosen; on a tie, the first in the list.
author: tdah.platform maintainers (@tdah-platform)
options:
  _input:
    description: The nodes of the group (inventory names), in inventory order.
    type: list
    elements: str
    required: true
  answers:
    description:
      - What each node that answered said, by name. C(in_recovery), C(received) (bytes of WAL received or
        replayed), C(receiver) (its WAL receiver's status or null), C(sender) (the host its receiver streams
        from), C(silent) (seconds since its receiver's last message). A node that is not here did not answer.
    type: dict
    required: true
  addresses:
    description: Each node's address under the address contract, by name (to tell which node a sender is).
    type: dict
    required: true
  force:
    description: Promote although a replica still receives WAL from a node that did not answer.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Decide
  ansible.builtin.set_fact:
    __plan: "{{ groups['postgres'] | tdah.platform.failover_plan(__answers, __addresses, force=pg_failover_force | bool) }}"
"""

RETURN = r"""
_value:
  description: The decision.
  type: dict
  contains:
    target:
      description: The replica to promote (empty when there are problems).
      type: str
    primaries:
      description: Nodes that answered as a primary.
      type: list
      elements: str
    attached:
      description: Replicas that still stream from a node that did not answer, as C(host), C(sender) (its
        inventory name when known), C(address), C(silent).
      type: list
      elements: dict
    problems:
      description: Why not to promote; empty when the promotion may go on.
      type: list
      elements: str
"""


def failover_plan(hosts, answers, addresses, force=False) -> dict:
    nodes = [{**(answers.get(host) or {}), "host": host, "address": addresses.get(host), "answered": host in answers}
             for host in hosts]
    answered = [node for node in nodes if node.get("answered")]
    standbys = [node for node in answered if node.get("in_recovery")]
    primaries = [node["host"] for node in answered if not node.get("in_recovery")]
    names = {node.get("address"): node["host"] for node in nodes if node.get("address")}
    followers = {node.get("address") for node in standbys}
    attached = []
    for node in standbys:
        sender = node.get("sender")
        if node.get("receiver") == "streaming" and sender and sender not in followers and names.get(sender) != node["host"]:
            attached.append({"host": node["host"], "sender": names.get(sender, sender), "address": sender,
                             "silent": node.get("silent")})
    problems = []
    if primaries:
        problems.append(f"A primary still runs ({', '.join(primaries)}): use playbooks/pg_switchover.yml.")
    if not standbys:
        problems.append("No running replica answered: nothing can be promoted.")
    if attached and not force and not primaries:
        streams = "; ".join(
            f"{item['host']} still receives WAL from {item['sender']} ({item['address']}), last message "
            f"{'?' if item['silent'] is None else format(float(item['silent']), '.1f')} s ago" for item in attached)
        problems.append(
            f"Not promoting: {streams}. That primary is alive; only this controller cannot reach it, and a "
            "promotion now would make two primaries. Restore the path to it (then use playbooks/pg_switchover.yml "
            "if it must go), or set pg_failover_force=true to promote anyway: the old primary is then fenced as "
            "soon as its health endpoint sees the new one.")
    target = ""
    if not problems:
        best = max(standbys, key=lambda node: int(node.get("received") or 0))
        target = next(node["host"] for node in standbys if int(node.get("received") or 0) == int(best.get("received") or 0))
    return {"target": target, "primaries": primaries, "attached": attached, "problems": problems}


class FilterModule:
    def filters(self):
        return {"failover_plan": failover_plan}
