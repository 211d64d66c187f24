"""Save HAProxy's server states for the process a reload starts.

Usage: tdah-haproxy-save-state ADMIN_SOCKET STATE_FILE
Run by the unit's ExecReload before it signals the master: writes the
answer of `show servers state` to STATE_FILE (a temporary name, then a
rename), which the new process loads (load-server-state-from-file). Without
it, the new process takes every server as UP until its first check: a
replica on the PostgreSQL write port, a Redis replica on the master port.
When the states cannot be read, the file is removed (an old state must
never be loaded) and the reload goes on: its new process then starts as
on a first start.
"""
import os
import socket
import sys


def read_states(path: str) -> bytes:
    """The admin socket's `show servers state` answer."""
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(5)
        sock.connect(path)
        sock.sendall(b"show servers state\n")
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    data = b"".join(chunks)
    # The format's version comes first; anything else is an error message.
    if not data.startswith(b"1\n"):
        raise OSError(f"unexpected answer: {data[:80]!r}")
    return data


def main(argv) -> int:
    """Save the states, or remove the file when they cannot be read."""
    if len(argv) != 3:
        sys.stderr.write("usage: tdah-haproxy-save-state ADMIN_SOCKET STATE_FILE\n")
        return 2
    socket_path, state_file = argv[1], argv[2]
    try:
        data = read_states(socket_path)
        with open(state_file + ".tmp", "wb") as out:
            out.write(data)
        os.replace(state_file + ".tmp", state_file)
    except OSError as exc:
        sys.stderr.write(f"tdah-haproxy-save-state: {exc}; the new process starts without the servers' states\n")
        for path in (state_file, state_file + ".tmp"):
            try:
                os.remove(path)
            except FileNotFoundError:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
