"""The Flask app's one extension: the cluster it serves and the signal that the server is stopping.

Flask's convention for state an app carries: one extension object in `app.extensions` under the
extension's name, reached through `current_app` during a request. Handlers call
`current_cluster()` (typed) instead of looking up string keys, and the app does not own the
cluster: the CLI (webapp/cli.py) builds, starts and stops it, `create_app` only wires it in."""
from __future__ import annotations

import threading
from typing import Any
from dataclasses import dataclass, field

from flask import Flask, current_app

from engine import Cluster

NAME = "kubeplay"


@dataclass
class Kubeplay:
    # The engine this app serves; None when it draws a real cluster (`kubeplay serve --kubeconfig`).
    cluster: Cluster | None
    # Set when the server shuts down: watches and the page's stream hold a request open for
    # minutes, so they poll this and return rather than keep the process alive.
    stopping: threading.Event = field(default_factory=threading.Event)
    # What the page's stream draws when it is not the engine (webapp/page/source.py): the real
    # cluster's watch cache (webapp/remote/mirror.py).
    source: Any = None

    def init_app(self, app: Flask) -> None:
        app.extensions[NAME] = self

    def close(self) -> None:
        """Ask long-running handlers to return. The cluster is stopped by whoever built it."""
        self.stopping.set()


def kubeplay_of(app: Flask) -> Kubeplay:
    return app.extensions[NAME]


def current() -> Kubeplay:
    """The extension of the app handling the current request."""
    return current_app.extensions[NAME]


def current_cluster() -> Cluster:
    """The cluster the current request's app serves."""
    cluster = current().cluster
    assert cluster is not None, "an engine route registered on a real-cluster app"
    return cluster
