"""The Flask app for a real cluster: the playground's page, fed by the cluster's watches.

`create_remote_app(remote, mirror)` wires: the Host/Origin/content-type gate every kubeplay
server has (webapp/guard.py; the server stays loopback-only: the CLI refuses --host with
--kubeconfig), the page and its Examples, the page's stream reading the mirror instead of the
engine (webapp/page/source.py), the actions (webapp/remote/actions.py), and what the page asks
of a playground that a real cluster does not have, answered with the reason."""
from __future__ import annotations

import logging

from flask import Flask, Response, json, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from webapp.extension import Kubeplay

from webapp.page.stream import DRAWN

from .connection import Remote, RemoteError
from .mirror import Mirror

log = logging.getLogger("kubeplay.remote")

# What only a simulation can do, and why it is off on a real cluster (the page shows these on
# the disabled controls; the server answers them with 400 and the same words).
UNAVAILABLE = {
    "clock": "a real cluster runs on the wall clock: its time cannot be paused, stepped or sped up",
    "timings": "a real cluster's timers are its components' flags, not kubeplay's to change",
    "failNode": "kubeplay cannot stop a real node's kubelet: failing a node is what the playground simulates",
    "addNode": "nodes join a real cluster when machines do (kubeadm join, a node pool), not from this page",
    "controlPlane": "kubeplay cannot stop a real cluster's scheduler or controller-manager",
    "scenarios": "scenarios set up and check the playground; they would change a real cluster",
    "tour": "the Pizza demo builds things in the cluster it runs on; try it in the playground",
    "terminal": "the in-page kubectl talks to the playground: use your own kubectl with this kubeconfig",
    "shell": "Shell is not carried to a real cluster by kubeplay: use kubectl exec",
    "load": "the load control drives the playground's simulated traffic",
    "timeline": "the timeline replays the playground's own history; a real cluster keeps none to replay",
    "export": "Export writes the playground's objects; to copy this cluster into a playground, use kubeplay import",
    "ingressRequest": "Send request goes through the playground's simulated ingress controller: on a real "
                      "cluster, curl the controller's address",
}
READ_ONLY = "kubeplay is serving this cluster with --read-only: no action is sent to it"
ACTIONS = ("apply", "delete", "kill", "scale", "restart", "undo", "cordon", "drain", "deleteNode", "edit")

# The playground's own write endpoints and which reason refuses them here.
_SIMULATION_ONLY = [
    ("/kubeplay/v1/clock", "clock"), ("/kubeplay/v1/timings", "timings"),
    ("/kubeplay/v1/nodes", "addNode"), ("/kubeplay/v1/nodes/<name>/fail", "failNode"),
    ("/kubeplay/v1/nodes/<name>/recover", "failNode"), ("/kubeplay/v1/control-plane", "controlPlane"),
    ("/kubeplay/v1/scenarios/<sid>/start", "scenarios"), ("/kubeplay/v1/scenarios/<sid>/check", "scenarios"),
    ("/kubeplay/v1/terminal", "terminal"), ("/kubeplay/v1/ingress/request", "ingressRequest"), ("/kubeplay/v1/deployments/<ns>/<name>/load", "load"),
]


def _status(code: int, message: str, reason: str) -> Response:
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
            "reason": reason, "code": code}
    return Response(json.dumps(body), status=code, mimetype="application/json")


def describe(remote: Remote, mirror: Mirror) -> dict:
    """What the page is told: where it is looking, what it cannot see and why, what is off."""
    # In the page's order of kinds (nodes, pods, workloads, ...), whichever thread listed first.
    found = mirror.scope()
    scope = {rt.name: found[rt.name] for rt in DRAWN if rt.name in found}
    hidden = [{"kind": v["kind"], "reason": v["reason"]} for v in scope.values() if v["denied"]]
    narrowed = [{"kind": v["kind"], "namespace": v["namespace"], "reason": v["reason"]}
                for v in scope.values() if not v["denied"] and v["namespace"]]
    off = dict(UNAVAILABLE)
    if remote.read_only:
        off.update({a: READ_ONLY for a in ACTIONS})
    return {**remote.describe(), "synced": mirror.synced(), "problem": mirror.problem(),
            "hidden": hidden, "narrowed": narrowed,
            "filter": {"namespace": mirror.namespace, "node": mirror.node, "selector": mirror.selector},
            "unavailable": off}


def create_remote_app(remote: Remote, mirror: Mirror, *, allow_hosts=()) -> Flask:
    """The app drawing `mirror` (started and stopped by the caller, as create_app's cluster)."""
    from flask_sock import Sock

    from webapp import guard
    from webapp.page import stream
    from webapp.page.pages import read_examples
    from . import actions

    app = Flask("webapp")            # the webapp package's static/ and templates/
    app.config["MAX_CONTENT_LENGTH"] = 3 * 1024 * 1024 + 1024
    Kubeplay(cluster=None, source=mirror).init_app(app)
    guard.init_app(app, guard.HostPolicy("127.0.0.1", allow_hosts))

    @app.get("/")
    def index():
        return render_template("index.html", realistic=True, remote=True)

    @app.get("/healthz")
    @app.get("/readyz")
    @app.get("/livez")
    def health():
        return Response("ok", mimetype="text/plain")

    @app.get("/kubeplay/v1/remote")
    def remote_info():
        return jsonify(describe(remote, mirror))

    @app.get("/kubeplay/v1/examples")
    def examples():
        return jsonify({"examples": read_examples()})

    @app.get("/kubeplay/v1/clock")
    def clock():
        return jsonify(mirror.clock())

    @app.get("/apis/metrics.k8s.io/v1beta1/nodes")
    def node_metrics():
        # The cluster's metrics-server, if it has one; the page draws usage only when it answers.
        if not request.headers.get(guard.PAGE_HEADER):
            return _status(403, "kubeplay answers for a real cluster only to its page", "Forbidden")
        try:
            return jsonify(remote.request("GET", "/apis/metrics.k8s.io/v1beta1/nodes"))
        except RemoteError as e:
            return Response(json.dumps(e.status), status=e.code or 502, mimetype="application/json")

    for i, (rule, what) in enumerate(_SIMULATION_ONLY):
        def refuse(what=what, **_kw):
            return _status(400, f"not on a real cluster: {UNAVAILABLE[what]}", "BadRequest")
        app.add_url_rule(rule, f"simulation_only_{i}", refuse, methods=["POST"])

    app.register_blueprint(actions.bp)
    stream.register(Sock(app), app)

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        message = "the server could not find the requested resource" if err.code == 404 else (err.description or err.name)
        return _status(err.code or 500, message, (err.name or "").replace(" ", ""))

    @app.errorhandler(Exception)
    def internal(err: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _status(500, f"an error on the server ({type(err).__name__}) has prevented the request from succeeding",
                       "InternalError")
    return app
