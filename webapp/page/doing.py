"""What a pod's containers are doing, for the page's details panel (a line per container:
"serving on :80", "runs 3600 s, then exits 0", "allocating 150Mi"), from the engine's image
catalog.

    GET /kubeplay/v1/doing/<namespace>/<pod>    {"containers": [{"name", "image", "init", "doing"}]}

A read; the app-wide guard (webapp/guard.py) applies as to every route. A pod that does not
exist answers 404 with the apiserver's Status."""
from __future__ import annotations

from flask import Blueprint, jsonify

from engine import doing, resources
from webapp.extension import current_cluster

bp = Blueprint("doing", __name__)


@bp.get("/kubeplay/v1/doing/<namespace>/<name>")
def pod_doing(namespace: str, name: str):
    pod = current_cluster().store.get(resources.POD, namespace, name)
    return jsonify({"containers": doing.pod_doing(pod)})
