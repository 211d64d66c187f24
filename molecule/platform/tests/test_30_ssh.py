"""SSH on every host: ssh-audit 3.9 finds nothing to fail or warn about; keys only; no root."""
from __future__ import annotations

import subprocess
import sys

import pytest


def _audit(address: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ssh_audit", "--no-colors", "-p", "22", address],
                          capture_output=True, text=True, timeout=60, check=False)


def test_ssh_audit_is_version_3_9():
    from ssh_audit.globals import VERSION  # pylint: disable=import-outside-toplevel
    assert VERSION.startswith("v3.9."), VERSION


@pytest.mark.parametrize("name", ["lb1", "lb2", "app1", "app2", "pg1", "pg2", "redis1", "redis2", "redis3", "mon1"])
def test_ssh_audit_is_clean(lab, name):
    result = _audit(lab["hosts"][name])
    assert "(kex) " in result.stdout, result.stdout + result.stderr
    findings = [line for line in result.stdout.splitlines() if "[fail]" in line or "[warn]" in line]
    assert not findings and result.returncode == 0, findings


def _ssh(lab, user: str, *options: str) -> subprocess.CompletedProcess:
    # A connection of its own (no shared master connection, which is already authenticated).
    return subprocess.run(["ssh", "-F", lab["ssh_config"], "-o", "ControlMaster=no", "-o", "ControlPath=none", *options,
                           f"{user}@{lab['hosts']['mon1']}", "true"],
                          capture_output=True, text=True, timeout=30, check=False)


def test_the_deploy_key_logs_in_and_sudo_works(remote):
    result = remote("mon1").run("id -un", sudo=True)
    assert result.returncode == 0 and result.stdout.strip() == "root", result.stderr


def test_root_is_refused_even_with_the_deploy_key(lab):
    result = _ssh(lab, "root")
    assert result.returncode != 0 and "Permission denied" in result.stderr, result.stderr


def test_passwords_are_not_even_offered(lab):
    result = _ssh(lab, "deploy", "-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password,keyboard-interactive")
    assert result.returncode != 0 and "Permission denied (publickey)" in result.stderr, result.stderr
