#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: redis_config
short_description: Change Redis or Sentinel settings at runtime, only where they differ
version_added: 0.1.0
description:
  - Compares each setting with the running server and changes only those that differ. On Redis,
    C(CONFIG GET), then C(CONFIG SET) for each difference and one C(CONFIG REWRITE) so that the
    change survives a restart. On Sentinel (O(master_name) set), C(SENTINEL MASTER), then
    C(SENTINEL SET), which Sentinel persists itself.
  - Redis and Sentinel rewrite their own configuration files (a failover changes who replicates
    from whom, Sentinel records the other Sentinels and replicas it found). A template written
    on every run would undo that; the C(tdah.platform.redis_sentinel) role writes the base files
    once and applies later changes with this module.
  - Memory values (V(256mb), V(1gb)) and booleans are compared the way Redis reads them, so a
    setting given as V(256mb) is not reported as changed against Redis's V(268435456).
author: tdah.platform maintainers (@tdah-platform)
extends_documentation_fragment:
  - tdah.platform.redis
  - tdah.platform.attributes
options:
  master_name:
    description:
      - The server is a Sentinel and O(settings) are settings of this monitored master
        (C(quorum), C(down-after-milliseconds), C(failover-timeout), C(parallel-syncs), ...).
      - Omitted, the server is Redis and O(settings) are its configuration parameters.
    type: str
  settings:
    description: Setting names and the values they must have.
    type: dict
    default: {}
  secrets:
    description:
      - Settings whose values are secret (C(masterauth), C(requirepass), C(auth-pass)), compared and changed like
        O(settings) but never logged, returned or shown in the diff.
      - A separate option, so that Ansible masks it in the invocation it logs on the host before the module runs
        (a value inside O(settings) would be logged).
    type: dict
    default: {}
  rewrite:
    description: On Redis, run C(CONFIG REWRITE) after a change, so that it survives a restart.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Memory and persistence settings, kept across restarts
  tdah.platform.redis_config:
    login_port: 6379
    login_user: admin
    login_password: "{{ vault_redis_admin_password }}"
    ca_cert: /etc/ssl/tdah/tdah-internal-ca.crt
    settings:
      maxmemory: 512mb
      maxmemory-policy: allkeys-lru
      appendonly: true
      min-replicas-to-write: 1

- name: Sentinel's failure detection for the monitored master
  tdah.platform.redis_config:
    login_port: 26379
    login_password: "{{ vault_redis_sentinel_password }}"
    ca_cert: /etc/ssl/tdah/tdah-internal-ca.crt
    master_name: mymaster
    settings:
      quorum: 2
      down-after-milliseconds: 5000
"""

RETURN = r"""
changed_settings:
  description: Names of the settings that differed (and were changed, outside check mode).
  returned: always
  type: list
  elements: str
  sample: [maxmemory, min-replicas-to-write]
rewritten:
  description: Whether C(CONFIG REWRITE) ran.
  returned: always
  type: bool
  sample: true
"""

import re

from ansible_collections.tdah.platform.plugins.module_utils._redis import pairs, redis, redis_module, where

# Redis's own units (util.c memtoull): k, m, g are powers of 1000, kb, mb, gb of 1024.
_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1024, "m": 1000 ** 2, "mb": 1024 ** 2, "g": 1000 ** 3, "gb": 1024 ** 3}
_MEMORY = re.compile(r"^(\d+)\s*(b|k|kb|m|mb|g|gb)$", re.IGNORECASE)


def normalize(value) -> str:
    """The value as Redis reports it back: yes/no booleans, bytes for memory sizes,
    single spaces, lower case."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = " ".join(str(value).split())
    match = _MEMORY.match(text)
    if match:
        return str(int(match.group(1)) * _UNITS[match.group(2).lower()])
    return text.lower()


def as_argument(value) -> str:
    """The value as sent to CONFIG SET / SENTINEL SET."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def differences(current: dict, wanted: dict, exact: frozenset = frozenset()) -> list[str]:
    """Names whose wanted value differs from the current one (a name the server does not know
    counts as different, so that setting it reports the server's error). Names in exact (secrets)
    are compared as given: a password that differs only in case or spacing is another password."""
    return [name for name, value in wanted.items()
            if name not in current
            or (str(current[name]) != as_argument(value) if name in exact else normalize(current[name]) != normalize(value))]


def read_redis(client, names) -> dict:
    current = {}
    for name in names:
        current.update(client.config_get(name))
    return current


def read_sentinel(client, master_name: str) -> dict:
    return pairs(client.execute_command("SENTINEL", "MASTER", master_name))


def main():
    module, client = redis_module(
        master_name=dict(type="str"),
        settings=dict(type="dict", default={}),
        secrets=dict(type="dict", default={}, no_log=True),
        rewrite=dict(type="bool", default=True),
    )

    params = module.params
    secrets = params["secrets"]
    overlap = sorted(set(secrets) & set(params["settings"]))
    if overlap:
        module.fail_json(msg="settings and secrets both name %s: give each setting once" % ", ".join(overlap))
    for value in secrets.values():
        module.no_log_values.add(as_argument(value))
    wanted = dict(params["settings"], **secrets)
    if not wanted:
        module.fail_json(msg="settings and secrets are empty: name at least one setting to manage")

    server = where(module)
    sentinel = params["master_name"] is not None
    try:
        if sentinel:
            current = read_sentinel(client, params["master_name"])
        else:
            current = read_redis(client, list(wanted))
    except redis.exceptions.RedisError as exc:
        what = "reading master %s from the Sentinel at %s" % (params["master_name"], server) if sentinel \
            else "reading the settings of the Redis server at %s" % server
        module.fail_json(msg="%s: %s" % (what, exc))

    changed = differences(current, wanted, frozenset(secrets))
    shown = {name: ("<hidden>" if name in secrets else current.get(name)) for name in changed}
    diff = dict(before={name: shown[name] for name in changed},
                after={name: ("<hidden>" if name in secrets else as_argument(wanted[name])) for name in changed})
    rewritten = False
    if changed and not module.check_mode:
        for name in changed:
            try:
                if sentinel:
                    client.execute_command("SENTINEL", "SET", params["master_name"], name, as_argument(wanted[name]))
                else:
                    client.config_set(name, as_argument(wanted[name]))
            except redis.exceptions.RedisError as exc:
                module.fail_json(msg="setting %s on %s: %s" % (name, server, exc), changed_settings=changed)
        if not sentinel and params["rewrite"]:
            try:
                client.execute_command("CONFIG", "REWRITE")
            except redis.exceptions.RedisError as exc:
                module.fail_json(msg="CONFIG REWRITE on %s (the new values run but are not saved): %s" % (server, exc),
                                 changed_settings=changed)
            rewritten = True
    module.exit_json(changed=bool(changed), changed_settings=changed, rewritten=rewritten, diff=diff)


if __name__ == "__main__":
    main()
