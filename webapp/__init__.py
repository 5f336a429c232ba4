"""kubeplay's web layer: a Kubernetes-shaped HTTP API and the playground page, over one engine.

`create_app()` builds a Flask app around an engine Cluster (making one if none is given). The
browser page and kubectl are both plain clients of the same API."""
from __future__ import annotations

import logging
import os
import threading

from flask import Flask, Response, json, request
from werkzeug.exceptions import HTTPException

from engine import errors
from engine.clock import ScaledClock
from engine.cluster import Cluster
from engine.controllers.base import Timings
from engine.store import Store

log = logging.getLogger("kubeplay.web")

_HERE = os.path.dirname(os.path.abspath(__file__))


def _asset_dir(name: str) -> str:
    """static/ and templates/ live at the repo root in a checkout, inside the package when installed."""
    inside = os.path.join(_HERE, name)
    return inside if os.path.isdir(inside) else os.path.join(os.path.dirname(_HERE), name)


def create_app(cluster: Cluster | None = None, *, state: str | None = None, in_memory: bool = True,
               nodes: int = 3, pods_per_node: int = 110, speed: float = 1.0, token: str | None = None, max_pods: int = 10000,
               realistic: bool = False, start: bool = True) -> Flask:
    owns = cluster is None
    if cluster is None:
        store = Store(None if in_memory else state, max_pods=max_pods)
        cluster = Cluster(store=store, clock=ScaledClock(speed=speed), nodes=nodes, pods_per_node=pods_per_node,
                          timings=Timings.realistic() if realistic else Timings(), control_plane=True)
    app = Flask(__name__, static_folder=_asset_dir("static"), template_folder=_asset_dir("templates"))
    app.config["MAX_CONTENT_LENGTH"] = 3 * 1024 * 1024 + 1024
    app.config["KUBEPLAY_TOKEN"] = token
    app.extensions["kubeplay"] = cluster
    stopping = threading.Event()
    app.extensions["kubeplay.stopping"] = stopping

    from .api import discovery, resources
    from . import auth, playground
    app.register_blueprint(discovery.bp)
    app.register_blueprint(resources.bp)
    app.register_blueprint(playground.bp)
    auth.init_app(app)
    _register_page(app)
    _register_errors(app)

    def close() -> None:
        stopping.set()
        if owns:
            cluster.stop()
    app.extensions["kubeplay.close"] = close
    if owns and start:
        cluster.start()
    return app


def _register_page(app: Flask) -> None:
    """The page, its WebSocket stream, the YAML apply endpoint and the in-page terminal."""
    from . import pages, stream, terminal, yamlapply
    from flask_sock import Sock
    sock = Sock(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(yamlapply.bp)
    app.register_blueprint(terminal.bp)
    stream.register(sock, app)


def _status_response(err: errors.ApiError) -> Response:
    from .api.resources import status_line
    return Response(json.dumps(err.status()), status=status_line(err.code), mimetype="application/json")


def _register_errors(app: Flask) -> None:
    @app.errorhandler(errors.ApiError)
    def api_error(err: errors.ApiError):
        return _status_response(err)

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        e = errors.ApiError(err.description or err.name)
        e.code, e.reason = err.code or 500, {404: "NotFound", 405: "MethodNotAllowed",
                                             413: "RequestEntityTooLarge", 400: "BadRequest"}.get(err.code, err.name.replace(" ", ""))
        if err.code == 404:
            e.message = "the server could not find the requested resource"
        return _status_response(e)

    @app.errorhandler(RecursionError)
    def too_deep(err):
        return _status_response(errors.BadRequest("the request is nested too deeply"))

    @app.errorhandler(Exception)
    def internal(err: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        e = errors.ApiError(f"an error on the server ({type(err).__name__}: {err}) has prevented the request from succeeding")
        return _status_response(e)
