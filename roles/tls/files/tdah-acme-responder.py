"""Serve ACME HTTP-01 challenge files (and the internal CA's CRL), and nothing else.

Usage: tdah-acme-responder ADDRESS PORT WEBROOT [CRL]
Answers GET/HEAD /.well-known/acme-challenge/<token> with the file
WEBROOT/.well-known/acme-challenge/<token>. With CRL (a PEM file), also
answers /<its file name> with that revocation list in DER, as RFC 5280
asks of a CRL fetched over HTTP. Every other path gets 404.
"""
import base64
import http.server
import os
import re
import socket
import sys

TOKEN = re.compile(r"^/\.well-known/acme-challenge/([A-Za-z0-9_-]{1,256})$")
CRL_PEM = re.compile(r"-----BEGIN X509 CRL-----([A-Za-z0-9+/=\s]+)-----END X509 CRL-----")


class ChallengeHandler(http.server.BaseHTTPRequestHandler):
    """Look up a token in the web root, or give the CRL; no listing, no other files."""

    server_version = "tdah-acme-responder"
    sys_version = ""
    webroot = "."
    crl = None

    def _crl_body(self):
        """The CRL file's first PEM block as DER (read on each request: a renewed list needs no restart)."""
        with open(self.crl, "rb") as handle:
            text = handle.read(1 << 22).decode("ascii")
        match = CRL_PEM.search(text)
        if not match:
            raise OSError(f"no PEM CRL in {self.crl}")
        return base64.b64decode("".join(match.group(1).split()), validate=True)

    def _answer(self, send_body):
        path = self.path.split("?", 1)[0]
        kind = "application/octet-stream"
        try:
            if self.crl and path == "/" + os.path.basename(self.crl):
                body, kind = self._crl_body(), "application/pkix-crl"
            elif TOKEN.match(path):
                name = TOKEN.match(path).group(1)
                with open(os.path.join(self.webroot, ".well-known", "acme-challenge", name), "rb") as handle:
                    body = handle.read(4096)
            else:
                self.send_error(404)
                return
        except (OSError, ValueError):
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def do_GET(self):  # pylint: disable=invalid-name
        """HTTP GET."""
        self._answer(True)

    def do_HEAD(self):  # pylint: disable=invalid-name
        """HTTP HEAD."""
        self._answer(False)


class Server(http.server.ThreadingHTTPServer):
    """IPv4 or IPv6 by the address it binds."""

    daemon_threads = True


def main(argv):
    """Parse the arguments and serve until stopped."""
    if len(argv) not in (4, 5):
        sys.stderr.write("usage: tdah-acme-responder ADDRESS PORT WEBROOT [CRL]\n")
        return 2
    address, port, webroot = argv[1], int(argv[2]), argv[3]
    ChallengeHandler.webroot = webroot
    ChallengeHandler.crl = argv[4] if len(argv) == 5 else None
    Server.address_family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with Server((address, port), ChallengeHandler) as server:
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
