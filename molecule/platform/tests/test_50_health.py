"""The health report of the whole platform is green."""
from __future__ import annotations

from conftest import recap


def test_the_health_report_is_green(lab, playbook):
    result = playbook("playbooks/health.yml")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "postgres: pg1=primary pg2=replica-streaming" in output, output[-3000:]
    assert "redis: redis1=master redis2=replica-linked redis3=replica-linked" in output, output[-3000:]
    counts = recap(output)
    assert set(lab["hosts"]) <= set(counts), counts
    assert all(c["failed"] == 0 and c["unreachable"] == 0 for c in counts.values()), counts
