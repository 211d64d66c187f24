#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: served_certificate
short_description: Whether a running service serves the certificate that is in its file
version_added: 0.1.0
description:
  - Opens a TLS connection to a service (after PostgreSQL's C(SSLRequest) where O(starttls=postgres)), reads the
    certificate it serves and compares it with the first certificate of O(path) (the leaf of a full chain).
  - A role runs it on every run, so that a certificate written in an earlier run that failed before its reload is
    still taken up (reload, C(CONFIG SET) or a rolling restart, as the role decides).
  - The served certificate is read, not trusted; nothing is sent but the handshake. A service that does not answer
    is reported with RV(up) false, not as a failure (it takes the file when it starts).
author: tdah.platform maintainers (@tdah-platform)
extends_documentation_fragment:
  - tdah.platform.attributes.INFO_MODULE
options:
  host:
    description: Address the service listens on.
    type: str
    default: 127.0.0.1
  port:
    description: Its TLS port.
    type: int
    required: true
  starttls:
    description: V(postgres) asks for TLS with PostgreSQL's C(SSLRequest) first; V(none) speaks TLS at once.
    type: str
    choices: [none, postgres]
    default: none
  server_name:
    description: The name sent by SNI (for a service that serves several certificates by name).
    type: str
  path:
    description: The certificate file (PEM) the service is configured with; its first certificate is compared.
    type: path
    required: true
  client_cert:
    description: Client certificate (PEM) for a service that requires one in the handshake.
    type: path
  client_key:
    description: Key of O(client_cert).
    type: path
  timeout:
    description: Seconds to wait for the connection and the handshake.
    type: float
    default: 5
"""

EXAMPLES = r"""
- name: Does Redis serve the certificate in its file?
  tdah.platform.served_certificate:
    port: 6379
    path: /etc/ssl/tdah/redis.fullchain.pem
    client_cert: /etc/ssl/tdah/redis.fullchain.pem
    client_key: /etc/ssl/tdah/redis.key
  register: served

- name: Take the new certificate (CONFIG SET tls-cert-file rereads the files)
  ansible.builtin.debug:
    msg: "{{ served.served_sha256 }} is served, {{ served.file_sha256 }} is in the file"
  when: served.up and not served.matches
"""

RETURN = r"""
up:
  description: Whether the service answered the handshake.
  returned: always
  type: bool
  sample: true
error:
  description: Why it did not (when RV(up) is false).
  returned: when RV(up) is false
  type: str
  sample: "[Errno 111] Connection refused"
matches:
  description: Whether the served certificate is the file's (false when the service does not answer).
  returned: always
  type: bool
  sample: false
served_sha256:
  description: SHA-256 fingerprint (hex) of the served certificate.
  returned: when RV(up)
  type: str
  sample: 3f1c...
file_sha256:
  description: SHA-256 fingerprint (hex) of the first certificate of O(path).
  returned: always
  type: str
  sample: 9ab0...
"""

import hashlib
import socket
import ssl
import struct

from ansible.module_utils.basic import AnsibleModule

# PostgreSQL's SSLRequest: length 8, code 1234.5679 (protocol docs, 55.2.10).
SSL_REQUEST = struct.pack("!ii", 8, 80877103)


def first_certificate_der(pem_text: str) -> bytes:
    """DER bytes of the first PEM certificate in the text."""
    begin = "-----BEGIN CERTIFICATE-----"
    end = "-----END CERTIFICATE-----"
    start = pem_text.find(begin)
    stop = pem_text.find(end, start)
    if start < 0 or stop < 0:
        raise ValueError("no PEM certificate")
    return ssl.PEM_cert_to_DER_cert(pem_text[start:stop + len(end)] + "\n")


def client_context(client_cert: str | None = None, client_key: str | None = None) -> ssl.SSLContext:
    """A context that reads the server's certificate without trusting it (the fingerprint is compared)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    if client_cert:
        context.load_cert_chain(client_cert, client_key)
    return context


def served_der(context: ssl.SSLContext, host: str, port: int, starttls: str = "none", server_name: str | None = None,
               timeout: float = 5) -> bytes:
    """DER bytes of the certificate the service serves."""
    with socket.create_connection((host, port), timeout=timeout) as raw:
        if starttls == "postgres":
            raw.sendall(SSL_REQUEST)
            answer = raw.recv(1)
            if answer != b"S":
                raise ConnectionError("the server refused TLS (answered %r to SSLRequest)" % answer)
        with context.wrap_socket(raw, server_hostname=server_name) as tls:
            der = tls.getpeercert(binary_form=True)
    if not der:
        raise ConnectionError("the server sent no certificate")
    return der


def main():
    module = AnsibleModule(
        argument_spec=dict(
            host=dict(type="str", default="127.0.0.1"),
            port=dict(type="int", required=True),
            starttls=dict(type="str", choices=["none", "postgres"], default="none"),
            server_name=dict(type="str"),
            path=dict(type="path", required=True),
            client_cert=dict(type="path"),
            client_key=dict(type="path", no_log=False),
            timeout=dict(type="float", default=5),
        ),
        required_together=[["client_cert", "client_key"]],
        supports_check_mode=True,
    )
    params = module.params
    try:
        with open(params["path"], encoding="ascii") as handle:
            file_sha = hashlib.sha256(first_certificate_der(handle.read())).hexdigest()
    except (OSError, ValueError) as exc:
        module.fail_json(msg="reading the certificate %s: %s (is it a PEM certificate?)" % (params["path"], exc))
    try:
        context = client_context(params["client_cert"], params["client_key"])
    except (OSError, ssl.SSLError) as exc:
        module.fail_json(msg="loading the client certificate %s and key %s: %s" % (params["client_cert"], params["client_key"], exc))
    result = dict(changed=False, file_sha256=file_sha, matches=False)
    try:
        served = served_der(context, params["host"], params["port"], params["starttls"], params["server_name"],
                            params["timeout"])
    except (OSError, ssl.SSLError, ConnectionError) as exc:
        module.exit_json(up=False, error=str(exc), **result)
    served_sha = hashlib.sha256(served).hexdigest()
    result.update(up=True, served_sha256=served_sha, matches=served_sha == file_sha)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
