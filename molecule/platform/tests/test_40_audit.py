"""A Lynis audit of a lab host with the lab's own settings (as production: only sshusers log in;
syslog forwarded to the monitoring host; /tmp without exec)."""
from __future__ import annotations

import re

import pytest


@pytest.mark.xdist_group("lynis")
def test_lynis_hardening_index_is_at_least_85(lab, remote):
    host = remote(lab["groups"]["loadbalancers"][0])
    installed = host.run("DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends lynis",
                         sudo=True, timeout=300)
    assert installed.returncode == 0, installed.stderr
    audit = host.run("lynis audit system --quick --no-colors --skip-plugins", sudo=True, timeout=600)
    assert audit.returncode == 0, audit.stderr[-2000:]
    index = int(re.search(r"Hardening index : (\d+)", audit.stdout).group(1))
    suggestions = host.run("grep -E '^(suggestion|warning)\\[\\]=' /var/log/lynis-report.dat", sudo=True).stdout
    print(f"Lynis hardening index {index}\n{suggestions}")
    assert index >= 85, f"Lynis hardening index {index} < 85; still suggested:\n{suggestions}"


def test_the_sandboxed_services_score_low_exposure(lab, remote):
    # Unit and its target: the data tiers' 4.0, the application tier's 2.0 (the issue's).
    units = {"pg1": [("tdah-pg-health.service", 4.0), ("tdah-tls-expiry.service", 4.0)],
             "redis1": [("redis-server.service", 4.0), ("redis-sentinel.service", 4.0)],
             "app1": [("tdah-api.service", 2.0), ("tdah-frontend.service", 2.0)],
             "lb1": [("haproxy.service", 4.0), ("keepalived.service", 4.0)]}
    scores = {}
    for name, unit_names in units.items():
        for unit, target in unit_names:
            result = remote(name).run(f"systemd-analyze security --no-pager {unit}", sudo=True)
            score = float(re.search(r"Overall exposure level for \S+: ([0-9.]+)", result.stdout).group(1))
            scores[f"{name} {unit}"] = score
            assert score <= target, f"{name} {unit}: exposure {score} > {target}"
    print(f"exposure: {scores}")
