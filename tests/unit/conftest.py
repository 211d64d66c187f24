"""Shared helpers for the collection's unit tests."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
# The collection's plugins import as ansible_collections.tdah.platform (the
# setup script links the checkout there).
if str(ROOT / ".cache" / "collections") not in sys.path:
    sys.path.insert(0, str(ROOT / ".cache" / "collections"))


def ansible_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(ROOT / ".cache" / "collections"))
    env["ANSIBLE_CONFIG"] = str(ROOT / "ansible.cfg")
    env["ANSIBLE_NOCOLOR"] = "1"
    return env


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=kwargs.pop("cwd", ROOT), env=kwargs.pop("env", ansible_env()),
                          capture_output=True, text=True, check=False, **kwargs)


def load_yaml(path: Path):
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def inventory(name: str) -> dict:
    result = run(["ansible-inventory", "-i", f"inventories/{name}", "--list"])
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture
def run_module(capsys):
    """Run a module's main() in-process with the given arguments and return its result."""
    from ansible.module_utils.testing import patch_module_args

    def _run(module, args: dict) -> dict:
        with patch_module_args(args):
            with pytest.raises(SystemExit):
                module.main()
        return json.loads(capsys.readouterr().out)
    return _run
