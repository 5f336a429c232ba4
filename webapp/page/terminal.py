"""The page's terminal: `POST /kubeplay/v1/terminal {"command": "kubectl get pods"}` →
`{"output": "...", "exitCode": 0|1}` (an optional `"namespace"` sets the default namespace,
`-n` still wins). The command runs in-process against the cluster's store (webapp/kubectl), so
its output is what kubectl would print (stdout and stderr interleaved) and nothing is spawned."""
from __future__ import annotations

import flask

from webapp.extension import current_cluster
from webapp.kubectl import run

bp = flask.Blueprint("terminal", __name__)

MAX_COMMAND = 10_000


@bp.post("/kubeplay/v1/terminal")
def terminal():
    body = flask.request.get_json(silent=True)
    command = body.get("command") if isinstance(body, dict) else None
    if not isinstance(command, str):
        return flask.jsonify({"output": 'error: expected a JSON body {"command": "kubectl ..."}\n',
                              "exitCode": 1}), 400
    if len(command) > MAX_COMMAND:
        return flask.jsonify({"output": "error: the command line is too long\n", "exitCode": 1}), 400
    namespace = body.get("namespace") if isinstance(body.get("namespace"), str) else "default"
    result = run(current_cluster(), command, namespace or "default")
    return flask.jsonify({"output": result.output, "exitCode": result.exit_code})
