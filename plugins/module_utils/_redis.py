# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection options and client shared by the Redis modules (private to the collection)."""
from __future__ import annotations

import traceback

try:
    import redis
except ImportError:
    REDIS_IMPORT_ERROR = traceback.format_exc()
    redis = None
else:
    REDIS_IMPORT_ERROR = None


def redis_common_argument_spec() -> dict:
    """The options of doc_fragments/redis.py."""
    return dict(
        login_host=dict(type="str", default="127.0.0.1"),
        login_port=dict(type="int", default=6379),
        login_user=dict(type="str"),
        login_password=dict(type="str", no_log=True),
        tls=dict(type="bool", default=True),
        ca_cert=dict(type="path"),
        client_cert=dict(type="path"),
        client_key=dict(type="path", no_log=False),
    )


def redis_module(**options):
    """An AnsibleModule with the common connection options plus **options
    (all of them support check mode), and a client for the server they name."""
    from ansible.module_utils.basic import AnsibleModule

    argument_spec = redis_common_argument_spec()
    argument_spec.update(options)
    module = AnsibleModule(
        argument_spec=argument_spec,
        required_if=[("tls", True, ["ca_cert"])],
        required_together=[("client_cert", "client_key")],
        supports_check_mode=True,
    )
    return module, redis_client(module)


def redis_client(module):
    """A client for the server the module's options name; fails the module without the library."""
    from ansible.module_utils.basic import missing_required_lib

    if redis is None:
        module.fail_json(msg=missing_required_lib("redis"), exception=REDIS_IMPORT_ERROR)
    params = module.params
    kwargs = dict(host=params["login_host"], port=params["login_port"], username=params["login_user"],
                  password=params["login_password"], decode_responses=True, socket_timeout=10,
                  socket_connect_timeout=5)
    if params["tls"]:
        kwargs.update(ssl=True, ssl_ca_certs=params["ca_cert"], ssl_cert_reqs="required",
                      ssl_certfile=params["client_cert"], ssl_keyfile=params["client_key"])
    return redis.Redis(**kwargs)


def where(module) -> str:
    return "%s:%s" % (module.params["login_host"], module.params["login_port"])


def pairs(reply) -> dict:
    """A flat [name, value, ...] reply (or an already parsed one) as a dict."""
    if isinstance(reply, dict):
        return {str(k): v for k, v in reply.items()}
    return dict(zip(reply[::2], reply[1::2]))
