#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: redis_info
short_description: What a Redis server or a Sentinel says about replication
version_added: 0.1.0
description:
  - On Redis, its replication role from C(INFO replication) (master or replica), the master it
    follows and whether the link is up, or its replicas.
  - On a Sentinel (O(master_name) set), the address it gives for the monitored master
    (C(SENTINEL GET-MASTER-ADDR-BY-NAME)), whether the quorum can authorize a failover
    (C(SENTINEL CKQUORUM)), the master's flags and how many other Sentinels it knows.
  - A server that does not answer is reported with RV(up) false and the reason, not as a failure, so
    that a role can decide what to do when nodes are down (O(fail_when_down) changes that).
author: tdah.platform maintainers (@tdah-platform)
extends_documentation_fragment:
  - tdah.platform.redis
  - tdah.platform.attributes.INFO_MODULE
options:
  master_name:
    description: The server is a Sentinel; report on this monitored master.
    type: str
  fail_when_down:
    description: Fail when the server does not answer (instead of returning RV(up) false).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Which master the local Sentinel names
  tdah.platform.redis_info:
    login_port: 26379
    login_password: "{{ vault_redis_sentinel_password }}"
    ca_cert: /etc/ssl/tdah/tdah-internal-ca.crt
    master_name: mymaster
  register: sentinel

- name: The replication role of the local Redis
  tdah.platform.redis_info:
    login_user: health
    login_password: "{{ vault_redis_health_password }}"
    ca_cert: /etc/ssl/tdah/tdah-internal-ca.crt
  register: node
"""

RETURN = r"""
up:
  description: Whether the server answered.
  returned: always
  type: bool
  sample: true
error:
  description: Why the server did not answer (when RV(up) is false).
  returned: when the server did not answer
  type: str
  sample: "Error 111 connecting to 127.0.0.1:6379. Connection refused."
role:
  description: V(master), V(replica) or V(sentinel).
  returned: when up
  type: str
  sample: replica
master_host:
  description: The master a replica follows, or the address a Sentinel gives for the monitored master (null when it knows none).
  returned: when up, on a replica or a Sentinel
  type: str
  sample: 10.89.0.12
master_port:
  description: Port of RV(master_host).
  returned: when up, on a replica or a Sentinel
  type: int
  sample: 6379
master_link_up:
  description: Whether a replica's link to its master is up.
  returned: when up, on a replica
  type: bool
  sample: true
replicas:
  description: The replicas a master reports (address, port, offset).
  returned: when up, on a master
  type: list
  elements: dict
  sample: [{"ip": "10.89.0.13", "port": 6379, "offset": 4242}]
offset:
  description: The replication offset of the server.
  returned: when up, on Redis
  type: int
  sample: 4242
quorum_ok:
  description: Whether C(SENTINEL CKQUORUM) succeeded.
  returned: when up, on a Sentinel
  type: bool
  sample: true
quorum_message:
  description: The answer of C(SENTINEL CKQUORUM) (its error when it failed).
  returned: when up, on a Sentinel
  type: str
  sample: OK 3 usable Sentinels. Quorum and failover authorization can be reached
flags:
  description: The monitored master's flags as the Sentinel sees them (V(master), V(s_down), V(o_down), ...).
  returned: when up, on a Sentinel that monitors O(master_name)
  type: list
  elements: str
  sample: [master]
other_sentinels:
  description: How many other Sentinels this one knows for the master.
  returned: when up, on a Sentinel that monitors O(master_name)
  type: int
  sample: 2
"""

from ansible_collections.tdah.platform.plugins.module_utils._redis import pairs, redis, redis_module, where


def replication(info: dict) -> dict:
    """The fields of INFO replication a role needs."""
    role = "replica" if info.get("role") in ("slave", "replica") else info.get("role")
    result = dict(role=role, offset=int(info.get("master_repl_offset", 0)))
    if role == "replica":
        result.update(master_host=info.get("master_host"), master_port=int(info.get("master_port", 0)),
                      master_link_up=info.get("master_link_status") == "up")
    else:
        replicas = []
        for index in range(int(info.get("connected_slaves", 0))):
            entry = info.get("slave%d" % index)
            if isinstance(entry, dict):
                replicas.append(dict(ip=entry.get("ip"), port=int(entry.get("port", 0)),
                                     offset=int(entry.get("offset", 0))))
        result["replicas"] = replicas
    return result


def sentinel(client, master_name: str) -> dict:
    address = client.execute_command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", master_name)
    result = dict(role="sentinel", master_host=None, master_port=None)
    if address:
        result.update(master_host=address[0], master_port=int(address[1]))
    try:
        result.update(quorum_ok=True, quorum_message=str(client.execute_command("SENTINEL", "CKQUORUM", master_name)))
    except redis.exceptions.ResponseError as exc:
        result.update(quorum_ok=False, quorum_message=str(exc))
    if address:
        master = pairs(client.execute_command("SENTINEL", "MASTER", master_name))
        result.update(flags=str(master.get("flags", "")).split(","),
                      other_sentinels=int(master.get("num-other-sentinels", 0)))
    return result


def main():
    module, client = redis_module(
        master_name=dict(type="str"),
        fail_when_down=dict(type="bool", default=False),
    )
    try:
        if module.params["master_name"]:
            result = sentinel(client, module.params["master_name"])
        else:
            result = replication(client.info("replication"))
    except redis.exceptions.RedisError as exc:
        if module.params["fail_when_down"]:
            module.fail_json(msg="asking %s: %s" % (where(module), exc))
        module.exit_json(changed=False, up=False, error=str(exc))
    module.exit_json(changed=False, up=True, **result)


if __name__ == "__main__":
    main()
