#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: files
short_description: Keep a set of files and directories as given, in one call
version_added: 0.1.0
description:
  - Compares each listed file (its content, owner, group and mode) and directory with what is on the host and
    changes only what differs. A file's new content is checked with its O(files[].validate) command before it
    replaces the old one, and written atomically.
  - One call for a role's whole set of configuration files, where one M(ansible.builtin.template) task per file
    costs one round trip each even when nothing changes. Render the content on the controller with
    C(lookup('ansible.builtin.template', ...)).
  - Not for secrets. The content travels as a module option, which Ansible logs on the host; keep files that
    hold secrets in their own task with C(no_log).
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
      owner:
        description: Owner (name or UID).
        type: str
        default: root
      group:
        description: Group (name or GID).
        type: str
        default: root
      mode:
        description: Mode, in octal; a new file gets V('0644') and a new directory V('0755') when it is not given.
        type: str
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


def keep_attributes(module: AnsibleModule, path: str, entry: dict) -> tuple[bool, bool]:
    """(changed, content_changed) for an existing path whose content is right: fix its attributes."""
    if not attributes_differ(module, path, entry):
        return False, False
    if not module.check_mode:
        fix_attributes(module, path, entry)
    return True, False


def write_file(module: AnsibleModule, entry: dict, content: bytes) -> None:
    path = entry["path"]
    directory = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(prefix=".tdah-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        fix_attributes(module, tmp, entry)
        if entry.get("validate"):
            if "%s" not in entry["validate"]:
                module.fail_json(msg="validate of %s must contain %%s (the temporary file)" % path)
            rc, out, err = module.run_command(entry["validate"] % tmp)
            if rc != 0:
                module.fail_json(msg="validating the new %s with '%s' failed (the file is unchanged): %s"
                                 % (path, entry["validate"], (err or out).strip()), rc=rc)
        module.atomic_move(tmp, path, unsafe_writes=False)
        tmp = None
        # atomic_move gives a new file the default mode: set the asked one.
        fix_attributes(module, path, entry)
    finally:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)


def apply(module: AnsibleModule, entry: dict, diffs: list) -> tuple[bool, bool]:
    """(changed, content_changed) for one entry; changes it unless in check mode."""
    path = entry["path"]
    state = entry["state"]
    exists = os.path.lexists(path)
    if state == "absent":
        if not exists:
            return False, False
        if os.path.isdir(path) and not os.path.islink(path):
            if os.listdir(path):
                module.fail_json(msg="%s is a directory that is not empty: refusing to remove it" % path)
            if not module.check_mode:
                os.rmdir(path)
        elif not module.check_mode:
            os.unlink(path)
        diffs.append(dict(before_header=path, after_header=path, before="present\n", after="absent\n"))
        return True, True
    if state == "directory":
        if exists and not os.path.isdir(path):
            module.fail_json(msg="%s exists and is not a directory" % path)
        if not exists:
            if not module.check_mode:
                os.makedirs(path)
                fix_attributes(module, path, entry)
            diffs.append(dict(before_header=path, after_header=path, before="absent\n", after="directory\n"))
            return True, True
        return keep_attributes(module, path, entry)
    if entry.get("content") is None:
        module.fail_json(msg="%s: content is required with state file" % path)
    if exists and (os.path.islink(path) or not os.path.isfile(path)):
        module.fail_json(msg="%s exists and is not a regular file" % path)
    wanted = to_bytes(entry["content"], errors="surrogate_or_strict")
    current = read(path)
    if current != wanted:
        if not module.check_mode:
            write_file(module, entry, wanted)
        diffs.append(dict(before_header=path, after_header=path,
                          before="" if current is None else to_native(current, errors="surrogate_then_replace"),
                          after=to_native(wanted, errors="surrogate_then_replace")))
        return True, True
    return keep_attributes(module, path, entry)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            files=dict(type="list", elements="dict", required=True, options=dict(
                path=dict(type="path", required=True),
                state=dict(type="str", choices=["file", "directory", "absent"], default="file"),
                content=dict(type="str"),
                owner=dict(type="str", default="root"),
                group=dict(type="str", default="root"),
                mode=dict(type="str"),
                validate=dict(type="str"),
            )),
        ),
        supports_check_mode=True,
    )
    changed_paths: list[str] = []
    content_changed: list[str] = []
    diffs: list[dict] = []
    for entry in module.params["files"]:
        if entry["mode"] is None and not os.path.lexists(entry["path"]):
            entry["mode"] = "0755" if entry["state"] == "directory" else "0644"
        if not os.path.isabs(entry["path"]):
            module.fail_json(msg="%s is not an absolute path" % entry["path"])
        try:
            changed, content = apply(module, entry, diffs)
        except (OSError, IOError) as exc:
            module.fail_json(msg="keeping %s as given: %s" % (entry["path"], to_native(exc)),
                             changed_paths=changed_paths)
        if changed:
            changed_paths.append(entry["path"])
        if content:
            content_changed.append(entry["path"])
    module.exit_json(changed=bool(changed_paths), changed_paths=changed_paths, content_changed=content_changed,
                     diff=diffs)


if __name__ == "__main__":
    main()
