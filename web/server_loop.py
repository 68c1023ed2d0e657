"""Waitress's main loop, asking only the connections whose state can have changed since it last looked.

Waitress's own loop (`wasyncore.poll2`) builds a new poll set on every wake-up: it asks every open
connection whether it wants to read and write. A room of phones holds a connection each, and the
loop wakes several times for every request (the request arriving, each request thread finishing),
so at 100 attendees that asking was half of the server's CPU (py-spy, `--gil`, benchmarks/load.py)
and grew with every idle phone. This loop keeps one epoll set across wake-ups and asks a connection
again only when something can have changed its answer:

- it had an event in the last wake-up (it read a request, wrote, was closed);
- a request thread served it: waitress's threads pull the server's trigger whenever they have
  changed a connection (output written, a request finished), and `RoomServer.pull_trigger` notes
  which connection the calling thread is serving before it pulls;
- it was opened or closed (the socket map notes it);
- waitress's clean-up ran (it can mark idle connections to close), or nothing happened for a whole
  loop timeout: then every connection is asked, as waitress does.

The listening socket and the trigger are asked on every wake-up, as in waitress (the listening
socket's answer runs the clean-up and the connection limit). Everything else is waitress's own
code: requests are still read whole by the loop before a thread sees them (a slow phone holds no
thread), and the events are handled by `wasyncore.readwrite`, as `poll2` does.

Why by hand: waitress has no loop of this kind, and the servers that do (gunicorn's gthread, uWSGI)
read requests in their worker threads, so a slow or silent phone holds a thread.
"""

from __future__ import annotations

import collections
import errno
import select
import threading
from typing import Any

from waitress import wasyncore
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import MultiSocketServer, TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

# Not POLLPRI, which poll2 asks for: a byte of TCP urgent data (send(MSG_OOB)) stays pending beside
# the stream, and the kernel reports POLLPRI on every wake-up until the connection closes, so any
# client could keep the loop running flat out. HTTP has no urgent data, and a socket error still
# wakes the loop (POLLERR, always reported) to close the connection.
_READ = select.POLLIN
_WRITE = select.POLLOUT
# "Ask every connection": what a thread that is not serving a connection, or the clean-up, leaves.
_EVERYONE = object()
# What epoll says of a descriptor closed by another thread (a server closed from outside its loop, a
# connection closed by its request thread) while the loop asked it, or of the descriptor number then
# reused by a file: poll2 passed such descriptors to poll(), which just reports POLLNVAL.
_NOT_OURS = (errno.EBADF, errno.EPERM)
_serving = threading.local()


class SocketMap(dict):
    """Waitress's map of file descriptor -> dispatcher, noting what changed since the loop last looked.

    Any thread may add or close a connection (the loop's own does nearly always; `close()` can come
    from another), so the news is kept in deques, which are safe to append to across threads.

    A dispatcher leaves the map just before it closes its socket, and leaves the loop's epoll set then
    too: the kernel drops a closed descriptor from an epoll set only once no process holds the socket,
    and a child forked meanwhile (synthesis/parallel_parse.py forks the server's process) holds them
    all. Left in the set, its events came on every wake-up (the loop running flat out) under a number
    the server no longer has, or had given to a new connection, which they then closed."""

    def __init__(self) -> None:
        super().__init__()
        self.added: collections.deque = collections.deque()
        self.removed: collections.deque = collections.deque()
        self.touched: collections.deque = collections.deque()
        self.poller: select.epoll | None = None  # run_loop's epoll set, while it runs

    def __setitem__(self, fd: int, obj: Any) -> None:
        super().__setitem__(fd, obj)
        self.added.append(fd)

    def __delitem__(self, fd: int) -> None:
        super().__delitem__(fd)
        self._unwatch(fd)
        self.removed.append(fd)

    def pop(self, fd: int, *default: Any) -> Any:
        found = fd in self
        obj = super().pop(fd, *default)
        if found:
            self._unwatch(fd)
            self.removed.append(fd)
        return obj

    def clear(self) -> None:
        fds = list(self)
        super().clear()
        for fd in fds:
            self._unwatch(fd)
        self.removed.extend(fds)

    def _unwatch(self, fd: int) -> None:
        poller = self.poller
        if poller is not None:
            try:
                poller.unregister(fd)
            except (OSError, ValueError):  # not in the set, or the set closed with the loop
                pass


class RoomChannel(HTTPChannel):
    """Waitress's HTTP connection, telling its request thread which connection it is serving."""

    def service(self) -> None:
        _serving.channel = self
        try:
            super().service()
        finally:
            _serving.channel = None


class RoomServer(TcpWSGIServer):
    """Waitress's TCP server with RoomChannel connections, run by `run_loop` over a SocketMap."""

    channel_class = RoomChannel

    def pull_trigger(self) -> None:
        channel = getattr(_serving, "channel", None)
        fd = channel._fileno if channel is not None else None  # None: closed, or not a request thread
        # Note the connection before the trigger wakes the loop, so the loop cannot miss it.
        self._map.touched.append(_EVERYONE if fd is None else fd)
        super().pull_trigger()

    def maintenance(self, now: float) -> None:
        """waitress's clean-up (idle connections marked to close), over a copy of the connections:
        a request thread closing its own connection meanwhile would otherwise change the dict it
        walks, and the error would end the loop."""
        cutoff = now - self.adj.channel_timeout
        for channel in list(self.active_channels.values()):
            if not channel.requests and channel.last_activity < cutoff:
                channel.will_close = True
        self._map.touched.append(_EVERYONE)

    def run(self) -> None:
        try:
            run_loop(self._map, self.adj.asyncore_loop_timeout)
        except (SystemExit, KeyboardInterrupt):
            self.task_dispatcher.shutdown()


class _RoomServers(MultiSocketServer):
    """Several listening sockets (a host name with more than one address) on one SocketMap."""

    def run(self) -> None:
        try:
            run_loop(self.map, self.adj.asyncore_loop_timeout)
        except (SystemExit, KeyboardInterrupt):
            self.close()


def create_room_server(application: Any, **settings: Any) -> RoomServer | _RoomServers:
    """waitress.create_server for TCP, with RoomServer and run_loop; `settings` are waitress's own."""
    adj = Adjustments(**settings)
    socket_map = SocketMap()
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    servers = [RoomServer(application, socket_map, dispatcher=dispatcher, adj=adj, sockinfo=info)
               for info in adj.listen]
    if len(servers) == 1:
        return servers[0]
    listening = [(s.effective_host, s.effective_port) for s in servers]
    return _RoomServers(socket_map, adj, listening, dispatcher, servers[0].log_info)


def _wanted(obj: Any) -> int:
    """The events a dispatcher asks for now, as poll2 computes them."""
    flags = _READ if obj.readable() else 0
    if obj.writable() and not obj.accepting:
        flags |= _WRITE
    return flags


def _register(poller: select.epoll, registered: dict[int, int], fd: int, flags: int) -> None:
    """Make the epoll set watch `fd` for `flags` (0: not at all), whatever the kernel has kept."""
    known = registered.pop(fd, None) is not None
    try:
        if not flags:
            poller.unregister(fd)
            return
        try:
            if known:
                poller.modify(fd, flags)
            else:
                poller.register(fd, flags)
        except FileExistsError:  # a descriptor closed and reused before the map's news reached the loop
            poller.modify(fd, flags)
        except FileNotFoundError:  # the kernel dropped it with a closed socket
            poller.register(fd, flags)
        registered[fd] = flags
    except FileNotFoundError:  # unregistering what the kernel dropped with a closed socket
        pass
    except OSError as exc:
        if exc.errno not in _NOT_OURS:
            raise
        # Closed by another thread while the loop asked it: the map's news of it follows.


def run_loop(socket_map: SocketMap, timeout: float) -> None:
    """Serve the dispatchers of `socket_map` until it is empty (waitress's `wasyncore.loop`)."""
    poller = select.epoll()
    socket_map.poller = poller
    registered: dict[int, int] = {}  # fd -> the events it is registered for
    always: set[int] = set()  # the listening sockets and the trigger: asked on every wake-up
    to_ask: set[int] = set(socket_map)
    everyone = True
    try:
        while socket_map:
            while socket_map.removed:
                # Closed: the map has taken it out of the epoll set; forget it (if the descriptor
                # was already reused, it is in `added` too and registered afresh).
                fd = socket_map.removed.popleft()
                registered.pop(fd, None)
                always.discard(fd)
            while socket_map.added:
                to_ask.add(socket_map.added.popleft())
            while socket_map.touched:
                fd = socket_map.touched.popleft()
                if fd is _EVERYONE:
                    everyone = True
                else:
                    to_ask.add(fd)
            if everyone:
                to_ask.update(socket_map)
                everyone = False
            to_ask |= always
            for fd in to_ask:
                obj = socket_map.get(fd)
                if obj is None:
                    continue
                if not isinstance(obj, HTTPChannel):
                    always.add(fd)
                flags = _wanted(obj)
                if flags != registered.get(fd, 0):
                    _register(poller, registered, fd, flags)
            to_ask = set()
            # Not waiting when the asking itself changed something (the clean-up ran, say).
            pending = socket_map.touched or socket_map.added or socket_map.removed
            events = poller.poll(0 if pending else timeout)
            if not events and not pending:
                everyone = True  # a quiet second: ask everyone, as waitress would have
            for fd, flags in events:
                obj = socket_map.get(fd)
                if obj is None:
                    continue
                wasyncore.readwrite(obj, flags)
                to_ask.add(fd)
    finally:
        socket_map.poller = None
        poller.close()
