"""Serve ACME HTTP-01 challenge files, and nothing else.

Usage: tdah-acme-responder ADDRESS PORT WEBROOT
Answers GET/HEAD /.well-known/acme-challenge/<token> with the file
WEBROOT/.well-known/acme-challenge/<token>; every other path gets 404.
"""
import http.server
import os
import re
import socket
import sys

TOKEN = re.compile(r"^/\.well-known/acme-challenge/([A-Za-z0-9_-]{1,256})$")


class ChallengeHandler(http.server.BaseHTTPRequestHandler):
    """Look up a token in the web root; no listing, no other files."""

    server_version = "tdah-acme-responder"
    sys_version = ""
    webroot = "."

    def _answer(self, send_body):
        match = TOKEN.match(self.path.split("?", 1)[0])
        if not match:
            self.send_error(404)
            return
        path = os.path.join(self.webroot, ".well-known", "acme-challenge", match.group(1))
        try:
            with open(path, "rb") as handle:
                body = handle.read(4096)
        except OSError:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
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
    if len(argv) != 4:
        sys.stderr.write("usage: tdah-acme-responder ADDRESS PORT WEBROOT\n")
        return 2
    address, port, webroot = argv[1], int(argv[2]), argv[3]
    ChallengeHandler.webroot = webroot
    Server.address_family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with Server((address, port), ChallengeHandler) as server:
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
