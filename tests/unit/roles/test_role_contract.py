"""Every role's inputs are a contract: defaults, their comments and
meta/argument_specs.yml stay in sync."""
from __future__ import annotations

import re

import pytest

from conftest import ROOT, load_yaml

ROLES = sorted(p.name for p in (ROOT / "roles").iterdir() if (p / "defaults" / "main.yml").exists())
PY_TYPES = {"bool": bool, "int": int, "float": float, "str": str, "list": list, "dict": dict}


def _specs(role: str) -> dict:
    return load_yaml(ROOT / "roles" / role / "meta" / "argument_specs.yml")["argument_specs"]


def _defaults(role: str) -> dict:
    return load_yaml(ROOT / "roles" / role / "defaults" / "main.yml") or {}


def test_there_are_roles():
    assert {"hardening", "tls"} <= set(ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_every_default_is_role_prefixed(role):
    bad = [k for k in _defaults(role) if not k.startswith(f"{role}_")]
    assert not bad, f"{role}: defaults without the '{role}_' prefix: {bad}"


@pytest.mark.parametrize("role", ROLES)
def test_defaults_and_argument_specs_have_the_same_keys(role):
    specs = _specs(role)
    spec_keys = {k for entry in specs.values() for k in entry.get("options", {})}
    default_keys = set(_defaults(role))
    assert default_keys - spec_keys == set(), f"{role}: defaults missing from argument_specs"
    assert spec_keys - default_keys == set(), f"{role}: argument_specs options without a default"


@pytest.mark.parametrize("role", ROLES)
def test_argument_spec_options_are_typed_described_and_match_defaults(role):
    defaults = _defaults(role)
    for entry, spec in _specs(role).items():
        assert spec.get("short_description"), f"{role}/{entry}: no short_description"
        for name, opt in spec["options"].items():
            assert opt.get("type") in PY_TYPES or opt.get("type") == "raw", f"{name}: bad type {opt.get('type')}"
            assert opt.get("description"), f"{name}: no description"
            if opt.get("type") == "list":
                assert "elements" in opt, f"{name}: list without elements"
            if opt.get("required"):
                continue
            assert opt.get("default") == defaults[name], f"{name}: spec default differs from defaults/main.yml"
            value = defaults[name]
            if isinstance(value, str) and "{{" in value:
                continue
            if opt["type"] != "raw":
                assert isinstance(value, PY_TYPES[opt["type"]]), f"{name}: default {value!r} is not {opt['type']}"
            if "choices" in opt:
                assert value in opt["choices"], f"{name}: default not among choices"


@pytest.mark.parametrize("role", ROLES)
def test_every_default_has_a_comment(role):
    lines = (ROOT / "roles" / role / "defaults" / "main.yml").read_text(encoding="utf-8").splitlines()
    missing = []
    for index, line in enumerate(lines):
        match = re.match(r"^([a-z0-9_]+):", line)
        if match and not lines[index - 1].startswith("#"):
            missing.append(match.group(1))
    assert not missing, f"{role}: defaults without a comment line above: {missing}"


@pytest.mark.parametrize("role", ROLES)
def test_internal_vars_use_the_double_underscore_prefix(role):
    for path in (ROOT / "roles" / role / "vars").glob("*.yml"):
        keys = load_yaml(path) or {}
        bad = [k for k in keys if not k.startswith(f"__{role}_")]
        assert not bad, f"{path.name}: internal names must start with __{role}_: {bad}"


# Formats that refuse comment lines (Redis rejects any ACL file line that
# does not start with "user").
NO_COMMENT_SYNTAX = {"users.acl.j2"}
# Files the role writes once and the service rewrites afterwards: their first
# line is the role's marker (redis_sentinel's host_info check), the second
# carries ansible_managed.
WRITTEN_ONCE = {"redis.conf.j2", "sentinel.conf.j2"}


@pytest.mark.parametrize("role", ROLES)
def test_templates_start_with_ansible_managed(role):
    """Files written to hosts carry the managed marker; templates under
    templates/lookup/ are computations rendered on the controller only."""
    for path in (ROOT / "roles" / role / "templates" / "lookup").glob("*"):
        assert path.name.endswith(".yml.j2"), f"{path.name}: lookup templates render YAML"
    for path in (ROOT / "roles" / role / "templates").glob("*"):
        if path.is_dir() and path.name == "lookup":
            continue
        assert path.suffix == ".j2", f"{path.name}: templates end in .j2"
        lines = path.read_text(encoding="utf-8").splitlines()
        first = lines[1] if path.name in WRITTEN_ONCE else lines[0]
        if path.name in NO_COMMENT_SYNTAX:
            assert first.startswith("{#"), f"{path.name}: say in a Jinja comment why the marker is missing"
            continue
        assert "ansible_managed" in first, f"{path.name}: first line must carry ansible_managed"
