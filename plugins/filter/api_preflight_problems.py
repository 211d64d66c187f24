# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""api_preflight_problems: what is wrong with the api role's input, one message each."""
from __future__ import annotations

import base64
import re

DOCUMENTATION = r"""
name: api_preflight_problems
short_description: Preflight of the api role
version_added: 0.1.0
description:
  - Given the api role's settings, returns one message per problem, so that a bad variable stops the run
    before any host changes.
  - Secrets shorter than the seed's minimum lengths (C(JWT_SECRET_KEY) 64, C(ENCRYPTION_KEY) 32,
    C(SESSION_SECRET) 32, C(REDIS_PASSWORD) 32), secrets with a quote, a backslash, a dollar sign or a line
    break (the env file is read by systemd and by a shell), C(DEBUG) on in production, a PostgreSQL
    connection that does not verify the server or has no client certificate, a database user the CA may not
    renew a client certificate for, a release without a version or
    a source, fewer than two releases kept, and worker settings out of range.
author: tdah.platform maintainers (@tdah-platform)
options:
  _input:
    description: >-
      The settings: V(environment), V(debug), V(secrets) (name to value), V(min_lengths) (name to length),
      V(release) (V(version), V(source), V(wheelhouse)), V(releases_keep), V(workers), V(max_requests),
      V(max_requests_jitter), V(port), V(db_ssl_mode), V(db_client_certificate), V(db_hosts),
      V(redis_sentinels), V(redis_host), V(password_min_length), V(db_password), V(owner_password),
      V(db_user) and V(ca_allowed_names) (the host's C(tls_ca_allowed_names): the client certificate's common
      name is the database user, which the CA renews only when the inventory allows it).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: The api role's input is sound
  ansible.builtin.assert:
    that: __problems | length == 0
    fail_msg: "{{ __problems | join('; ') }}"
  vars:
    __problems: "{{ {'environment': 'production', 'debug': false} | tdah.platform.api_preflight_problems }}"
"""

RETURN = r"""
_value:
  description: One message per problem; empty when the input is sound.
  type: list
  elements: str
"""

UNSAFE = re.compile(r"['\"\\$`\n\r]")
VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+_-]*$")
REDIS_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):[0-9]{1,5}$")


def _as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def api_preflight_problems(settings: dict) -> list:
    problems = []
    production = settings.get("environment", "production") == "production"
    if production and settings.get("debug"):
        problems.append("api_debug must be false in production (api_environment is production)")
    lengths = settings.get("min_lengths", {})
    for name, value in sorted(settings.get("secrets", {}).items()):
        value = value or ""
        need = lengths.get(name, 1)
        if len(value) < need:
            problems.append(f"{name} must be at least {need} characters (is {len(value)}): set it from Vault")
        elif UNSAFE.search(value):
            problems.append(f"{name} must not hold a quote, a backslash, '$', '`' or a line break")
    if UNSAFE.search(settings.get("sentinel_password") or ""):
        problems.append("api_redis_sentinel_password must not hold a quote, a backslash, '$', '`' or a line break")
    for name, value in sorted((settings.get("extra_environment") or {}).items()):
        if not re.match(r"^[A-Z_][A-Z0-9_]*$", str(name)) or UNSAFE.search(str(value)):
            problems.append(f"api_extra_environment: {name} must be an upper-case name with a value without quotes, "
                            "backslashes, '$', '`' or line breaks")
    minimum = settings.get("password_min_length", 16)
    for name in ("db_password", "owner_password"):
        if len(settings.get(name) or "") < minimum:
            problems.append(f"the PostgreSQL {name.replace('_', ' ')} must be at least {minimum} characters")
        elif UNSAFE.search(settings.get(name) or ""):
            problems.append(f"the PostgreSQL {name.replace('_', ' ')} must not hold a quote, a backslash, '$', "
                            "'`' or a line break")
    if settings.get("db_ssl_mode") != "verify-full":
        problems.append(f"api_db_ssl_mode must be verify-full (is {settings.get('db_ssl_mode')!r})")
    if not settings.get("db_client_certificate"):
        problems.append("api_db_client_certificate must name the client certificate PostgreSQL checks")
    db_user = settings.get("db_user")
    allowed = settings.get("ca_allowed_names")
    if db_user and allowed is not None and db_user not in allowed and f"DNS:{db_user}" not in allowed:
        problems.append(f"tls_ca_allowed_names must hold {db_user} on the API hosts: the client certificate names the "
                        "database user (api_db_user), and the CA renews a certificate only for names the inventory "
                        "allows the host")
    if not settings.get("db_hosts"):
        problems.append("api_db_hosts is empty: name the PostgreSQL nodes (default: the postgres group)")
    redis_host = str(settings.get("redis_host") or "")
    if redis_host and not REDIS_HOST.match(redis_host):
        problems.append(f"api_redis_host must be one address as host:port, e.g. 10.0.0.10:6380 (is {redis_host!r})")
    if not settings.get("redis_sentinels") and not redis_host:
        problems.append("api_redis_sentinels is empty: name the Sentinels (default: the redis group), "
                        "or set api_redis_host")
    release = settings.get("release", {})
    version = str(release.get("version", ""))
    if not VERSION.match(version):
        problems.append(f"api_release_version must be a version like 1.4.2 (is {version!r})")
    if not release.get("source") and not release.get("wheelhouse"):
        problems.append("give api_release_source (a source tree, wheel or package spec) or api_release_wheelhouse")
    keep = _as_int(settings.get("releases_keep"))
    if keep is None or keep < 2:
        problems.append("api_releases_keep must be at least 2 (the previous release is the rollback)")
    for name, low, high in (("workers", 1, 64), ("max_requests", 0, 10**7), ("max_requests_jitter", 0, 10**6),
                            ("port", 1024, 65535)):
        value = _as_int(settings.get(name))
        if value is None or not low <= value <= high:
            problems.append(f"api_{name} must be an integer from {low} to {high} (is {settings.get(name)!r})")
    return problems


def api_target(facts: dict) -> str:
    """The wheel target of a host from its facts: its Python's full version (dependency markers
    compare it: Debian 12's 3.11.2 needs wheels a 3.11.7 controller would skip) and architecture,
    e.g. 3.11.2-x86_64."""
    python = facts.get("python", {}).get("version", {})
    version = f"{python.get('major', 3)}.{python.get('minor', 0)}.{python.get('micro', 0)}"
    return f"{version}-{facts.get('architecture', 'x86_64')}"


def api_prune(releases: list, keep, protected: list, root: str) -> list:
    """Release directories (and their wheelhouses) to remove: the oldest beyond `keep`, never a
    protected one (the new release, the current one)."""
    protected = {p.rstrip("/") for p in protected if p}
    ordered = sorted(releases, key=lambda r: r.get("mtime", 0), reverse=True)
    others = [r["path"].rstrip("/") for r in ordered if r["path"].rstrip("/") not in protected]
    spare = max(int(keep) - len(protected), 0)
    doomed = others[spare:]
    return [path for release in doomed
            for path in (release, f"{root.rstrip('/')}/wheelhouse/{release.rsplit('/', 1)[-1]}")]


def api_dependencies_differ(sums: list, package: str) -> bool:
    """Whether two releases' wheelhouses differ in anything but the application's own wheel, from
    slurp results of their SHA256SUMS (one result when both are the same release). A missing file
    counts as different: the caller restarts rather than reloads."""
    prefix = package.replace("-", "_").lower() + "-"
    sets = []
    for result in sums:
        if "content" not in result:
            return True
        lines = base64.b64decode(result["content"]).decode().splitlines()
        sets.append(sorted(line for line in lines if line.strip() and not line.split()[-1].lower().startswith(prefix)))
    return len(sets) > 1 and any(other != sets[0] for other in sets[1:])


class FilterModule:
    def filters(self):
        return {"api_preflight_problems": api_preflight_problems, "api_target": api_target, "api_prune": api_prune,
                "api_dependencies_differ": api_dependencies_differ}
