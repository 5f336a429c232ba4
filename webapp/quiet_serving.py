"""Serving connections without waking up when none come.

socketserver's `serve_forever` polls: it wakes every `poll_interval` (werkzeug's 0.5 s) only to
see whether `shutdown()` was asked for. On a laptop left with the playground open that is two
wake-ups a second of an idle process, and each one costs far more than its few lines: after a
sleep the interpreter's code and data are out of the CPU's caches (on this project's 2-core
VMs a wake-up after half a second costs ~1.5 ms of CPU — a fifth of the idle CPU of a
10,000-pod cluster at 1×, bench/README.md).

Here the main thread blocks until a connection arrives or `stop()` is called: `stop()` writes a
byte to a pipe the same wait watches, so it is safe from a signal handler (which runs on the main
thread while it waits; the wait is retried after the handler and then sees the byte) and from
any other thread.
"""
from __future__ import annotations

import os
import selectors
import signal


class QuietServing:
    def __init__(self, server) -> None:
        self._server = server
        self._r, self._w = os.pipe()
        os.set_blocking(self._w, False)

    def stop(self) -> None:
        """End `serve()` (from any thread, or a signal handler)."""
        try:
            os.write(self._w, b"x")
        except (BlockingIOError, OSError):   # a byte already waiting (or closed): it ends anyway
            pass

    def stop_on_signals(self) -> None:
        """SIGTERM and SIGINT (Ctrl-C) end `serve()` (call on the main thread)."""
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda signum, frame: self.stop())

    def serve(self) -> None:
        """Accept and hand off connections (the server's own threads serve them) until `stop()`."""
        try:
            with selectors.DefaultSelector() as sel:
                sel.register(self._server, selectors.EVENT_READ)
                sel.register(self._r, selectors.EVENT_READ)
                while True:
                    ready = [key.fileobj for key, _ in sel.select()]
                    if self._r in ready:
                        return
                    # (handle_request: socketserver's public one-connection step; the listening
                    # socket is ready, so its own wait returns at once)
                    self._server.handle_request()
        finally:
            os.close(self._r)
            os.close(self._w)
