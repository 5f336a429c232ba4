"""How kubeplay's own commands (`kubeplay export`, `kubeplay import`) reach a running playground:
over HTTP, at the address `kubeplay serve` wrote to ~/.kubeplay/server.json (with its token and
its certificate, when it serves HTTPS), or at the `--server` given. They call the page's
endpoints under /kubeplay/v1 with the page's header (X-Kubeplay-Request), which is what those
endpoints ask of any client that is not another site's page (webapp/guard.py)."""
from __future__ import annotations

import json
import os
import ssl
import urllib.error
import urllib.request
from urllib.parse import urlsplit

PAGE_HEADERS = {"X-Kubeplay-Request": "kubeplay-cli", "Accept": "application/json"}


class PlaygroundError(Exception):
    """A failure to say in one line (no traceback): unreachable, or refused with a Status."""


class Playground:
    def __init__(self, url: str, token: str | None = None, ca: str | None = None):
        self.url, self.token, self.ca = url.rstrip("/"), token, ca

    @classmethod
    def find(cls, runtime_file: str, server: str | None = None, token: str | None = None) -> "Playground":
        """The server named by `server`, else the one `kubeplay serve` recorded in runtime_file.
        The recorded certificate is trusted for a named HTTPS server too (kubeplay's own, made
        for this machine by `serve --token`)."""
        info: dict = {}
        try:
            with open(runtime_file) as f:
                info = json.load(f)
            if not isinstance(info, dict) or not isinstance(info.get("url"), str):
                info = {}
        except (OSError, ValueError):
            info = {}
        ca = info.get("ca") if isinstance(info.get("ca"), str) and os.path.exists(info["ca"]) else None
        if server:
            return cls(server, token, ca)
        if not info:
            raise PlaygroundError(f"no running kubeplay found ({runtime_file} is missing or unreadable): "
                                  f"start one with `kubeplay serve`, or name it with --server URL")
        return cls(info["url"], token or info.get("token"), ca)

    def _opener(self) -> urllib.request.OpenerDirector:
        handlers: list = [urllib.request.ProxyHandler({})]     # the playground is ours, never behind a proxy
        if urlsplit(self.url).scheme == "https":
            handlers.append(urllib.request.HTTPSHandler(context=ssl.create_default_context(cafile=self.ca)))
        return urllib.request.build_opener(*handlers)

    def request(self, method: str, path: str, body=None, *, timeout: float = 120) -> tuple[bytes, dict]:
        """(body bytes, headers) of a 2xx answer; PlaygroundError with the server's Status
        message otherwise."""
        headers = dict(PAGE_HEADERS)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with self._opener().open(req, timeout=timeout) as r:
                return r.read(), dict(r.headers)
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                message = json.loads(raw)["message"]
            except (ValueError, KeyError, TypeError):
                message = raw.decode(errors="replace").strip() or e.reason
            raise PlaygroundError(f"the playground at {self.url} answered {e.code}: {message}")
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise PlaygroundError(f"cannot reach the playground at {self.url} ({reason}): is `kubeplay serve` running?")
