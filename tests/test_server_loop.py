"""web/server_loop.py: waitress's main loop asking only the connections that changed, on real sockets
(loopback only; every test bounded in count and time; the servers are stopped at the end)."""

from __future__ import annotations

import os
import selectors
import socket
import struct
import threading
import time
from collections.abc import Iterator

import pytest

from web.server_loop import RoomChannel, create_room_server

WITHIN = 10.0  # seconds any answer may take on a loaded 2-core machine
BIG = 32 * 1024 * 1024  # far larger than the socket buffers: the loop must wait to write the rest


class CountingChannel(RoomChannel):
    """A connection counting how often the loop asks whether it wants to read."""

    asked = 0
    urgent = 0  # wake-ups for TCP urgent data (POLLPRI)

    def readable(self) -> bool:
        CountingChannel.asked += 1
        return super().readable()

    def handle_expt_event(self) -> None:
        CountingChannel.urgent += 1
        super().handle_expt_event()


def app(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/big":
        body = b"x" * BIG
    elif path == "/slow":
        time.sleep(0.3)
        body = b"slow"
    else:
        body = path.encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


@pytest.fixture
def server() -> Iterator:
    srv = create_room_server(app, host="127.0.0.1", port=0, threads=4, channel_timeout=2,
                             cleanup_interval=1, connection_limit=500)
    srv.channel_class = CountingChannel
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    yield srv
    srv.close()
    srv.task_dispatcher.shutdown(timeout=5)
    thread.join(timeout=10)
    assert not thread.is_alive()


_unread: dict[int, bytes] = {}  # per connection: bytes read past the last response


def _read_response(conn: socket.socket) -> bytes:
    """The body of the next HTTP response (headers and a Content-Length body) on a connection."""
    data = _unread.pop(conn.fileno(), b"")
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        assert chunk, f"closed before the headers: {data!r}"
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length")))
    while len(rest) < length:
        chunk = conn.recv(1 << 20)
        assert chunk, "closed mid-body"
        rest += chunk
    assert head.startswith(b"HTTP/1.1 200"), head
    if rest[length:]:
        _unread[conn.fileno()] = rest[length:]
    return rest[:length]


def _wait_until(done, within: float = WITHIN) -> None:
    """Poll `done()` every 50 ms until it is true or `within` seconds pass (the caller asserts)."""
    deadline = time.monotonic() + within
    while not done() and time.monotonic() < deadline:
        time.sleep(0.05)


def _get(port: int, path: str, conn: socket.socket | None = None) -> bytes:
    own = conn is None
    conn = conn or socket.create_connection(("127.0.0.1", port), timeout=WITHIN)
    try:
        conn.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        return _read_response(conn)
    finally:
        if own:
            conn.close()


def test_idle_connections_are_not_asked_on_every_wake_up(server):
    port = server.effective_port
    idle = [socket.create_connection(("127.0.0.1", port), timeout=WITHIN) for _ in range(200)]
    try:
        _wait_until(lambda: len(server.active_channels) >= 200)
        assert len(server.active_channels) >= 200
        busy = socket.create_connection(("127.0.0.1", port), timeout=WITHIN)
        CountingChannel.asked = 0
        for i in range(100):
            assert _get(port, f"/n{i}", busy) == f"/n{i}".encode()
        busy.close()
        # waitress's poll2 asks all 201 connections at least twice a request (the request arriving,
        # its thread finishing): 40,000 times. Here only the busy one, plus a sweep of everyone
        # each clean-up (every second in this fixture) or quiet second.
        assert CountingChannel.asked < 201 * 10, CountingChannel.asked
    finally:
        for conn in idle:
            conn.close()


def test_connections_opened_and_closed_in_a_hurry_are_all_answered(server):
    # Closed sockets free their descriptors and new ones reuse them at once: the loop must not keep
    # an old registration for a new connection.
    port, answers, failures = server.effective_port, [], []

    def phone(n: int) -> None:
        try:
            for i in range(25):
                if i % 3 == 0:
                    answers.append(_get(port, f"/p{n}-{i}"))
                else:
                    with socket.create_connection(("127.0.0.1", port), timeout=WITHIN) as conn:
                        answers.append(_get(port, f"/p{n}-{i}a", conn))
                        answers.append(_get(port, f"/p{n}-{i}b", conn))
        except (OSError, AssertionError) as exc:
            failures.append(repr(exc))

    threads = [threading.Thread(target=phone, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not failures, failures[:3]
    assert len(answers) == 12 * (9 + 16 * 2)
    assert answers.count(b"/p3-4a") == 1 and answers.count(b"/p11-23b") == 1


def test_a_large_answer_to_a_slow_reader_is_written_in_full(server):
    with socket.create_connection(("127.0.0.1", server.effective_port), timeout=WITHIN) as conn:
        conn.sendall(b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.5)  # the server's writes fill the buffers and it must wait for the reader
        assert len(_read_response(conn)) == BIG
        assert _get(server.effective_port, "/after", conn) == b"/after"  # kept alive after it


def test_pipelined_requests_are_answered_in_order(server):
    with socket.create_connection(("127.0.0.1", server.effective_port), timeout=WITHIN) as conn:
        conn.sendall(b"GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\n\r\n")
        assert _read_response(conn) == b"/one"
        assert _read_response(conn) == b"/two"


def test_a_phone_gone_mid_request_leaves_the_server_answering(server):
    port = server.effective_port
    before = len(server.active_channels)
    gone = socket.create_connection(("127.0.0.1", port), timeout=WITHIN)
    gone.sendall(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
    time.sleep(0.05)
    gone.close()
    assert _get(port, "/still") == b"/still"
    _wait_until(lambda: len(server.active_channels) <= before)
    assert len(server.active_channels) == before  # its connection was closed, not left behind


def test_an_idle_connection_is_closed_by_the_clean_up(server):
    # channel_timeout 2 s in the fixture: waitress's clean-up marks it, and the loop must then ask it.
    with socket.create_connection(("127.0.0.1", server.effective_port), timeout=WITHIN) as conn:
        assert _get(server.effective_port, "/first", conn) == b"/first"
        started = time.monotonic()
        assert conn.recv(10) == b""  # closed by the server
        assert time.monotonic() - started < WITHIN


def test_an_urgent_byte_does_not_wake_the_loop_again_and_again(server):
    # One byte sent as TCP urgent data (MSG_OOB) stays pending beside the stream. waitress's poll2 asks
    # for POLLPRI, which the kernel then reports on every wake-up until the connection closes: waitress
    # logs "unhandled incoming priority event" and its loop runs flat out (a second of CPU a second,
    # for up to channel_timeout, from any client). HTTP has no use for urgent data.
    port = server.effective_port
    with socket.create_connection(("127.0.0.1", port), timeout=WITHIN) as conn:
        assert _get(port, "/before", conn) == b"/before"
        CountingChannel.urgent = 0
        conn.send(b"!", socket.MSG_OOB)
        time.sleep(0.5)  # a window for the loop to be woken (asking for POLLPRI: ~7,000 times)
        assert CountingChannel.urgent <= 1, CountingChannel.urgent
        assert _get(port, "/after", conn) == b"/after"  # the connection still serves
    assert _get(port, "/another") == b"/another"


def test_a_server_closed_by_another_thread_while_the_loop_asks_it_stops_cleanly():
    # `served()` in the browser tests and the fixtures here close the server from the test's thread
    # while its loop runs; a request thread can close a connection too (a 100 Continue sent to a
    # phone gone). The loop may be asking that very socket then: epoll, unlike poll2, refuses a
    # closed descriptor (EBADF), and that must not end the loop with a traceback.
    srv = create_room_server(app, host="127.0.0.1", port=0, threads=2)
    asking, closed, failures = threading.Event(), threading.Event(), []
    readable = srv.readable

    def readable_while_closed() -> bool:
        if not asking.is_set():  # the first time the loop asks it: let the other thread close it
            asking.set()
            closed.wait(WITHIN)
        return readable()

    def run() -> None:
        try:
            srv.run()
        except BaseException as exc:  # noqa: BLE001 -- any exception ending the loop is the failure
            failures.append(repr(exc))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert _get(srv.effective_port, "/first") == b"/first"
    srv.readable = readable_while_closed
    srv.pull_trigger()  # a wake-up: the loop asks the listening socket again
    assert asking.wait(WITHIN)
    srv.close()
    closed.set()
    thread.join(WITHIN)
    srv.task_dispatcher.shutdown(timeout=5)
    assert not thread.is_alive()
    assert not failures, failures


def test_a_100_continue_upload_is_let_go_by_the_loop_and_by_a_request_thread(server):
    # With nothing being served the loop itself sends "100 Continue"; behind a request being served,
    # that request's thread sends it when it finishes, and the loop must then read the body.
    body = b"u" * 300_000
    post = (f"POST /up HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: {len(body)}\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", server.effective_port), timeout=WITHIN) as conn:
        for before in (b"", b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"):
            conn.sendall(before + post)
            if before:
                assert _read_response(conn) == b"slow"
            data = _unread.pop(conn.fileno(), b"")
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(100)
                assert chunk, "closed before 100 Continue"
                data += chunk
            assert data.startswith(b"HTTP/1.1 100 Continue\r\n\r\n"), data
            _unread[conn.fileno()] = data[len(b"HTTP/1.1 100 Continue\r\n\r\n"):]
            conn.sendall(body)
            assert _read_response(conn) == b"/up"  # app() answers a POST with its path


def test_requests_followed_by_a_half_close_are_all_answered_then_closed(server):
    with socket.create_connection(("127.0.0.1", server.effective_port), timeout=WITHIN) as conn:
        conn.sendall(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\n\r\n"
                     b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        conn.shutdown(socket.SHUT_WR)  # the phone sends nothing more, and reads on
        assert _read_response(conn) == b"slow"
        assert _read_response(conn) == b"/two"
        assert len(_read_response(conn)) == BIG
        assert conn.recv(10) == b""  # then the server closes its side


def test_a_phone_gone_mid_upload_or_mid_download_is_closed_and_the_server_answers(server):
    port = server.effective_port
    before = len(server.active_channels)
    upload = socket.create_connection(("127.0.0.1", port), timeout=WITHIN)
    upload.sendall(b"POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n\r\n" + b"z" * 3_000_000)
    upload.close()  # 3 MB of a 50 MB body sent
    download = socket.create_connection(("127.0.0.1", port), timeout=WITHIN)
    download.sendall(b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
    assert download.recv(65536).startswith(b"HTTP/1.1 200")
    download.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    download.close()  # reset with most of the 32 MB unread
    assert _get(port, "/still") == b"/still"
    _wait_until(lambda: len(server.active_channels) <= before)
    assert len(server.active_channels) == before


def test_past_the_connection_limit_phones_wait_and_are_all_answered(server):
    # connection_limit 500 in the fixture: 1,200 phones, each asking once and reading the answer. The
    # server stops accepting at the limit (its listening socket not readable) and must start again as
    # answered connections close; the others wait in the listen backlog.
    port, phones = server.effective_port, {}
    selector = selectors.DefaultSelector()
    try:
        for n in range(1200):
            conn = socket.create_connection(("127.0.0.1", port), timeout=WITHIN)
            conn.sendall(f"GET /c{n} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            conn.setblocking(False)
            selector.register(conn, selectors.EVENT_READ, n)
            phones[n] = b""
        answered, deadline = set(), time.monotonic() + 60
        while len(answered) < len(phones) and time.monotonic() < deadline:
            for key, _ in selector.select(0.5):
                chunk = key.fileobj.recv(65536)
                phones[key.data] += chunk
                if not chunk:  # closed by the server after its answer
                    selector.unregister(key.fileobj)
                    key.fileobj.close()
                    answered.add(key.data)
        assert len(answered) == 1200
        assert all(phones[n].endswith(f"/c{n}".encode()) for n in phones)
        assert _get(port, "/after") == b"/after" and not server.in_connection_overflow
    finally:
        for key in list(selector.get_map().values()):
            key.fileobj.close()
        selector.close()


def test_at_the_limit_with_idle_phones_a_new_one_is_answered_after_the_clean_up(server):
    # 500 idle connections fill the fixture's limit; the clean-up (channel_timeout 2 s) closes them,
    # and the loop must then notice it may accept again.
    port = server.effective_port
    idle = [socket.create_connection(("127.0.0.1", port), timeout=WITHIN) for _ in range(500)]
    try:
        _wait_until(lambda: server.in_connection_overflow)
        assert server.in_connection_overflow
        assert _get(port, "/waited") == b"/waited"
        assert not server.in_connection_overflow
    finally:
        for conn in idle:
            conn.close()


def test_requests_in_flight_when_the_server_is_closed_are_answered_in_full():
    srv = create_room_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    port, answers = srv.effective_port, []

    def phone(path: str) -> None:
        with socket.create_connection(("127.0.0.1", port), timeout=WITHIN) as conn:
            conn.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            answers.append(len(_read_response(conn)))

    phones = [threading.Thread(target=phone, args=(path,)) for path in ("/slow", "/slow", "/big")]
    for p in phones:
        p.start()
    time.sleep(0.1)  # the requests read and being served
    srv.close()  # no new connections; those open are served to the end, as by waitress's own loop
    for p in phones:
        p.join(WITHIN * 2)
    thread.join(WITHIN)
    srv.task_dispatcher.shutdown(timeout=5)
    assert sorted(answers) == [4, 4, BIG]
    assert not thread.is_alive()  # the loop ends with its last connection


def test_connections_closed_while_a_forked_child_lives_leave_the_loop_quiet():
    # synthesis/parallel_parse.py forks the server's process to parse half a batch, and the child
    # holds a copy of every socket while it runs. The kernel drops a closed descriptor from an epoll
    # set only once no process holds the socket: a connection the server closes meanwhile stayed in
    # the set, its events reported on every wake-up (for a descriptor the server no longer has, or
    # one reused by a new phone, whose connection they then closed). poll2 keeps no set.
    children: list[int] = []

    def forking_app(environ, start_response):
        if environ["PATH_INFO"] == "/fork":
            pid = os.fork()
            if pid == 0:  # the child: holds the descriptors for a while, as a parse would
                try:
                    time.sleep(3)
                finally:
                    os._exit(0)
            children.append(pid)
        return app(environ, start_response)

    srv = create_room_server(forking_app, host="127.0.0.1", port=0, threads=2)
    wake_ups, readable = [0], srv.readable

    def counting_readable() -> bool:  # the listening socket is asked on every wake-up
        wake_ups[0] += 1
        return readable()

    srv.readable = counting_readable
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    port = srv.effective_port
    try:
        phones = [socket.create_connection(("127.0.0.1", port), timeout=WITHIN) for _ in range(3)]
        for n, conn in enumerate(phones):
            assert _get(port, f"/a{n}", conn) == f"/a{n}".encode()
        assert _get(port, "/fork", phones[0]) == b"/fork"
        for conn in phones:
            conn.shutdown(socket.SHUT_RDWR)  # a FIN, though the child holds this socket too
            conn.close()
        _wait_until(lambda: not srv.active_channels)
        assert not srv.active_channels  # the server has closed its sockets (the child still holds them)
        wake_ups[0] = 0
        time.sleep(0.5)  # the loop has nothing to do (it was woken thousands of times)
        assert wake_ups[0] < 50, wake_ups[0]
        assert [_get(port, f"/n{n}") for n in range(4)] == [f"/n{n}".encode() for n in range(4)]
    finally:
        for pid in children:
            os.waitpid(pid, 0)
        srv.close()
        srv.task_dispatcher.shutdown(timeout=5)
        thread.join(WITHIN)


class ClosingOthersChannel(RoomChannel):
    """A connection whose clean-up check sees another connection close at that moment, as a
    request thread closing its own connection would (waitress walked the live dict)."""

    @property
    def last_activity(self) -> float:
        others = [fd for fd in self.server.active_channels if fd != self._fileno]
        if others:
            self.server.active_channels.pop(others[0], None)
        return self._last_activity

    @last_activity.setter
    def last_activity(self, value: float) -> None:
        self._last_activity = value


def test_a_connection_closing_during_the_clean_up_does_not_end_the_loop():
    srv = create_room_server(app, host="127.0.0.1", port=0, threads=2, channel_timeout=30,
                             cleanup_interval=1)
    srv.channel_class = ClosingOthersChannel
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    phones = []
    try:
        phones = [socket.create_connection(("127.0.0.1", srv.effective_port), timeout=WITHIN)
                  for _ in range(4)]
        _wait_until(lambda: len(srv.active_channels) >= 4)
        time.sleep(2.5)  # two clean-ups, each seeing connections leave the dict as it walks it
        assert thread.is_alive()
        assert _get(srv.effective_port, "/after-clean-up") == b"/after-clean-up"
    finally:
        for conn in phones:
            conn.close()
        srv.close()
        srv.task_dispatcher.shutdown(timeout=5)
        thread.join(timeout=10)
