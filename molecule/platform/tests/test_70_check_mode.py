"""A --check run of site.yml on the converged platform passes and predicts no change."""
from __future__ import annotations

import pytest

from conftest import recap


@pytest.mark.xdist_group("site-check")
def test_check_mode_predicts_no_change(lab, playbook):
    result = playbook("site.yml", "--check")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    counts = recap(output)
    assert set(lab["hosts"]) <= set(counts), counts
    changed = {host: c for host, c in counts.items() if c["changed"] or c["failed"] or c["unreachable"]}
    assert not changed, f"{changed}\n{output[-4000:]}"
