"""Fixtures of the platform scenario's tests.

The tests probe the platform from outside its services: over SSH as the
deploy user (the lab's key and recorded host keys), from the stranger
container that no group names, and with the platform's own playbooks. The
lab's description (addresses, groups, the SSH configuration) is written by
the scenario's prepare.yml.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import testinfra
import yaml

EPHEMERAL = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"])
PLAYBOOK_TIMEOUT = 900


@pytest.fixture(scope="session")
def lab() -> dict:
    return json.loads((EPHEMERAL / "platform.json").read_text())


@pytest.fixture(scope="session")
def root(lab) -> Path:
    return Path(lab["root"]).resolve()


@pytest.fixture(scope="session")
def secrets(root) -> list[str]:
    """Every password, passphrase and application secret the lab inventory holds."""
    found = set()
    for path in sorted((root / "inventories" / "lab" / "group_vars").rglob("*.yml")):
        for key, value in (yaml.safe_load(path.read_text()) or {}).items():
            if re.search(r"(password|passphrase|_secret|_secret_key|_encryption_key)$", key) and isinstance(value, str) and "{{" not in value:
                found.add(value)
    assert len(found) >= 13, f"expected the lab's PostgreSQL and Redis passwords and the API's secrets, found {len(found)}"
    return sorted(found)


class Remote:
    """Commands on a lab host over SSH, as deploy, optionally through sudo; input goes on stdin,
    so nothing secret is on a command line (sudo logs command lines)."""

    def __init__(self, lab: dict, name: str):
        self.name = name
        self.address = lab["hosts"][name]
        self._config = lab["ssh_config"]

    def run(self, command: str, *, sudo: bool = False, input: str | None = None,  # noqa: A002
            timeout: int = 120) -> subprocess.CompletedProcess:
        argv = ["ssh", "-F", self._config, self.address, ("sudo -n " if sudo else "") + command]
        return subprocess.run(argv, input=input, capture_output=True, text=True, timeout=timeout, check=False)

    def python(self, script: str, *, sudo: bool = False, timeout: int = 120) -> subprocess.CompletedProcess:
        """Run a Python script on the host; the script (with any secret in it) travels on stdin."""
        return self.run("python3 -", sudo=sudo, input=script, timeout=timeout)


@pytest.fixture(scope="session")
def remote(lab):
    return lambda name: Remote(lab, name)


@pytest.fixture(scope="session")
def infra(lab):
    """A testinfra host over the lab's SSH configuration, with sudo."""
    return lambda name: testinfra.get_host(f"ssh://deploy@{lab['hosts'][name]}", ssh_config=lab["ssh_config"], sudo=True)


@pytest.fixture(scope="session")
def stranger(lab):
    """Run a Python script in the stranger container (no group names it; podman exec is its console)."""
    def _run(script: str, timeout: int = 120) -> subprocess.CompletedProcess:
        return subprocess.run(["podman", "exec", "-i", lab["stranger"]["container"], "python3", "-"], input=script,
                              capture_output=True, text=True, timeout=timeout, check=False)
    return _run


@pytest.fixture(scope="session")
def playbook(lab, root):
    """Run one of the project's playbooks against the lab, as an operator would."""
    def _run(path: str, *args: str) -> subprocess.CompletedProcess:
        env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
        argv = ["ansible-playbook", "-i", lab["inventory"], str(root / path), *args]
        return subprocess.run(argv, capture_output=True, text=True, timeout=PLAYBOOK_TIMEOUT, env=env, check=False,
                              cwd=str(root))
    return _run


def recap(output: str) -> dict[str, dict[str, int]]:
    """The PLAY RECAP of an ansible-playbook run: host -> counters."""
    hosts = {}
    for match in re.finditer(r"^(\S+)\s+:\s+((?:\w+=\d+\s*)+)$", output, re.MULTILINE):
        hosts[match.group(1)] = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", match.group(2))}
    return hosts


PROBE = r'''
import json, socket, threading
targets = json.loads(%s)
result = {}
def probe(address, port):
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(%s)
    try:
        s.connect((address, port))
        state = "open"
    except socket.timeout:
        state = "timeout"
    except ConnectionRefusedError:
        state = "refused"
    except OSError as exc:
        state = "error: %%s" %% exc
    finally:
        s.close()
    result["%%s:%%d" %% (address, port)] = state
threads = [threading.Thread(target=probe, args=(a, p)) for a, p in targets]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps(result))
'''


def probe_script(targets: list[tuple[str, int]], timeout: float = 3.0) -> str:
    """A script that tries a TCP connection to each (address, port) at once and prints
    open / refused / timeout for each."""
    return PROBE % (repr(json.dumps(targets)), timeout)


def parse_json(result: subprocess.CompletedProcess):
    assert result.returncode == 0, f"rc={result.returncode}\n{result.stdout}\n{result.stderr}"
    return json.loads(result.stdout.strip().splitlines()[-1])


def controller_probe(targets: list[tuple[str, int]]) -> dict:
    done = subprocess.run([sys.executable, "-", ], input=probe_script(targets), capture_output=True, text=True,
                          timeout=60, check=False)
    return parse_json(done)
