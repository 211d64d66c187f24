#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: host_info
short_description: Answer a role's questions about a host in one call
version_added: 0.1.0
description:
  - Reads, in one round trip, what a role needs to decide what to change on a host - which packages are missing,
    which units are not running, which lines are missing from files, the state of paths, files found by pattern,
    pending security updates, SSH host keys, users, password ageing and who is logged in - where one task per
    question (M(ansible.builtin.stat), M(ansible.builtin.find), M(ansible.builtin.getent), ...) costs one round
    trip each, even when nothing needs to change.
  - Only the questions asked are answered. Nothing on the host changes; it runs in check mode too.
  - Never returns a password hash or a file's content.
author: tdah.platform maintainers (@tdah-platform)
extends_documentation_fragment:
  - tdah.platform.attributes.INFO_MODULE
options:
  packages:
    description: Debian packages that should be installed; RV(packages.missing) lists those that are not.
    type: list
    elements: str
    default: []
  packages_absent:
    description: Debian packages that should not be installed; RV(packages.unwanted) lists those that are.
    type: list
    elements: str
    default: []
  units:
    description: systemd units that should be enabled and running; RV(units_down) lists those that are not.
    type: list
    elements: str
    default: []
  restart_pending:
    description:
      - Pairs of a unit and a file it reads when it starts (a drop-in, a configuration file);
        RV(units_stale) lists the units that run a process started before the file last changed.
      - So a role finds the restart that an earlier run did not make (it failed, or it was stopped) on every run.
    type: list
    elements: list
    default: []
  paths:
    description: Paths to look at (RV(paths)).
    type: list
    elements: path
    default: []
  lines:
    description: Pairs of a file and an exact line it should hold; RV(lines_missing) lists the pairs it does not.
    type: list
    elements: list
    default: []
  line_prefixes:
    description: Pairs of a file and the start of a line it should hold; RV(prefixes_missing) lists the pairs it does not.
    type: list
    elements: list
    default: []
  find:
    description: Named searches for files by name pattern (RV(found)).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Name of the search in RV(found).
        type: str
        required: true
      dirs:
        description: Directories searched (not recursively).
        type: list
        elements: path
        required: true
      patterns:
        description: Shell patterns matched against the entries' names.
        type: list
        elements: str
        default: ["*"]
      file_type:
        description: Keep only directories, only files (after following links), or any entry.
        type: str
        choices: [any, file, directory]
        default: any
  security_updates:
    description: List the packages with an upgrade pending from a security origin (an C(apt-get -s) simulation).
    type: bool
    default: false
  ssh_host_keys:
    description: Report the SSH host keys in C(/etc/ssh), with their type and size.
    type: bool
    default: false
  users:
    description: Users to report on (existence, groups, size of C(~/.ssh/authorized_keys)).
    type: list
    elements: str
    default: []
  password_ageing:
    description: Report the ageing settings of the accounts that have a password.
    type: bool
    default: false
  login:
    description:
      - Report who logged in to run this module and from which address, also when privileges were escalated
        with sudo (which drops C(SSH_CONNECTION) from the environment; it is read from the login session's processes).
      - The user who logged in is also reported in RV(users).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: What the role needs to know about the host
  tdah.platform.host_info:
    packages: [nftables, openssh-server]
    packages_absent: [telnet]
    units: [ssh.service, nftables.service]
    lines:
      - [/etc/pam.d/su, "auth       required   pam_wheel.so group=sudo"]
    paths: [/var/lib/aide/aide.db]
  register: host

- name: Install what is missing
  ansible.builtin.apt:
    name: "{{ host.packages.missing }}"
  when: host.packages.missing | length > 0
"""

RETURN = r"""
packages:
  description: What the packages of O(packages) and O(packages_absent) are like.
  returned: always
  type: dict
  contains:
    missing:
      description: Packages of O(packages) that are not installed.
      returned: always
      type: list
      elements: str
      sample: [nftables]
    unwanted:
      description: Packages of O(packages_absent) that are installed.
      returned: always
      type: list
      elements: str
      sample: [telnet]
    apt_lists:
      description: Whether apt has package lists (a fresh image has none).
      returned: always
      type: bool
      sample: true
units_down:
  description: Units of O(units) that are not both enabled and active (or do not exist).
  returned: always
  type: list
  elements: str
  sample: [fail2ban.service]
units_stale:
  description: Units of O(restart_pending) whose running process started before their file changed (each once).
  returned: always
  type: list
  elements: str
  sample: [redis-server.service]
paths:
  description: For each path of O(paths), V(exists), and when it exists V(type) (file, directory, link, other),
    V(mode), V(owner), V(group) and V(size).
  returned: always
  type: dict
  sample: {/etc/ssh/sshd_config: {exists: true, type: file, mode: "0600", owner: root, group: root, size: 3254}}
lines_missing:
  description: The pairs of O(lines) whose line is not in the file.
  returned: always
  type: list
  elements: list
  sample: [[/etc/pam.d/su, "auth       required   pam_wheel.so group=sudo"]]
prefixes_missing:
  description: The pairs of O(line_prefixes) with no line of the file starting so.
  returned: always
  type: list
  elements: list
  sample: [[/etc/redis/redis.conf, "# tdah.platform redis_sentinel: base configuration"]]
found:
  description: For each search of O(find), the entries found, each with V(path) (links resolved), V(mode), V(owner)
    and V(group).
  returned: always
  type: dict
  sample: {homes: [{path: /home/deploy, mode: "0750", owner: deploy, group: deploy}]}
security_updates:
  description: Packages with a pending security upgrade (empty unless O(security_updates)).
  returned: always
  type: list
  elements: str
  sample: [openssl]
ssh_host_keys:
  description: The host key files in C(/etc/ssh) by type, with the size in bits (empty unless O(ssh_host_keys)).
  returned: always
  type: dict
  sample: {ed25519: {path: /etc/ssh/ssh_host_ed25519_key, bits: 256, mode: "0600", owner: root, group: root}}
users:
  description: For each user of O(users), V(user), V(exists), V(groups) (primary first) and V(key_size) (bytes of
    C(~/.ssh/authorized_keys), 0 when missing).
  returned: always
  type: list
  elements: dict
  sample: [{user: deploy, exists: true, groups: [deploy, sudo], key_size: 81}]
password_ageing:
  description: Accounts that have a password, with V(max), V(min) and V(warn) days (empty unless O(password_ageing)).
  returned: always
  type: list
  elements: dict
  sample: [{name: deploy, max: 99999, min: 0, warn: 7}]
login:
  description: V(user) who logged in (the owner of the SSH session, whatever the privilege escalation),
    V(client_address) and V(server_port) (empty and 0 when not over SSH) and V(sudo).
  returned: when O(login)
  type: dict
  sample: {user: deploy, client_address: 10.89.70.1, server_port: 22, sudo: true}
"""

import fnmatch
import glob
import grp
import os
import pwd
import re
import stat
import time

from ansible.module_utils.basic import AnsibleModule

_SECURITY = re.compile(r"-security\b|Debian-Security")


def _name(table, ident) -> str:
    try:
        return table(ident)[0]
    except KeyError:
        return str(ident)


def describe(path: str) -> dict:
    """A path's type, mode, owner, group and size (the link itself for a link)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return {"exists": False}
    kind = ("link" if stat.S_ISLNK(info.st_mode) else "directory" if stat.S_ISDIR(info.st_mode)
            else "file" if stat.S_ISREG(info.st_mode) else "other")
    return {"exists": True, "type": kind, "mode": "%04o" % stat.S_IMODE(info.st_mode),
            "owner": _name(pwd.getpwuid, info.st_uid), "group": _name(grp.getgrgid, info.st_gid),
            "size": info.st_size}


def lines_missing(pairs, prefix: bool = False) -> list:
    """The [path, line] pairs whose line (or, with prefix, a line starting so) is not in the file."""
    missing = []
    for pair in pairs:
        path, line = str(pair[0]), str(pair[1])
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                lines = handle.read().splitlines()
        except OSError:
            lines = []
        present = any(text.startswith(line) for text in lines) if prefix else line in lines
        if not present:
            missing.append([path, line])
    return missing


def find(search: dict) -> list:
    out = []
    for directory in search["dirs"]:
        if not os.path.isdir(directory):
            continue
        for entry in sorted(os.listdir(directory)):
            if not any(fnmatch.fnmatch(entry, pattern) for pattern in search["patterns"]):
                continue
            path = os.path.realpath(os.path.join(directory, entry))
            if not os.path.exists(path):
                continue
            is_dir = os.path.isdir(path)
            if (search["file_type"] == "directory" and not is_dir) or (search["file_type"] == "file" and is_dir):
                continue
            if any(found["path"] == path for found in out):
                continue
            info = describe(path)
            out.append({"path": path, "mode": info["mode"], "owner": info["owner"], "group": info["group"]})
    return out


def parse_units(show_output: str) -> dict:
    """systemctl show --property=Id,ActiveState,UnitFileState output, as {id: fields}."""
    states = {}
    for block in show_output.strip().split("\n\n"):
        fields = dict(line.split("=", 1) for line in block.splitlines() if "=" in line)
        if fields.get("Id"):
            states[fields["Id"]] = fields
    return states


def units_down(names, states: dict) -> list:
    down = []
    for name in names:
        fields = states.get(name, {})
        if fields.get("ActiveState") not in ("active", "activating") or fields.get("UnitFileState") not in (
                "enabled", "enabled-runtime", "static", "alias", "generated"):
            down.append(name)
    return down


def units_stale(pairs, states: dict, mtimes: dict, monotonic_offset: float) -> list:
    """Units that run a process started before their file changed.

    states: systemctl show fields by unit (ActiveState, ExecMainStartTimestampMonotonic in microseconds);
    mtimes: file modification times (seconds since the epoch) by path, missing when the file is;
    monotonic_offset: the wall clock minus the monotonic clock, to put both on one clock.
    """
    stale = []
    for unit, path in pairs:
        fields = states.get(unit, {})
        started = int(fields.get("ExecMainStartTimestampMonotonic") or 0) / 1e6
        if fields.get("ActiveState") != "active" or started <= 0 or path not in mtimes or unit in stale:
            continue
        if mtimes[path] - monotonic_offset > started:
            stale.append(unit)
    return stale


def security_upgrades(simulation: str) -> list:
    return [line.split()[1] for line in simulation.splitlines() if line.startswith("Inst ") and _SECURITY.search(line)]


def ageing(shadow_text: str) -> list:
    """Accounts whose password field holds a hash, with their ageing (never the hash)."""
    out = []
    for line in shadow_text.splitlines():
        row = line.split(":")
        if len(row) < 6 or not row[1].startswith("$"):
            continue
        out.append({"name": row[0], "max": int(row[4] or 99999), "min": int(row[3] or 0), "warn": int(row[5] or 0)})
    return out


def user_info(user: str) -> dict:
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        return {"user": user, "exists": False, "groups": [], "key_size": 0}
    # getgrouplist asks NSS (files, LDAP, SSSD) as login does; getgrall misses unenumerated groups.
    groups = [_name(grp.getgrgid, gid) for gid in os.getgrouplist(user, entry.pw_gid)]
    primary = _name(grp.getgrgid, entry.pw_gid)
    groups = [primary] + [g for g in groups if g != primary]
    try:
        size = os.stat(os.path.join(entry.pw_dir, ".ssh", "authorized_keys")).st_size
    except OSError:
        size = 0
    return {"user": user, "exists": True, "groups": groups, "key_size": size}


def _environ(pid: int) -> dict:
    try:
        with open("/proc/%d/environ" % pid, "rb") as handle:
            raw = handle.read().split(b"\0")
    except OSError:
        return {}
    return dict(item.decode("utf-8", "replace").split("=", 1) for item in raw if b"=" in item)


def _parent(pid: int) -> int:
    try:
        with open("/proc/%d/stat" % pid, encoding="utf-8") as handle:
            return int(handle.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def _owner(pid: int) -> str | None:
    try:
        with open("/proc/%d/status" % pid, encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("Uid:"):
                    return _name(pwd.getpwuid, int(line.split()[1]))
    except (OSError, ValueError, IndexError):
        pass
    return None


def login_info() -> dict:
    """Who logged in and from where: the SSH session's process (this one, or after privilege
    escalation the nearest ancestor whose environment holds SSH_CONNECTION) and its owner."""
    sudo = "SUDO_USER" in os.environ
    pid, hops = os.getpid(), 0
    connection = os.environ.get("SSH_CONNECTION", "")
    session = pid if connection else 0
    while not connection and pid > 1 and hops < 16:
        pid, hops = _parent(pid), hops + 1
        connection = _environ(pid).get("SSH_CONNECTION", "") if pid > 1 else ""
        session = pid if connection else 0
    user = (_owner(session) if session else None) or os.environ.get("SUDO_USER") or _name(pwd.getpwuid, os.getuid())
    fields = connection.split()
    return {"user": user, "client_address": fields[0] if fields else "",
            "server_port": int(fields[3]) if len(fields) > 3 and fields[3].isdigit() else 0, "sudo": sudo}


def main():
    module = AnsibleModule(
        argument_spec=dict(
            packages=dict(type="list", elements="str", default=[]),
            packages_absent=dict(type="list", elements="str", default=[]),
            units=dict(type="list", elements="str", default=[]),
            restart_pending=dict(type="list", elements="list", default=[]),
            paths=dict(type="list", elements="path", default=[]),
            lines=dict(type="list", elements="list", default=[]),
            line_prefixes=dict(type="list", elements="list", default=[]),
            find=dict(type="list", elements="dict", default=[], options=dict(
                name=dict(type="str", required=True),
                dirs=dict(type="list", elements="path", required=True),
                patterns=dict(type="list", elements="str", default=["*"]),
                file_type=dict(type="str", choices=["any", "file", "directory"], default="any"),
            )),
            security_updates=dict(type="bool", default=False),
            ssh_host_keys=dict(type="bool", default=False),
            users=dict(type="list", elements="str", default=[]),
            password_ageing=dict(type="bool", default=False, no_log=False),
            login=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    params = module.params
    env = dict(LC_ALL="C")
    result = dict(changed=False)

    wanted, unwanted = params["packages"], params["packages_absent"]
    installed, leftover = set(), set()
    if wanted or unwanted:
        names = sorted(set(wanted) | set(unwanted))
        out = module.run_command(["dpkg-query", "-W", "-f=${Package} ${db:Status-Status}\\n"] + names,
                                 environ_update=env)[1]
        states = dict(line.split(" ", 1) for line in out.splitlines() if " " in line)
        installed = {name for name, state in states.items() if state == "installed"}
        # Removed but not purged (its configuration left behind) counts as present for packages_absent.
        leftover = {name for name, state in states.items() if state == "config-files"}
    result["packages"] = dict(missing=[p for p in wanted if p not in installed],
                              unwanted=[p for p in unwanted if p in installed or p in leftover],
                              apt_lists=bool(glob.glob("/var/lib/apt/lists/*_Packages*")))

    states = {}
    if params["units"]:
        rc, out, err = module.run_command(["systemctl", "show", "--property=Id,ActiveState,UnitFileState", "--"]
                                          + params["units"], environ_update=env)
        if rc != 0 and not out:
            module.fail_json(msg="reading the state of %s: %s" % (", ".join(params["units"]), err.strip()))
        states = parse_units(out)
    result["units_down"] = units_down(params["units"], states)

    pairs = [(str(pair[0]), str(pair[1])) for pair in params["restart_pending"] if len(pair) == 2]
    if len(pairs) != len(params["restart_pending"]):
        module.fail_json(msg="restart_pending takes pairs of a unit and a file, got %s" % params["restart_pending"])
    result["units_stale"] = []
    if pairs:
        names = sorted({pair[0] for pair in pairs})
        rc, out, err = module.run_command(["systemctl", "show", "--property=Id,ActiveState,ExecMainStartTimestampMonotonic",
                                           "--"] + names, environ_update=env)
        if rc != 0 and not out:
            module.fail_json(msg="reading the start time of %s: %s" % (", ".join(names), err.strip()))
        mtimes = {}
        for path in {pair[1] for pair in pairs}:
            try:
                mtimes[path] = os.stat(path).st_mtime
            except OSError:
                pass
        result["units_stale"] = units_stale(pairs, parse_units(out), mtimes, time.time() - time.monotonic())

    result["paths"] = {path: describe(path) for path in params["paths"]}
    result["lines_missing"] = lines_missing(params["lines"])
    result["prefixes_missing"] = lines_missing(params["line_prefixes"], prefix=True)
    result["found"] = {search["name"]: find(search) for search in params["find"]}

    result["security_updates"] = []
    if params["security_updates"]:
        rc, out, err = module.run_command(["apt-get", "-s", "-o", "Debug::NoLocking=1", "dist-upgrade"],
                                          environ_update=env)
        if rc != 0:
            module.fail_json(msg="simulating an upgrade to find security updates: %s" % err.strip())
        result["security_updates"] = security_upgrades(out)

    result["ssh_host_keys"] = {}
    if params["ssh_host_keys"]:
        for path in sorted(glob.glob("/etc/ssh/ssh_host_*_key")):
            kind = re.match(r"ssh_host_(\w+)_key$", os.path.basename(path)).group(1)
            rc, out = module.run_command(["ssh-keygen", "-l", "-f", path + ".pub"], environ_update=env)[:2]
            bits = int(out.split()[0]) if rc == 0 and out.split() and out.split()[0].isdigit() else 0
            info = describe(path)
            result["ssh_host_keys"][kind] = dict(path=path, bits=bits, mode=info.get("mode"), owner=info.get("owner"),
                                                 group=info.get("group"))

    users = list(params["users"])
    if params["login"]:
        result["login"] = login_info()
        if result["login"]["user"] not in users:
            users.append(result["login"]["user"])
    result["users"] = [user_info(user) for user in users]

    result["password_ageing"] = []
    if params["password_ageing"]:
        try:
            with open("/etc/shadow", encoding="utf-8") as handle:
                result["password_ageing"] = ageing(handle.read())
        except OSError as exc:
            module.fail_json(msg="reading /etc/shadow for the password ageing (root is needed): %s" % exc)

    module.exit_json(**result)


if __name__ == "__main__":
    main()
