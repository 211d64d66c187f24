"""Settings from the environment: the seed's rules, one message per problem."""
import pytest

from tdah_reference.settings import SettingsError, load

GOOD = {
    "ENVIRONMENT": "production", "DEBUG": "false",
    "JWT_SECRET_KEY": "j" * 64, "ENCRYPTION_KEY": "e" * 32, "SESSION_SECRET": "s" * 32, "REDIS_PASSWORD": "r" * 32,
    "DB_HOST": "10.0.0.41,10.0.0.42", "DB_SSL_MODE": "verify-full", "DB_SSL_ROOT_CERT": "/etc/ssl/ca.crt",
    "DB_SSL_CERT": "/etc/ssl/c.crt", "DB_SSL_KEY": "/etc/ssl/c.key", "DB_PASSWORD": "p",
    "REDIS_SENTINELS": "10.0.0.51:26379,10.0.0.52,[fd00::53]:26380",
}


def test_a_good_environment_gives_settings_and_a_conninfo_without_the_password():
    settings = load(GOOD, "1.2.3")
    assert settings.redis_sentinels == [("10.0.0.51", 26379), ("10.0.0.52", 26379), ("fd00::53", 26380)]
    info = settings.conninfo()
    assert info["host"] == "10.0.0.41,10.0.0.42" and info["port"] == "5432,5432"
    assert info["target_session_attrs"] == "read-write" and info["sslmode"] == "verify-full"
    assert info["sslcert"] == "/etc/ssl/c.crt" and "password" not in info
    assert settings.db_pool_size == 20 and settings.db_max_overflow == 30
    assert settings.cache_ttl["user_profile"] == 3600
    assert "p" * 1 not in repr(settings).split("db_password")[0][-3:]
    assert "r" * 32 not in repr(settings)


@pytest.mark.parametrize("change, message", [
    ({"JWT_SECRET_KEY": "j" * 63}, "JWT_SECRET_KEY must be at least 64 characters"),
    ({"ENCRYPTION_KEY": ""}, "ENCRYPTION_KEY must be at least 32 characters"),
    ({"REDIS_PASSWORD": "short"}, "REDIS_PASSWORD must be at least 32 characters"),
    ({"DEBUG": "true"}, "DEBUG must be false in production"),
    ({"DEBUG": "maybe"}, "DEBUG must be true or false"),
    ({"DB_SSL_MODE": "disable"}, "DB_SSL_MODE must be require, verify-ca or verify-full in production"),
    ({"DB_SSL_ROOT_CERT": ""}, "DB_SSL_ROOT_CERT is needed"),
    ({"DB_SSL_KEY": ""}, "DB_SSL_CERT and DB_SSL_KEY go together"),
    ({"DB_HOST": " , "}, "DB_HOST must name at least one"),
    ({"REDIS_SSL": "false"}, "REDIS_SSL must be true in production"),
    ({"DB_POOL_SIZE": "0"}, "DB_POOL_SIZE must be at least 1"),
    ({"DB_POOL_SIZE": "many"}, "DB_POOL_SIZE must be an integer"),
])
def test_each_bad_setting_is_named(change, message):
    with pytest.raises(SettingsError) as caught:
        load({**GOOD, **change})
    assert any(message in problem for problem in caught.value.problems), caught.value.problems


def test_debug_is_allowed_outside_production():
    assert load({**GOOD, "ENVIRONMENT": "development", "DEBUG": "true", "DB_SSL_MODE": "prefer"}).debug is True


def test_redis_host_is_a_routing_port_to_the_master_and_needs_no_sentinel():
    env = {k: v for k, v in GOOD.items() if k != "REDIS_SENTINELS"}
    settings = load({**env, "REDIS_HOST": "10.0.0.10:6380"})
    assert settings.redis_host == ("10.0.0.10", 6380) and settings.redis_sentinels == []
    assert load({**env, "REDIS_HOST": "[fd00::10]"}).redis_host == ("fd00::10", 6379)
    assert load(GOOD).redis_host is None


@pytest.mark.parametrize("change, message", [
    ({"REDIS_HOST": "10.0.0.10:6380,10.0.0.11:6380"}, "REDIS_HOST names one address"),
    ({"REDIS_SENTINELS": "", "REDIS_HOST": ""}, "or REDIS_HOST the master's address"),
])
def test_redis_needs_one_way_to_the_master(change, message):
    with pytest.raises(SettingsError) as err:
        load({**GOOD, **change})
    assert any(message in problem for problem in err.value.problems)
