# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The project's container connection: containers.podman.podman with pipelining."""
from __future__ import annotations

DOCUMENTATION = r"""
name: tdah_podman
short_description: Run tasks in the project's podman containers, one podman exec per module
description:
  - C(containers.podman.podman) pipes nothing to C(podman exec), so every module costs four podman
    calls (mount, make a temporary directory, chmod, run). This connection passes C(-i) to
    C(podman exec) when Ansible pipes a module, and mounts the container only when a file is
    copied, so most tasks cost one podman call.
  - Used by the Molecule scenarios, the lab and the benches; production hosts use SSH.
author: tdah.platform maintainers (@tdah-platform)
options:
  remote_addr:
    description: The container's name or ID.
    default: inventory_hostname
    vars:
      - name: ansible_host
      - name: inventory_hostname
      - name: ansible_podman_host
  remote_user:
    description: User in the container (name or UID).
    ini:
      - section: defaults
        key: remote_user
    env:
      - name: ANSIBLE_REMOTE_USER
    vars:
      - name: ansible_user
  podman_extra_args:
    description: Extra arguments for the podman command line.
    default: ''
    ini:
      - section: defaults
        key: podman_extra_args
    vars:
      - name: ansible_podman_extra_args
    env:
      - name: ANSIBLE_PODMAN_EXTRA_ARGS
  podman_executable:
    description: The podman executable.
    default: podman
    vars:
      - name: ansible_podman_executable
    env:
      - name: ANSIBLE_PODMAN_EXECUTABLE
  pipelining:
    description: Pipe modules to C(podman exec -i) instead of copying them into the container.
    type: boolean
    default: true
    env:
      - name: ANSIBLE_PIPELINING
    vars:
      - name: ansible_pipelining
"""

import shlex

from ansible.errors import AnsibleConnectionFailure
from ansible.plugins.connection import ConnectionBase
from ansible_collections.containers.podman.plugins.connection.podman import Connection as PodmanConnection


_UNREACHABLE = (b"container state improper", b"no such container", b"no container with name or ID")


class Connection(PodmanConnection):
    """podman exec, with modules piped to it."""

    transport = "tdah_podman"
    has_pipelining = True

    def _connect(self):
        # Mount the container only when a file has to be copied (put/fetch).
        ConnectionBase._connect(self)  # pylint: disable=protected-access
        self._connected = True
        return self

    def _mounted(self):
        if self._mount_point is None and not getattr(self, "_mount_tried", False):
            self._mount_tried = True
            PodmanConnection._connect(self)  # pylint: disable=protected-access

    def exec_command(self, cmd, in_data=None, sudoable=False):
        if not self._connected:
            self._connect()
        args = ["exec"] + (["-i"] if in_data is not None else []) + (["--user", self.user] if self.user else [])
        rc, stdout, stderr = self._podman(args, shlex.split(cmd), in_data)
        # A stopped, paused or removed container is an unreachable host, as a
        # dead server is over SSH (which fails with 255 too).
        if rc in (125, 255) and any(reason in stderr for reason in _UNREACHABLE):
            raise AnsibleConnectionFailure("container %s: %s" % (self._container_id, stderr.decode(errors="replace").strip()))
        return rc, stdout, stderr

    def put_file(self, in_path, out_path):
        self._mounted()
        super().put_file(in_path, out_path)

    def fetch_file(self, in_path, out_path):
        self._mounted()
        super().fetch_file(in_path, out_path)
