"""Settings from the environment (the api role's env file), checked before anything starts.

Pure: no I/O besides reading the mapping it is given, so it is tested without services.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# The seed's minimum lengths.
MIN_LENGTHS = {"JWT_SECRET_KEY": 64, "ENCRYPTION_KEY": 32, "SESSION_SECRET": 32, "REDIS_PASSWORD": 32}
TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def _bool(env: dict, name: str, default: bool, problems: list[str]) -> bool:
    value = str(env.get(name, str(default))).strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    problems.append(f"{name} must be true or false (is {value!r})")
    return default


def _int(env: dict, name: str, default: int, problems: list[str], minimum: int = 0) -> int:
    try:
        value = int(env.get(name, default))
    except (TypeError, ValueError):
        problems.append(f"{name} must be an integer (is {env.get(name)!r})")
        return default
    if value < minimum:
        problems.append(f"{name} must be at least {minimum} (is {value})")
    return value


def _endpoints(text: str, default_port: int) -> list[tuple[str, int]]:
    found = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        host, sep, port = item.rpartition(":") if item.count(":") == 1 or item.startswith("[") else ("", "", "")
        if sep and port.isdigit():
            found.append((host.strip("[]"), int(port)))
        else:
            found.append((item.strip("[]"), default_port))
    return found


@dataclass(frozen=True)
class Settings:
    environment: str
    debug: bool
    version: str
    db_hosts: list[str]
    db_port: int
    db_name: str
    db_user: str
    db_password: str = field(repr=False)
    db_ssl_mode: str
    db_ssl_root_cert: str
    db_ssl_cert: str
    db_ssl_key: str
    db_pool_size: int
    db_max_overflow: int
    db_pool_timeout: int
    db_pool_recycle: int
    redis_sentinels: list[tuple[str, int]]
    redis_master_name: str
    redis_username: str
    redis_password: str = field(repr=False)
    redis_sentinel_password: str = field(repr=False)
    redis_ssl: bool
    redis_ssl_ca_certs: str
    redis_max_connections: int
    cache_ttl: dict[str, int]
    # REDIS_HOST: one address that always leads to the master (a load
    # balancer's routing port); the Sentinels are not asked then.
    redis_host: tuple[str, int] | None = None

    def conninfo(self) -> dict:
        """libpq parameters (the password apart: psycopg takes it as a keyword)."""
        params = {"host": ",".join(self.db_hosts), "port": ",".join([str(self.db_port)] * len(self.db_hosts)),
                  "dbname": self.db_name, "user": self.db_user, "sslmode": self.db_ssl_mode,
                  "connect_timeout": "5", "target_session_attrs": "read-write",
                  "application_name": f"tdah-reference/{self.version}"}
        for key, value in (("sslrootcert", self.db_ssl_root_cert), ("sslcert", self.db_ssl_cert),
                           ("sslkey", self.db_ssl_key)):
            if value:
                params[key] = value
        return params


class SettingsError(ValueError):
    """Every problem of the environment, one per line."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def load(env: dict, version: str = "") -> Settings:
    problems: list[str] = []
    environment = env.get("ENVIRONMENT", "production")
    debug = _bool(env, "DEBUG", False, problems)
    if environment == "production" and debug:
        problems.append("DEBUG must be false in production")
    for name, length in MIN_LENGTHS.items():
        if len(env.get(name, "")) < length:
            problems.append(f"{name} must be at least {length} characters")
    hosts = [h for h in (part.strip() for part in env.get("DB_HOST", "").split(",")) if h]
    if not hosts:
        problems.append("DB_HOST must name at least one PostgreSQL node")
    ssl_mode = env.get("DB_SSL_MODE", "verify-full")
    if ssl_mode not in ("disable", "allow", "prefer", "require", "verify-ca", "verify-full"):
        problems.append(f"DB_SSL_MODE is not a libpq sslmode (is {ssl_mode!r})")
    elif environment == "production" and ssl_mode not in ("require", "verify-ca", "verify-full"):
        problems.append("DB_SSL_MODE must be require, verify-ca or verify-full in production")
    if ssl_mode in ("verify-ca", "verify-full") and not env.get("DB_SSL_ROOT_CERT"):
        problems.append(f"DB_SSL_ROOT_CERT is needed with DB_SSL_MODE={ssl_mode}")
    if bool(env.get("DB_SSL_CERT")) != bool(env.get("DB_SSL_KEY")):
        problems.append("DB_SSL_CERT and DB_SSL_KEY go together")
    sentinels = _endpoints(env.get("REDIS_SENTINELS", ""), 26379)
    direct = _endpoints(env.get("REDIS_HOST", ""), 6379)
    if len(direct) > 1:
        problems.append("REDIS_HOST names one address (host:port) that leads to the master")
    if not sentinels and not direct:
        problems.append("REDIS_SENTINELS must name at least one Sentinel (host:port, comma-separated), "
                        "or REDIS_HOST the master's address")
    redis_ssl = _bool(env, "REDIS_SSL", True, problems)
    if environment == "production" and not redis_ssl:
        problems.append("REDIS_SSL must be true in production")
    settings = dict(
        db_port=_int(env, "DB_PORT", 5432, problems, 1),
        db_pool_size=_int(env, "DB_POOL_SIZE", 20, problems, 1),
        db_max_overflow=_int(env, "DB_MAX_OVERFLOW", 30, problems),
        db_pool_timeout=_int(env, "DB_POOL_TIMEOUT", 30, problems, 1),
        db_pool_recycle=_int(env, "DB_POOL_RECYCLE", 3600, problems, 1),
        redis_max_connections=_int(env, "REDIS_MAX_CONNECTIONS", 100, problems, 1),
    )
    ttl = {name: _int(env, f"CACHE_TTL_{name.upper()}", default, problems, 1)
           for name, default in (("user_profile", 3600), ("conversation", 300))}
    if problems:
        raise SettingsError(problems)
    return Settings(
        environment=environment, debug=debug, version=version, db_hosts=hosts,
        db_name=env.get("DB_NAME", "personal_assistant_prod"), db_user=env.get("DB_USER", "app_user"),
        db_password=env.get("DB_PASSWORD", ""), db_ssl_mode=ssl_mode,
        db_ssl_root_cert=env.get("DB_SSL_ROOT_CERT", ""), db_ssl_cert=env.get("DB_SSL_CERT", ""),
        db_ssl_key=env.get("DB_SSL_KEY", ""), redis_sentinels=sentinels,
        redis_master_name=env.get("REDIS_MASTER_NAME", "mymaster"), redis_username=env.get("REDIS_USERNAME", "app"),
        redis_password=env.get("REDIS_PASSWORD", ""), redis_sentinel_password=env.get("REDIS_SENTINEL_PASSWORD", ""),
        redis_ssl=redis_ssl, redis_ssl_ca_certs=env.get("REDIS_SSL_CA_CERTS", ""), cache_ttl=ttl,
        redis_host=direct[0] if direct else None, **settings)
