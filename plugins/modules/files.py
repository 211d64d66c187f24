#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: files
short_description: Keep a set of files and directories as given, in one call
version_added: 0.1.0
description:
  - Compares each listed file (its content, owner, group and mode) and directory with what is on the host and
    changes only what differs.
  - Every new content is checked with its O(files[].validate) command before anything is changed, so a file that
    fails its check leaves the whole set as it was. A new content is written next to the file with its owner,
    group and mode, then renamed over it (a reader sees the old or the new file, never a partial one or the new
    one with other permissions).
  - One call for a role's whole set of configuration files, where one M(ansible.builtin.template) task per file
    costs one round trip each even when nothing changes. Render the content on the controller with
    C(lookup('ansible.builtin.template', ...)).
  - Not for secrets given as O(files[].content), since the content travels as a module option, which Ansible logs
    on the host; keep files that hold secrets in their own task with C(no_log). O(files[].sources) builds a file
    from files already on the host (a certificate and its private key into one bundle), and their contents never
    leave the host; the diff does not show them.
author: tdah.platform maintainers (@tdah-platform)
extends_documentation_fragment:
  - tdah.platform.attributes
options:
  files:
    description: The files and directories, in the order they are made (a directory before what it holds).
    type: list
    elements: dict
    required: true
    suboptions:
      path:
        description: Absolute path.
        type: path
        required: true
      state:
        description: V(file) (with O(files[].content)), V(directory), or V(absent) (a file or an empty directory).
        type: str
        choices: [file, directory, absent]
        default: file
      content:
        description: The file's content.
        type: str
      sources:
        description:
          - Absolute paths of files on the host whose contents, one after the other (each ending with a newline),
            make the file's content. Exclusive with O(files[].content). A missing source fails the module before
            anything changes.
        type: list
        elements: path
      owner:
        description: Owner (name or UID).
        type: str
        default: root
      group:
        description: Group (name or GID).
        type: str
        default: root
      mode:
        description:
          - Mode, as a quoted octal string (V('0644')) or a number; a new file gets V('0644') and a new directory
            V('0755') when it is not given.
        type: raw
      validate:
        description:
          - Command that checks the new content before it is written, with V(%s) for the path of a temporary
            copy (V(sshd -T -f %s), V(nft -c -f %s)). A non-zero exit fails the module and leaves the file as it was.
        type: str
"""

EXAMPLES = r"""
- name: SSH configuration, checked by sshd before it is written
  tdah.platform.files:
    files:
      - path: /etc/ssh/sshd_config.d
        state: directory
        mode: "0755"
      - path: /etc/ssh/sshd_config.d/00-hardening.conf
        content: "{{ lookup('ansible.builtin.template', 'sshd.conf.j2') }}"
        mode: "0600"
        validate: /usr/sbin/sshd -T -f %s
      - path: /etc/ssh/sshd_config.d/old.conf
        state: absent
  register: ssh_files

- name: Reload sshd when its drop-in changed
  ansible.builtin.systemd_service:
    name: ssh.service
    state: reloaded
  when: "'/etc/ssh/sshd_config.d/00-hardening.conf' in ssh_files.changed_paths"
"""

RETURN = r"""
changed_paths:
  description: Paths that differed (and were changed, outside check mode), in the order given.
  returned: always
  type: list
  elements: str
  sample: [/etc/ssh/sshd_config.d/00-hardening.conf]
content_changed:
  description: Paths whose content differed (a subset of RV(changed_paths); attribute fixes are not in it).
  returned: always
  type: list
  elements: str
  sample: [/etc/ssh/sshd_config.d/00-hardening.conf]
"""

import os
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_native


def read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def attributes_differ(module: AnsibleModule, path: str, entry: dict) -> bool:
    args = module.load_file_common_arguments(dict(path=path, owner=entry["owner"], group=entry["group"],
                                                  mode=entry["mode"]))
    # check_mode=True: only ask whether they differ.
    saved = module.check_mode
    module.check_mode = True
    try:
        return module.set_fs_attributes_if_different(args, False)
    finally:
        module.check_mode = saved


def fix_attributes(module: AnsibleModule, path: str, entry: dict) -> None:
    args = module.load_file_common_arguments(dict(path=path, owner=entry["owner"], group=entry["group"],
                                                  mode=entry["mode"]))
    module.set_fs_attributes_if_different(args, False)


def _validate_command(module: AnsibleModule, entry: dict) -> str:
    command = entry.get("validate") or ""
    if command and "%s" not in command:
        module.fail_json(msg="validate of %s must contain %%s (the temporary file)" % entry["path"])
    return command


def validate(module: AnsibleModule, entry: dict, content: bytes) -> None:
    """Check new content with the entry's command, on a temporary copy next to the file (or in a
    scratch directory while the file's directory does not exist yet); nothing else is touched."""
    command = _validate_command(module, entry)
    if not command:
        return
    directory = os.path.dirname(entry["path"])
    scratch = None if os.path.isdir(directory) else tempfile.mkdtemp(prefix="tdah-files-")
    fd, tmp = tempfile.mkstemp(prefix=".tdah-", dir=scratch or directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        rc, out, err = module.run_command(command % tmp)
        if rc != 0:
            module.fail_json(msg="validating the new %s with '%s' failed (nothing was changed): %s"
                             % (entry["path"], command, (err or out).strip()), rc=rc, changed=False)
    finally:
        os.unlink(tmp)
        if scratch:
            os.rmdir(scratch)


def write_file(module: AnsibleModule, entry: dict, content: bytes) -> None:
    """Write next to the file, give the copy its owner, group and mode, then rename it over the file:
    the new content is never visible with other attributes, and a reader sees the old or the new file."""
    path = entry["path"]
    fd, tmp = tempfile.mkstemp(prefix=".tdah-", dir=os.path.dirname(path))
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        fix_attributes(module, tmp, entry)
        os.replace(tmp, path)
        tmp = None
    finally:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)


def joined(module: AnsibleModule, entry: dict) -> bytes:
    """The contents of the entry's sources, each ending with a newline."""
    parts = []
    for source in entry["sources"]:
        if not os.path.isabs(source):
            module.fail_json(msg="%s: source %s is not an absolute path" % (entry["path"], source))
        content = read(source)
        if content is None:
            module.fail_json(msg="%s: source %s does not exist (nothing was changed)" % (entry["path"], source))
        parts.append(content if content.endswith(b"\n") or not content else content + b"\n")
    return b"".join(parts)


def plan(module: AnsibleModule, entry: dict) -> dict:
    """What the entry needs (nothing on the host changes): action is none, remove, mkdir, attributes
    or write; for write, the new content and the current one."""
    path = entry["path"]
    state = entry["state"]
    exists = os.path.lexists(path)
    if state == "absent":
        if exists and os.path.isdir(path) and not os.path.islink(path) and os.listdir(path):
            module.fail_json(msg="%s is a directory that is not empty: refusing to remove it" % path)
        return dict(action="remove" if exists else "none")
    if state == "directory":
        if exists and not os.path.isdir(path):
            module.fail_json(msg="%s exists and is not a directory" % path)
        if not exists:
            return dict(action="mkdir")
        return dict(action="attributes" if attributes_differ(module, path, entry) else "none")
    if entry.get("content") is None and not entry.get("sources"):
        module.fail_json(msg="%s: content or sources is required with state file" % path)
    if entry.get("content") is not None and entry.get("sources"):
        module.fail_json(msg="%s: give content or sources, not both" % path)
    if exists and (os.path.islink(path) or not os.path.isfile(path)):
        module.fail_json(msg="%s exists and is not a regular file" % path)
    wanted = to_bytes(entry["content"], errors="surrogate_or_strict") if entry.get("content") is not None else joined(module, entry)
    current = read(path)
    if current != wanted:
        return dict(action="write", wanted=wanted, current=current, hidden=bool(entry.get("sources")))
    return dict(action="attributes" if attributes_differ(module, path, entry) else "none")


def carry_out(module: AnsibleModule, entry: dict, step: dict) -> None:
    path = entry["path"]
    if step["action"] == "remove":
        if os.path.isdir(path) and not os.path.islink(path):
            os.rmdir(path)
        else:
            os.unlink(path)
    elif step["action"] == "mkdir":
        os.makedirs(path)
        fix_attributes(module, path, entry)
    elif step["action"] == "write":
        write_file(module, entry, step["wanted"])
    elif step["action"] == "attributes":
        fix_attributes(module, path, entry)


def diff_of(path: str, step: dict) -> dict | None:
    if step["action"] == "remove":
        return dict(before_header=path, after_header=path, before="present\n", after="absent\n")
    if step["action"] == "mkdir":
        return dict(before_header=path, after_header=path, before="absent\n", after="directory\n")
    if step["action"] == "write" and step.get("hidden"):
        return dict(before_header=path, after_header=path, before="(built from sources on the host, not shown)\n",
                    after="(new content from sources, not shown)\n")
    if step["action"] == "write":
        return dict(before_header=path, after_header=path,
                    before="" if step["current"] is None else to_native(step["current"], errors="surrogate_then_replace"),
                    after=to_native(step["wanted"], errors="surrogate_then_replace"))
    return None


def main():
    module = AnsibleModule(
        argument_spec=dict(
            files=dict(type="list", elements="dict", required=True, options=dict(
                path=dict(type="path", required=True),
                state=dict(type="str", choices=["file", "directory", "absent"], default="file"),
                content=dict(type="str"),
                sources=dict(type="list", elements="path"),
                owner=dict(type="str", default="root"),
                group=dict(type="str", default="root"),
                mode=dict(type="raw"),
                validate=dict(type="str"),
            )),
        ),
        supports_check_mode=True,
    )
    entries = module.params["files"]
    for entry in entries:
        if not os.path.isabs(entry["path"]):
            module.fail_json(msg="%s is not an absolute path" % entry["path"])
        if entry["mode"] is None and not os.path.lexists(entry["path"]):
            entry["mode"] = "0755" if entry["state"] == "directory" else "0644"
    # First what every entry needs, and every new content validated: a file that fails its check
    # stops the module before anything on the host changes.
    steps = [plan(module, entry) for entry in entries]
    for entry, step in zip(entries, steps):
        if step["action"] == "write":
            validate(module, entry, step["wanted"])
    changed = [(entry, step) for entry, step in zip(entries, steps) if step["action"] != "none"]
    changed_paths = [entry["path"] for entry, step in changed]
    content_changed = [entry["path"] for entry, step in changed if step["action"] != "attributes"]
    diffs = [d for d in (diff_of(entry["path"], step) for entry, step in changed) if d]
    done: list[str] = []
    if not module.check_mode:
        for entry, step in changed:
            try:
                carry_out(module, entry, step)
            except Exception as exc:  # pylint: disable=broad-except  # report what was done, whatever failed
                module.fail_json(msg="keeping %s as given: %s (changed before the failure: %s)"
                                 % (entry["path"], to_native(exc), ", ".join(done) or "nothing"),
                                 changed=bool(done), changed_paths=done)
            done.append(entry["path"])
    module.exit_json(changed=bool(changed_paths), changed_paths=changed_paths, content_changed=content_changed,
                     diff=diffs)


if __name__ == "__main__":
    main()
