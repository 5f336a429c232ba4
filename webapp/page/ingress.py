"""The page's "Send request" control for Ingresses: a request to the ingress controller as from
the learner's machine (`curl -H 'Host: <host>' http://localhost<path>` on kind), answered with the
route it took — Ingress, rule, Service, pod — beside the response (engine/ingress_requests.py).

POST /kubeplay/v1/ingress/request {"host": "foo.example", "path": "/api"}
  → {"status": 200, "reason": "OK", "body": "...", "route": {...}, "controller": "ns/pod",
     "endpoint": "ns/pod", "address": "ip:port"}   or {"error": "refused", "message": ...}
"""
from __future__ import annotations

import re

from flask import Blueprint, jsonify, request

from engine import errors, ingress_requests
from webapp.extension import current_cluster

bp = Blueprint("ingress", __name__)

_HOST = re.compile(r"[A-Za-z0-9.-]{1,253}")
_PATH = re.compile(r"/[\x21-\x7e]{0,2047}")


@bp.post("/kubeplay/v1/ingress/request")
def send_request():
    body = request.get_json(silent=True)
    host = body.get("host") if isinstance(body, dict) else None
    path = body.get("path", "/") if isinstance(body, dict) else None
    if not isinstance(host, str) or not _HOST.fullmatch(host) or not isinstance(path, str) or not _PATH.fullmatch(path):
        raise errors.BadRequest('expected a JSON object such as {"host": "foo.example", "path": "/"}: a host name '
                                'and a path starting with "/"')
    return jsonify(ingress_requests.send(current_cluster(), host, path))
