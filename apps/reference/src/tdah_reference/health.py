"""The health verdict from the results of the individual checks (pure)."""
from __future__ import annotations

import time
from typing import Callable


def run_checks(checks: dict[str, Callable[[], dict]], clock: Callable[[], float] = time.monotonic) -> dict:
    """Run each check; a check returns details or raises. The verdict says which failed and why."""
    results = {}
    for name, check in checks.items():
        start = clock()
        try:
            details = check() or {}
            results[name] = {"status": "ok", **details}
        except Exception as exc:  # noqa: BLE001 - any failure of a dependency is a failed check
            results[name] = {"status": "failed", "error": f"{type(exc).__name__}: {exc}".strip()[:300]}
        results[name]["seconds"] = round(clock() - start, 4)
    failed = sorted(name for name, result in results.items() if result["status"] != "ok")
    return {"status": "unhealthy" if failed else "healthy", "failed": failed, "checks": results}
