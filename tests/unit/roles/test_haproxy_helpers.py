"""The haproxy role's reload helper: the servers' states go to the new process, never an old state."""
from __future__ import annotations

import importlib.util
import socket
import threading

from conftest import ROOT

SCRIPT = ROOT / "roles" / "haproxy" / "files" / "tdah-haproxy-save-state.py"
STATES = b"1\n# be_id be_name srv_id srv_name srv_addr srv_op_state\n3 postgres_write 2 pg2 10.0.0.42 0\n\n"


def _load():
    spec = importlib.util.spec_from_file_location("tdah_haproxy_save_state", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _admin_socket(path, answer: bytes):
    """A stand-in for HAProxy's admin socket: one command, one answer, then close."""
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen(1)

    def serve():
        connection, _address = server.accept()
        with connection:
            assert connection.recv(100) == b"show servers state\n"
            connection.sendall(answer)
        server.close()
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return thread


def test_the_states_are_written_whole(tmp_path):
    thread = _admin_socket(tmp_path / "admin.sock", STATES)
    assert _load().main(["x", str(tmp_path / "admin.sock"), str(tmp_path / "state")]) == 0
    thread.join(5)
    assert (tmp_path / "state").read_bytes() == STATES
    assert not (tmp_path / "state.tmp").exists()


def test_an_error_answer_removes_the_old_state(tmp_path):
    (tmp_path / "state").write_bytes(STATES)
    thread = _admin_socket(tmp_path / "admin.sock", b"Unknown command\n")
    assert _load().main(["x", str(tmp_path / "admin.sock"), str(tmp_path / "state")]) == 0
    thread.join(5)
    assert not (tmp_path / "state").exists()


def test_no_socket_removes_the_old_state_and_lets_the_reload_go_on(tmp_path, capsys):
    (tmp_path / "state").write_bytes(STATES)
    assert _load().main(["x", str(tmp_path / "missing.sock"), str(tmp_path / "state")]) == 0
    assert not (tmp_path / "state").exists()
    assert "starts without the servers' states" in capsys.readouterr().err
