"""A --check run of site.yml on the converged platform passes and predicts no change.

It runs on one host of every kind each role knows (a load balancer, an API and frontend host, the
monitoring host) and on the whole PostgreSQL and Redis tiers (their roles refuse a run that leaves a
node out): every role's every path is in check mode, on 8 of the 10 hosts."""
from __future__ import annotations

import pytest

from conftest import recap

HOSTS = ["lb1", "app1", "pg1", "pg2", "redis1", "redis2", "redis3", "mon1"]


@pytest.mark.xdist_group("site-check")
def test_check_mode_predicts_no_change(lab, playbook):
    assert set(HOSTS) <= set(lab["hosts"]), lab["hosts"]
    result = playbook("site.yml", "--check", "--limit", ",".join(HOSTS))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    counts = recap(output)
    assert set(counts) == set(HOSTS), counts
    changed = {host: c for host, c in counts.items() if c["changed"] or c["failed"] or c["unreachable"]}
    assert not changed, f"{changed}\n{output[-4000:]}"
