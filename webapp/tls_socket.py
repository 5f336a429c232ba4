"""TLS connections that two threads may use at once: one reading, one writing.

A WebSocket (the page's stream, exec, attach, port-forward) has a thread reading the client
while another sends to it (simple_websocket's reader thread, the exec output pump). On a plain
socket that is fine. On an `ssl.SSLSocket` it is not: CPython releases the interpreter lock
inside OpenSSL's SSL_read and SSL_write, and OpenSSL forbids using one connection from two
threads at once — a `kubeplay serve --token` server died of `malloc(): unsorted double linked
list corrupted` during a `kubectl exec` over TLS.

`SerialSSLSocket` makes every OpenSSL call on a connection take the connection's lock, and never
blocks inside OpenSSL while holding it: the call is made non-blocking, and when OpenSSL wants to
read or write more, the lock is let go while the thread waits for the socket (poll/select) with
what is left of the caller's timeout. So a reader waiting for the client never holds up a
writer, and the caller sees the blocking socket it asked for (its timeout, `socket.timeout`)."""
from __future__ import annotations

import errno
import select
import socket
import ssl
import threading
import time


def server_context(cert: str, key: str) -> ssl.SSLContext:
    """The server's TLS context (as werkzeug makes one from a certificate and key), handing out
    SerialSSLSocket connections."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.sslsocket_class = SerialSSLSocket
    return ctx


def _wait(sock: socket.socket, for_write: bool, timeout: float | None) -> bool:
    """Until `sock` can be read (or written) or `timeout` seconds pass; False on the timeout."""
    fd = sock.fileno()
    if fd < 0:
        raise OSError(errno.EBADF, "Bad file descriptor")
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(fd, select.POLLOUT if for_write else select.POLLIN)
        return bool(poller.poll(None if timeout is None else max(0.0, timeout) * 1000))
    readable, writable, _ = select.select(() if for_write else (fd,), (fd,) if for_write else (), (),
                                          None if timeout is None else max(0.0, timeout))
    return bool(readable or writable)


class SerialSSLSocket(ssl.SSLSocket):
    """An SSLSocket whose OpenSSL calls never overlap (see the module's docstring)."""

    def _serial(self) -> threading.Lock:
        lock = self.__dict__.get("_serial_lock")
        if lock is None:
            lock = self.__dict__.setdefault("_serial_lock", threading.Lock())
        return lock

    def settimeout(self, value: float | None) -> None:
        # Under the lock: a call in progress sets the socket non-blocking and restores the
        # caller's timeout after, which must not overwrite a timeout set meanwhile.
        with self._serial():
            super().settimeout(value)

    def setblocking(self, flag: bool) -> None:
        self.settimeout(None if flag else 0.0)

    def _call(self, op, what: str):
        """op() without blocking inside OpenSSL; waits (lock released) as the timeout allows."""
        deadline = None
        while True:
            with self._serial():
                timeout = socket.socket.gettimeout(self)
                socket.socket.settimeout(self, 0.0)
                try:
                    return op()
                except ssl.SSLWantReadError as e:
                    want_write, error = False, e
                except ssl.SSLWantWriteError as e:
                    want_write, error = True, e
                finally:
                    socket.socket.settimeout(self, timeout)
            if timeout == 0.0:                  # the caller asked for a non-blocking socket
                raise error
            if timeout is not None and deadline is None:
                deadline = time.monotonic() + timeout
            left = None if deadline is None else deadline - time.monotonic()
            if (left is not None and left <= 0) or not _wait(self, want_write, left):
                raise socket.timeout(f"The {what} operation timed out")

    def read(self, len: int = 1024, buffer=None):  # noqa: A002 - SSLSocket.read's signature
        return self._call(lambda: super(SerialSSLSocket, self).read(len, buffer), "read")

    def send(self, data, flags: int = 0) -> int:
        return self._call(lambda: super(SerialSSLSocket, self).send(data, flags), "write")

    def write(self, data) -> int:
        return self._call(lambda: super(SerialSSLSocket, self).write(data), "write")
