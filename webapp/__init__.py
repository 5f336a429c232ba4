"""kubeplay's web layer: a Kubernetes-shaped HTTP API and the playground page, over one engine.

`create_app(cluster)` wires a Flask app around an engine Cluster someone else built and runs
(the CLI, webapp/cli.py, or a test); it only configures. The browser page and kubectl are both
plain clients of the same API. The folders: api/ (the Kubernetes API), page/ (the page, its
stream and its endpoints), kubectl/ (the in-page kubectl). docs/architecture.md has the picture."""
from __future__ import annotations

import logging

from flask import Flask, Response, json, request
from werkzeug.exceptions import HTTPException

from engine import Cluster, errors

from .extension import Kubeplay

log = logging.getLogger("kubeplay.web")


def create_app(cluster: Cluster, *, token: str | None = None, bind_host: str | None = None,
               allow_hosts: tuple[str, ...] | list[str] = ()) -> Flask:
    """The app serving `cluster`. Starting and stopping the cluster is the caller's job; at
    shutdown call `kubeplay_of(app).close()` (webapp.extension) so open watches return.
    `bind_host` and `allow_hosts` make the Host allow-list (webapp/guard.py)."""
    app = Flask(__name__)           # static/ and templates/ are in this package, Flask's default
    app.config["MAX_CONTENT_LENGTH"] = 3 * 1024 * 1024 + 1024
    app.config["KUBEPLAY_TOKEN"] = token
    Kubeplay(cluster).init_app(app)

    from .api import discovery, resources
    from . import auth, guard
    from .page import playground
    guard.init_app(app, guard.HostPolicy(bind_host, allow_hosts))
    app.register_blueprint(discovery.bp)
    app.register_blueprint(resources.bp)
    app.register_blueprint(playground.bp)
    auth.init_app(app)
    from .api import authz
    authz.init_app(app)                   # who is asking (ServiceAccount tokens, impersonation) and RBAC
    from .api import incluster
    incluster.register(app, cluster)      # pods' requests to the `kubernetes` Service
    _register_page(app)
    _register_errors(app)
    return app


def _register_page(app: Flask) -> None:
    """The page, its WebSocket stream, the editor's apply/delete endpoints, the scenarios, the
    timeline, the load control, what containers are doing, the policies around a pod, the in-page
    terminal, export/import and the Ingress Send-request control."""
    from .page import (doing, editor, export, importing, ingress, load, network_policies, pages, scenarios, stream,
                       terminal, timeline)
    from flask_sock import Sock
    sock = Sock(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(timeline.bp)
    app.register_blueprint(load.bp)
    app.register_blueprint(editor.bp)
    app.register_blueprint(scenarios.bp)
    app.register_blueprint(terminal.bp)
    app.register_blueprint(doing.bp)
    app.register_blueprint(network_policies.bp)
    app.register_blueprint(export.bp)
    app.register_blueprint(importing.bp)
    app.register_blueprint(ingress.bp)
    stream.register(sock, app)


def _status_response(err: errors.ApiError) -> Response:
    from .api.resources import status_line
    resp = Response(json.dumps(err.status()), status=status_line(err.code), mimetype="application/json")
    retry = err.details.get("retryAfterSeconds")
    if retry:               # as responsewriters.ErrorNegotiated: the Status's advice as a header too
        resp.headers["Retry-After"] = str(retry)
    return resp


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
