"""The collection builds, installs and documents its roles."""
from __future__ import annotations

import json
import tarfile
from pathlib import Path

from conftest import ROOT, ansible_env, load_yaml, run


def test_build_and_install(tmp_path: Path):
    galaxy = load_yaml(ROOT / "galaxy.yml")
    built = run(["ansible-galaxy", "collection", "build", "--output-path", str(tmp_path), "--force", str(ROOT)])
    assert built.returncode == 0, built.stderr
    tarball = tmp_path / f"{galaxy['namespace']}-{galaxy['name']}-{galaxy['version']}.tar.gz"
    assert tarball.exists(), built.stdout

    with tarfile.open(tarball) as archive:
        names = archive.getnames()
    assert "roles/hardening/tasks/main.yml" in names
    assert "meta/runtime.yml" in names
    leaked = [n for n in names if n.split("/")[0] in {".venv", ".cache", "molecule", ".git", "bench"}]
    assert not leaked, f"build_ignore lets through: {leaked[:5]}"

    target = tmp_path / "collections"
    installed = run(["ansible-galaxy", "collection", "install", "--force", "--no-deps", "-p", str(target), str(tarball)])
    assert installed.returncode == 0, installed.stderr
    manifest = json.loads((target / "ansible_collections/tdah/platform/MANIFEST.json").read_text())
    assert manifest["collection_info"]["version"] == galaxy["version"]

    env = ansible_env()
    env["ANSIBLE_COLLECTIONS_PATH"] = str(target)
    doc = run(["ansible-doc", "-t", "role", "--json", "tdah.platform.hardening"], env=env)
    assert doc.returncode == 0, doc.stderr
    entry_points = json.loads(doc.stdout)["tdah.platform.hardening"]["entry_points"]
    assert {"main", "systemd_sandbox", "firewall_rules"} <= set(entry_points)


def test_runtime_and_dependencies_are_declared():
    runtime = load_yaml(ROOT / "meta" / "runtime.yml")
    assert runtime["requires_ansible"].startswith(">=")
    galaxy = load_yaml(ROOT / "galaxy.yml")
    required = load_yaml(ROOT / "requirements.yml")["collections"]
    assert {c["name"] for c in required} == set(galaxy["dependencies"])
    for name in ("ansible.posix", "community.general", "community.crypto", "community.postgresql", "containers.podman"):
        assert name in galaxy["dependencies"]


def test_requirements_pin_the_toolchain():
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _sep, version = line.partition("==")
            pins[name.split("[")[0]] = version
    for tool in ("ansible", "ansible-core", "molecule", "molecule-plugins", "jinja2", "psycopg", "redis",
                 "pytest", "pytest-testinfra", "ansible-lint"):
        assert pins.get(tool), f"{tool} is not pinned in requirements.txt"
    assert pins["ansible"].startswith("12.")
