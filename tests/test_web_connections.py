"""Idle connections do not take the server down, and a slow phone is still answered (loopback only,
bounded in count and time; the server is `harvest serve`'s waitress set-up, stopped at the end)."""

from __future__ import annotations

import socket
import threading
import time

import pytest

IDLE = 150  # more than waitress's default connection limit (100), which used to stop the server
ANSWER_WITHIN = 5.0


@pytest.fixture
def served(app):
    from web.serving import create_server

    server = create_server(app, "127.0.0.1", 0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield server
    server.close()
    thread.join(timeout=10)


def _get(port: int, path: str = "/auth/login", timeout: float = ANSWER_WITHIN) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    return data


def test_settings_are_sized_past_waitress_defaults(served):
    adj = served.adj
    assert adj.connection_limit >= 500 and adj.channel_timeout <= 60 and adj.cleanup_interval <= 10
    from web.server_loop import RoomServer

    # Its loop is epoll's (server_loop.run_loop): select() could not watch descriptors past 1023.
    assert isinstance(served, RoomServer)


def test_many_idle_connections_do_not_stop_normal_requests(served):
    port = served.effective_port
    idle = []
    try:
        for _ in range(IDLE):
            idle.append(socket.create_connection(("127.0.0.1", port), timeout=ANSWER_WITHIN))
        time.sleep(0.5)  # let the server accept them all
        for _ in range(3):
            started = time.monotonic()
            answer = _get(port)
            assert answer.startswith(b"HTTP/1.1 200"), answer[:80]
            assert time.monotonic() - started < ANSWER_WITHIN
    finally:
        for conn in idle:
            conn.close()


def test_a_slow_phone_sending_byte_by_byte_is_answered(served):
    request = b"GET /auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", served.effective_port), timeout=ANSWER_WITHIN) as conn:
        # About 6 s to send the request, a byte every 0.1 s: slow, but never silent for long.
        for i in range(0, len(request), 1):
            conn.sendall(request[i:i + 1])
            time.sleep(0.1)
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    assert data.startswith(b"HTTP/1.1 200")


def test_waitress_queue_warnings_are_one_per_interval_not_one_per_request(served, caplog):
    import logging

    queue_log = logging.getLogger("waitress.queue")
    with caplog.at_level(logging.WARNING, logger="waitress.queue"):
        for depth in range(50):  # what a burst queued behind busy threads makes waitress write
            queue_log.warning("Task queue depth is %d", depth)
    written = [r.getMessage() for r in caplog.records if r.name == "waitress.queue"]
    assert len(written) <= 1, written
    assert logging.getLogger("waitress").isEnabledFor(logging.WARNING), "other warnings still written"
