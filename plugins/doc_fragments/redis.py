# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection options of the Redis modules (plugins/module_utils/_redis.py)."""
from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  login_host:
    description: Address of the server.
    type: str
    default: 127.0.0.1
  login_port:
    description: Port of the server (its TLS port when O(tls) is true).
    type: int
    default: 6379
  login_user:
    description: ACL user to authenticate as; the default user when omitted.
    type: str
  login_password:
    description: Password of O(login_user).
    type: str
  tls:
    description: Connect over TLS, verifying the server's certificate against O(ca_cert).
    type: bool
    default: true
  ca_cert:
    description: CA certificate that signed the server's certificate. Required when O(tls) is true.
    type: path
  client_cert:
    description: Client certificate, for a server with C(tls-auth-clients yes).
    type: path
  client_key:
    description: Key of O(client_cert).
    type: path
requirements:
  - redis (the Python client, 4.0 or later; Debian's C(python3-redis)) on the managed host
"""
