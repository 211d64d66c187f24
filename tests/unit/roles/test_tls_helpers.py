"""The tls role's helper programs, run for real on loopback: the ACME
challenge responder and the expiry metrics exporter."""
from __future__ import annotations

import datetime
import http.client
import importlib.util
import re
import threading
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from conftest import ROOT, run

FILES = ROOT / "roles" / "tls" / "files"


def _load_responder():
    spec = importlib.util.spec_from_file_location("tdah_acme_responder", FILES / "tdah-acme-responder.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(name="responder")
def fixture_responder(tmp_path):
    module = _load_responder()
    challenges = tmp_path / "webroot" / ".well-known" / "acme-challenge"
    challenges.mkdir(parents=True)
    (challenges / "tok-EN_123").write_text("tok-EN_123.thumbprint", encoding="ascii")
    (tmp_path / "webroot" / "secret.txt").write_text("not for the ACME server", encoding="ascii")
    module.ChallengeHandler.webroot = str(tmp_path / "webroot")
    server = module.Server(("127.0.0.1", 0), module.ChallengeHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def _get(port: int, path: str, method: str = "GET") -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request(method, path)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def test_responder_serves_a_challenge_token(responder):
    assert _get(responder, "/.well-known/acme-challenge/tok-EN_123") == (200, b"tok-EN_123.thumbprint")


def test_responder_answers_head_without_body(responder):
    assert _get(responder, "/.well-known/acme-challenge/tok-EN_123", "HEAD") == (200, b"")


@pytest.mark.parametrize("path", [
    "/.well-known/acme-challenge/missing",
    "/.well-known/acme-challenge/../../secret.txt",
    "/.well-known/acme-challenge/..%2f..%2fsecret.txt",
    "/.well-known/acme-challenge/",
    "/secret.txt",
    "/",
])
def test_responder_refuses_everything_else(responder, path):
    status, body = _get(responder, path)
    assert status == 404
    assert b"not for the ACME server" not in body


def _crl(path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "crl-test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    crl = (x509.CertificateRevocationListBuilder().issuer_name(name).last_update(now)
           .next_update(now + datetime.timedelta(days=30)).sign(key, hashes.SHA256()))
    path.write_bytes(b"# the CA's revocation list\n" + crl.public_bytes(serialization.Encoding.PEM))
    return crl.public_bytes(serialization.Encoding.DER)


def test_responder_serves_the_crl_as_der_and_only_by_its_name(responder, tmp_path):
    module = _load_responder()
    crl_file = tmp_path / "tdah-internal-ca.crl"
    der = _crl(crl_file)
    handler = module.ChallengeHandler
    server = module.Server(("127.0.0.1", 0), type("WithCrl", (handler,), {"webroot": str(tmp_path / "webroot"),
                                                                          "crl": str(crl_file)}))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        assert _get(port, "/tdah-internal-ca.crl") == (200, der)
        assert x509.load_der_x509_crl(der).next_update_utc is not None
        assert _get(port, "/tdah-internal-ca.crl", "HEAD") == (200, b"")
        assert _get(port, "/.well-known/acme-challenge/tok-EN_123") == (200, b"tok-EN_123.thumbprint")
        assert _get(port, "/other.crl")[0] == 404
        crl_file.write_text("not a CRL", encoding="ascii")
        assert _get(port, "/tdah-internal-ca.crl")[0] == 404
    finally:
        server.shutdown()
        server.server_close()
    # Without a CRL configured, the name is just another unknown path.
    assert _get(responder, "/tdah-internal-ca.crl")[0] == 404


def _certificate(path, not_before, not_after):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "metrics-test")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(not_before).not_valid_after(not_after)
            .sign(key, hashes.SHA256()))
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def test_expiry_exporter_reports_the_files_dates(tmp_path):
    certs, out = tmp_path / "certs", tmp_path / "textfile"
    certs.mkdir()
    out.mkdir()
    start = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    end = datetime.datetime(2027, 6, 7, 8, 9, 10, tzinfo=datetime.timezone.utc)
    _certificate(certs / "good.crt", start, end)
    (certs / "broken.crt").write_text("not a certificate", encoding="ascii")
    (certs / "ignored.pem").write_text("bundles are not listed", encoding="ascii")
    result = run(["sh", str(FILES / "tdah-tls-expiry.sh"), str(certs), str(out)])
    assert result.returncode == 0, result.stderr
    text = (out / "tdah_tls.prom").read_text(encoding="ascii")
    labels = f'name="good",path="{certs}/good.crt"'
    assert f"tdah_tls_certificate_not_after_timestamp_seconds{{{labels}}} {int(end.timestamp())}\n" in text
    assert f"tdah_tls_certificate_not_before_timestamp_seconds{{{labels}}} {int(start.timestamp())}\n" in text
    assert f"tdah_tls_certificate_readable{{{labels}}} 1\n" in text
    assert f'tdah_tls_certificate_readable{{name="broken",path="{certs}/broken.crt"}} 0\n' in text
    assert "ignored" not in text
    assert re.search(r"^tdah_tls_metrics_last_run_timestamp_seconds \d{10}$", text, re.M)
    assert [p.name for p in out.iterdir()] == ["tdah_tls.prom"]
    assert oct((out / "tdah_tls.prom").stat().st_mode & 0o777) == "0o644"


def test_renewal_stamp_records_the_time_of_the_last_success(tmp_path):
    before = int(time.time())
    result = run(["sh", str(FILES / "tdah-tls-expiry.sh"), "--renewal-succeeded", str(tmp_path)])
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "tdah_tls_renewal.prom").read_text(encoding="ascii")
    stamp = int(re.search(r"^tdah_tls_renewal_last_success_timestamp_seconds (\d+)$", text, re.M).group(1))
    assert before <= stamp <= int(time.time())
    assert "# TYPE tdah_tls_renewal_last_success_timestamp_seconds gauge" in text
    assert [p.name for p in tmp_path.iterdir()] == ["tdah_tls_renewal.prom"]


def test_renewal_stamp_needs_its_directory(tmp_path):
    result = run(["sh", str(FILES / "tdah-tls-expiry.sh"), "--renewal-succeeded"])
    assert result.returncode != 0
    assert "usage: tdah-tls-expiry --renewal-succeeded TEXTFILE_DIR" in result.stderr
    assert not list(tmp_path.iterdir())
