"""The HTTP server's connection handling: what a dead or hostile client may cost, and the log.

Werkzeug's handler blocks on a socket for as long as the peer keeps it open, so a client that
sends half a request line, half its headers or fewer body bytes than its Content-Length would
hold a thread until it goes away (or forever). Every read here has a timeout instead; an idle
keep-alive connection is closed after the same time, as the apiserver's own idle timeout does.
The WebSocket turns its timeout off (webapp/stream.py): it is idle by design.

The access log is werkzeug's, with any `token=` query value masked: the page is opened once
with `?token=T` when the server runs with --token, and a token must never reach a log."""
from __future__ import annotations

import re

from werkzeug.serving import WSGIRequestHandler

READ_TIMEOUT = 10.0       # seconds a read (request line, headers, body) may wait for the peer

_TOKEN_QUERY = re.compile(r"((?:^|[?&])token=)[^&\s#]*", re.IGNORECASE)


def redact(text: str) -> str:
    """`GET /?token=s3cret&x=1` → `GET /?token=***&x=1`."""
    return _TOKEN_QUERY.sub(r"\1***", text)


class Handler(WSGIRequestHandler):
    timeout = READ_TIMEOUT            # StreamRequestHandler.setup applies it to the connection

    def log_request(self, code="-", size="-"):
        line, path = self.requestline, getattr(self, "path", None)
        self.requestline = redact(line)
        if path is not None:
            self.path = redact(path)
        try:
            super().log_request(code, size)
        finally:
            self.requestline = line
            if path is not None:
                self.path = path

    def log_error(self, format, *args):
        super().log_error(format, *(redact(a) if isinstance(a, str) else a for a in args))
