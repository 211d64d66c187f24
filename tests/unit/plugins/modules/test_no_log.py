"""Secrets only in no_log options: every module's secret-looking option is no_log, and what a
module logs about its invocation on the host (before it runs) holds no secret."""
from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from ansible_collections.tdah.platform.plugins import modules as collection_modules

SECRET_NAME = re.compile(r"(password|passphrase|secret|token|auth)s?$")
MODULES = sorted(m.name for m in pkgutil.iter_modules(collection_modules.__path__))


class _Spec(Exception):
    """Raised in place of AnsibleModule.__init__ to hand back the argument spec."""


def _argument_spec(name: str, monkeypatch) -> dict:
    module = importlib.import_module(f"ansible_collections.tdah.platform.plugins.modules.{name}")

    def capture(self, argument_spec, **_kwargs):
        raise _Spec(argument_spec)

    monkeypatch.setattr(basic.AnsibleModule, "__init__", capture)
    with patch_module_args({}):
        with pytest.raises(_Spec) as caught:
            module.main()
    return caught.value.args[0]


def _options(spec: dict, prefix: str = ""):
    for name, option in spec.items():
        yield prefix + name, option
        yield from _options(option.get("options") or {}, prefix + name + ".")


def test_there_are_modules():
    assert {"files", "host_info", "redis_config", "redis_info"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_every_secret_option_is_no_log(name, monkeypatch):
    spec = _argument_spec(name, monkeypatch)
    for option, settings in _options(spec):
        if SECRET_NAME.search(option.split(".")[-1]):
            assert settings.get("no_log") is True, f"{name}: option {option} looks secret and is not no_log"


def test_redis_config_logs_no_secret(monkeypatch):
    """The invocation redis_config logs (journal/syslog) masks its secrets; settings stay readable."""
    from ansible_collections.tdah.platform.plugins.modules import redis_config  # pylint: disable=import-outside-toplevel

    logged = []
    monkeypatch.setattr(basic.AnsibleModule, "log", lambda self, msg, log_args=None: logged.append(msg))
    secret, login = "replication-password-that-must-not-leak", "admin-password-that-must-not-leak"
    args = {"login_port": 1, "login_password": login, "tls": False,
            "settings": {"maxmemory": "64mb", "masteruser": "replication"}, "secrets": {"masterauth": secret}}
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            redis_config.main()
    invocation = " ".join(message for message in logged if "Invoked" in message)
    assert "maxmemory" in invocation and "masteruser" in invocation, logged
    assert secret not in invocation and login not in invocation, invocation
