"""host_info: answers without changing anything, and never a password hash."""
from __future__ import annotations

import os

from ansible_collections.tdah.platform.plugins.modules import host_info

SHOW = """Id=ssh.service
ActiveState=active
UnitFileState=enabled

Id=fail2ban.service
ActiveState=failed
UnitFileState=enabled

Id=chkrootkit.timer
ActiveState=active
UnitFileState=disabled
"""


def test_units_that_are_not_enabled_and_active_are_down():
    states = host_info.parse_units(SHOW)
    assert host_info.units_down(["ssh.service", "fail2ban.service", "chkrootkit.timer", "nope.service"], states) == [
        "fail2ban.service", "chkrootkit.timer", "nope.service"]


def test_security_upgrades_are_told_from_other_upgrades():
    simulation = """Inst openssl [3.0.15-1~deb12u1] (3.0.17-1~deb12u2 Debian-Security:12/stable-security [amd64])
Inst tzdata [2024a-0+deb12u1] (2025b-0+deb12u1 Debian:12.12/stable [all])
Conf openssl (3.0.17-1~deb12u2 Debian-Security:12/stable-security [amd64])"""
    assert host_info.security_upgrades(simulation) == ["openssl"]


def test_ageing_reports_accounts_with_a_password_and_never_the_hash():
    shadow = "root:*:19000:0:99999:7:::\ndeploy:!:19000:0:99999:7:::\nalice:$6$salt$hash:19000:1:365:14:::\n"
    result = host_info.ageing(shadow)
    assert result == [{"name": "alice", "max": 365, "min": 1, "warn": 14}]
    assert "$6$" not in repr(result)


def test_lines_find_and_describe(tmp_path):
    conf = tmp_path / "su"
    conf.write_text("auth sufficient pam_rootok.so\nauth       required   pam_wheel.so group=sudo\n")
    assert host_info.lines_missing([[str(conf), "auth       required   pam_wheel.so group=sudo"],
                                    [str(conf), "absent line"], [str(tmp_path / "nofile"), "x"]]) == [
        [str(conf), "absent line"], [str(tmp_path / "nofile"), "x"]]
    (tmp_path / "gcc-12").write_text("")
    os.chmod(tmp_path / "gcc-12", 0o755)
    (tmp_path / "ls").write_text("")
    os.symlink(tmp_path / "gcc-12", tmp_path / "x86_64-linux-gnu-gcc-12")
    found = host_info.find({"dirs": [str(tmp_path)], "patterns": ["gcc-[0-9]*", "*-linux-gnu-gcc-[0-9]*"], "file_type": "file"})
    assert [(f["path"], f["mode"]) for f in found] == [(str(tmp_path / "gcc-12"), "0755")]
    assert host_info.describe(str(tmp_path / "nothing")) == {"exists": False}
    assert host_info.describe(str(conf))["type"] == "file"


def test_the_login_user_and_address_come_from_the_session(monkeypatch):
    monkeypatch.setenv("SSH_CONNECTION", "10.89.70.1 40000 10.89.70.11 22")
    monkeypatch.setenv("SUDO_USER", "deploy")
    monkeypatch.setattr(host_info, "_owner", lambda pid: "deploy" if pid == os.getpid() else None)
    assert host_info.login_info() == {"user": "deploy", "client_address": "10.89.70.1", "server_port": 22, "sudo": True}


def test_after_escalation_the_session_process_and_its_owner_are_found(monkeypatch):
    """sudo drops SSH_CONNECTION, su or doas set no SUDO_USER: the nearest ancestor with the
    session's environment tells the address, its owner the user."""
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    monkeypatch.delenv("SUDO_USER", raising=False)
    environs = {200: {"SSH_CONNECTION": "10.0.0.5 1 10.0.0.6 2222"}}
    parents = {os.getpid(): 100, 100: 200, 200: 1}
    monkeypatch.setattr(host_info, "_parent", lambda pid: parents.get(pid, 0))
    monkeypatch.setattr(host_info, "_environ", lambda pid: environs.get(pid, {}))
    monkeypatch.setattr(host_info, "_owner", lambda pid: {200: "deploy"}.get(pid, "root"))
    assert host_info.login_info() == {"user": "deploy", "client_address": "10.0.0.5", "server_port": 2222, "sudo": False}


def test_a_line_prefix_matches_the_start_of_a_line(tmp_path):
    conf = tmp_path / "redis.conf"
    conf.write_text("# tdah.platform redis_sentinel: base configuration (Ansible managed)\nport 0\n")
    marker = "# tdah.platform redis_sentinel: base configuration"
    assert host_info.lines_missing([[str(conf), marker]], prefix=True) == []
    assert host_info.lines_missing([[str(conf), marker]]) == [[str(conf), marker]]


def test_a_unit_started_before_its_file_changed_is_stale():
    states = host_info.parse_units("""Id=redis-server.service
ActiveState=active
ExecMainStartTimestampMonotonic=100000000

Id=redis-sentinel.service
ActiveState=active
ExecMainStartTimestampMonotonic=300000000

Id=postgresql@15-main.service
ActiveState=inactive
ExecMainStartTimestampMonotonic=0
""")
    # The wall clock is 1000 s ahead of the monotonic clock: a file changed at 1200 (wall) changed at 200 (monotonic).
    pairs = [("redis-server.service", "/a"), ("redis-sentinel.service", "/a"), ("postgresql@15-main.service", "/a"),
             ("redis-server.service", "/b"), ("redis-server.service", "/missing")]
    assert host_info.units_stale(pairs, states, {"/a": 1200.0, "/b": 1050.0}, 1000.0) == ["redis-server.service"]
    # Restarted after the change: nothing pending.
    assert host_info.units_stale([("redis-sentinel.service", "/a")], states, {"/a": 1200.0}, 1000.0) == []
