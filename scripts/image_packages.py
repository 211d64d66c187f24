"""Print the Debian packages the roles install, for the test image layer.

The roles keep their package lists in their own vars and defaults files;
this reads those lists (rendering simple templates with the role's
defaults), so the image layer follows the roles. Two lines are printed:

  install <packages>    every host gets them (hardening, tls): preinstalled
  download <packages>   one tier installs them (PostgreSQL, Redis, API, frontend, HAProxy, test
                        clients): only downloaded into apt's cache, so the
                        hosts of other tiers stay as production has them

Usage: image_packages.py [ROLES_DIR]
"""
from __future__ import annotations

import sys
from pathlib import Path

import jinja2
import yaml

# (role, file under the role, variable names). A container skips the
# hardening packages named in __hardening_container_skip_packages.
INSTALL = [
    ("hardening", "vars/Debian-12.yml",
     ["__hardening_packages_base", "__hardening_packages_ssh", "__hardening_packages_fail2ban",
      "__hardening_packages_aide", "__hardening_packages_chkrootkit"]),
    ("hardening", "defaults/main.yml", ["hardening_audit_tools", "hardening_malware_scanner"]),
    ("tls", "vars/main.yml", ["__tls_packages"]),
]
DOWNLOAD = [
    ("postgres_replication", "vars/main.yml", ["__postgres_replication_packages"]),
    ("redis_sentinel", "vars/main.yml",
     ["__redis_sentinel_packages_redis", "__redis_sentinel_packages_sentinel", "__redis_sentinel_packages_common"]),
    ("api", "vars/main.yml", ["__api_packages"]),
    ("frontend", "vars/main.yml", ["__frontend_packages"]),
    ("haproxy", "vars/main.yml", ["__haproxy_packages", "__haproxy_keepalived_packages"]),
]
# Not in a role: syslog forwarding (hardening_remote_syslog_host), the
# clients the scenarios probe with, and the audit tools their verify runs.
DOWNLOAD_EXTRA = ["rsyslog", "postgresql-common", "lynis", "postgresql-client-15", "redis-tools",
                  "python3-psycopg", "python3-redis", "openssh-client", "testssl.sh"]


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text()) or {}


def packages(roles: Path, table) -> list[str]:
    found: list[str] = []
    for role, name, variables in table:
        data = _load(roles / role / name)
        defaults = _load(roles / role / "defaults" / "main.yml")
        for variable in variables:
            if variable not in data:
                raise SystemExit(f"{role}/{name}: {variable} is not defined; update scripts/image_packages.py")
            value = data[variable]
            for item in value if isinstance(value, list) else [value]:
                text = jinja2.Template(str(item)).render(**defaults)
                if text and text not in found:
                    found.append(text)
    return found


def main() -> None:
    roles = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "roles")
    skip = set(_load(roles / "hardening" / "vars" / "main.yml")["__hardening_container_skip_packages"])
    install = [p for p in packages(roles, INSTALL) if p not in skip]
    download = [p for p in packages(roles, DOWNLOAD) + DOWNLOAD_EXTRA if p not in install]
    print("install " + " ".join(install))
    print("download " + " ".join(dict.fromkeys(download)))


if __name__ == "__main__":
    main()
