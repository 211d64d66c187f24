"""No lab secret is in any host's journal, in /var/log or in a world-readable file."""
from __future__ import annotations

import time
import uuid

import pytest

# The patterns arrive on stdin into a root-only file, so they are on no command line and in no
# world-readable file; the scan covers where configuration and state live (/usr/lib and /usr/share
# hold package content).
SCAN = r'''umask 077; p=$(mktemp /run/tdah-scan.XXXXXX); cat >"$p"
printf 'journal %s\n' "$(journalctl --no-pager -o cat 2>/dev/null | grep -cF -f "$p")"
printf 'varlog %s\n' "$(grep -rlsF -f "$p" /var/log | tr '\n' ' ')"
printf 'readable %s\n' "$(find /etc /var /opt /srv /home /root /run /tmp /usr/local -xdev -type f -perm -o=r -size -4M \
  ! -path '/var/cache/apt/*' ! -path '/var/lib/apt/lists/*' -print0 2>/dev/null | xargs -0 -r grep -lsF -f "$p" | tr '\n' ' ')"
rm -f "$p"'''


def _report(stdout: str) -> dict:
    report = {}
    for line in stdout.splitlines():
        if line:
            key, value = (line.split(" ", 1) + [""])[:2]
            report[key] = value.strip()
    assert set(report) == {"journal", "varlog", "readable"}, stdout
    return report


@pytest.mark.parametrize("name", ["lb1", "lb2", "app1", "app2", "pg1", "pg2", "redis1", "redis2", "redis3", "mon1"])
def test_no_secret_leaks_on(name, remote, secrets):
    result = remote(name).run("sh -c " + "'" + SCAN.replace("'", "'\\''") + "'", sudo=True, input="\n".join(secrets) + "\n",
                              timeout=300)
    assert result.returncode == 0, result.stderr
    report = _report(result.stdout)
    assert report["journal"] == "0", f"{name}: {report['journal']} journal lines hold a secret"
    assert report["varlog"] == "", f"{name}: files in /var/log hold a secret: {report['varlog']}"
    assert report["readable"] == "", f"{name}: world-readable files hold a secret: {report['readable']}"


def test_the_scan_finds_what_it_looks_for(remote):
    """Positive control: a marker (not a secret) planted in a world-readable file and in the journal
    is found by the same scan."""
    host = remote("mon1")
    marker = f"tdah-scan-control-{uuid.uuid4().hex}"
    planted = host.run("sh -c 'umask 022; cat > /tmp/tdah-scan-control; logger -t tdah-scan-control -f /tmp/tdah-scan-control'",
                       sudo=True, input=marker + "\n")
    assert planted.returncode == 0, planted.stderr
    try:
        result = host.run("sh -c " + "'" + SCAN.replace("'", "'\\''") + "'", sudo=True, input=marker + "\n")
        report = _report(result.stdout)
        assert "/tmp/tdah-scan-control" in report["readable"] and int(report["journal"]) >= 1, report
    finally:
        host.run("rm -f /tmp/tdah-scan-control", sudo=True)


def test_every_host_s_logs_reach_the_log_host(lab, remote):
    """The monitoring host collects every other host's syslog over TCP."""
    collector = remote(lab["groups"]["monitoring"][0])
    markers = {}
    for name in lab["hosts"]:
        if name in lab["groups"]["monitoring"]:
            continue
        markers[name] = f"tdah-log-delivery-{name}-{uuid.uuid4().hex}"
        assert remote(name).run(f"logger -t tdah-verify {markers[name]}").returncode == 0
    for attempt in range(30):
        found = collector.run(f"grep -rlF -e {' -e '.join(markers.values())} /var/log/remote", sudo=True).stdout.split()
        if len(found) == len(markers) or attempt == 29:
            break
        time.sleep(1)
    # One file per sender, named by its address (a sender cannot pose as another).
    assert sorted(found) == sorted(f"/var/log/remote/{lab['hosts'][name]}.log" for name in markers), found
