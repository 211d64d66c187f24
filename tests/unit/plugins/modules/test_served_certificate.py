"""served_certificate: the certificate a running server serves, against its file (real TLS servers on loopback)."""
from __future__ import annotations

import datetime
import hashlib
import socket
import ssl
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.tdah.platform.plugins.modules import served_certificate


def make_cert(tmp_path, name: str):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=1))
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    crt = tmp_path / f"{name}.crt"
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    # A full chain: the leaf first, then (here) itself again as the "CA".
    crt.write_text(pem + pem)
    keyfile = tmp_path / f"{name}.key"
    keyfile.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return crt, keyfile, hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def serve(crt, key, postgres: bool = False, require_client=None, answer: bytes = b"S"):
    """One-connection TLS server on loopback; returns its port."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(crt), str(key))
    if require_client:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(str(require_client))
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(5)

    def run():
        with listener:
            conn = listener.accept()[0]
            with conn:
                if postgres:
                    assert conn.recv(8) == served_certificate.SSL_REQUEST
                    conn.sendall(answer)
                    if answer != b"S":
                        return
                try:
                    with context.wrap_socket(conn, server_side=True) as tls:
                        tls.recv(1)
                except (ssl.SSLError, OSError):
                    pass

    threading.Thread(target=run, daemon=True).start()
    return listener.getsockname()[1]


def test_the_served_certificate_is_the_first_of_the_file(tmp_path):
    crt, key, sha = make_cert(tmp_path, "redis")
    port = serve(crt, key)
    der = served_certificate.served_der(served_certificate.client_context(), "127.0.0.1", port)
    assert hashlib.sha256(der).hexdigest() == sha
    assert hashlib.sha256(served_certificate.first_certificate_der(crt.read_text())).hexdigest() == sha


def test_a_renewed_file_no_longer_matches_what_is_served(tmp_path):
    old_crt, old_key, old_sha = make_cert(tmp_path, "old")
    new_crt, new_sha = make_cert(tmp_path, "new")[0::2]
    port = serve(old_crt, old_key)
    served = hashlib.sha256(served_certificate.served_der(served_certificate.client_context(), "127.0.0.1", port)).hexdigest()
    assert served == old_sha
    assert hashlib.sha256(served_certificate.first_certificate_der(new_crt.read_text())).hexdigest() == new_sha != served


def test_postgres_asks_for_tls_first(tmp_path):
    crt, key, sha = make_cert(tmp_path, "postgres")
    port = serve(crt, key, postgres=True)
    der = served_certificate.served_der(served_certificate.client_context(), "127.0.0.1", port, starttls="postgres")
    assert hashlib.sha256(der).hexdigest() == sha


def test_a_postgres_server_without_tls_is_an_error(tmp_path):
    crt, key = make_cert(tmp_path, "postgres")[:2]
    port = serve(crt, key, postgres=True, answer=b"N")
    with pytest.raises(ConnectionError, match="refused TLS"):
        served_certificate.served_der(served_certificate.client_context(), "127.0.0.1", port, starttls="postgres")


def test_a_server_that_requires_a_client_certificate_gets_one(tmp_path):
    crt, key, sha = make_cert(tmp_path, "redis")
    port = serve(crt, key, require_client=crt)
    der = served_certificate.served_der(served_certificate.client_context(str(crt), str(key)), "127.0.0.1", port)
    assert hashlib.sha256(der).hexdigest() == sha


def test_a_file_without_a_certificate_is_refused():
    with pytest.raises(ValueError):
        served_certificate.first_certificate_der("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")


def test_a_closed_port_raises_an_os_error():
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    with pytest.raises(OSError):
        served_certificate.served_der(served_certificate.client_context(), "127.0.0.1", port, timeout=1)
