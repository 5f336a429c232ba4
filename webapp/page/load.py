"""The page's load control: extra CPU demand set on a Deployment, spread over its ready pods
(engine/load.py), so a learner can raise load and watch a HorizontalPodAutoscaler scale out, and
after the scale-down stabilization window back in. The load lives in engine state, not in the
object; `kubectl top` and the HPA read it through the same usage model.

GET  /kubeplay/v1/deployments/<ns>/<name>/load → {"cpu": "1500m"}
POST /kubeplay/v1/deployments/<ns>/<name>/load {"cpu": "1500m"} (a CPU quantity; "0" removes it)
"""
from __future__ import annotations

from fractions import Fraction

from flask import Blueprint, jsonify, request

from engine import errors, quantity, resources as kinds
from webapp.extension import current_cluster

bp = Blueprint("load", __name__)

MAX_CORES = 64


def _state(namespace: str, name: str) -> dict:
    cores = current_cluster().load.deployment_load(namespace, name)
    return {"namespace": namespace, "name": name, "cpu": quantity.format_quantity(cores)}


def _deployment(namespace: str, name: str) -> None:
    current_cluster().store.get(kinds.DEPLOYMENT, namespace, name)      # NotFound: the API's 404 text


@bp.get("/kubeplay/v1/deployments/<namespace>/<name>/load")
def get_load(namespace, name):
    _deployment(namespace, name)
    return jsonify(_state(namespace, name))


@bp.post("/kubeplay/v1/deployments/<namespace>/<name>/load")
def set_load(namespace, name):
    body = request.get_json(silent=True)
    cpu = body.get("cpu") if isinstance(body, dict) else None
    try:
        cores = quantity.parse_quantity(cpu) if isinstance(cpu, str) else None
    except quantity.QuantityError:
        cores = None
    if cores is None or not 0 <= cores <= MAX_CORES:
        raise errors.BadRequest(f'expected a JSON object such as {{"cpu": "1500m"}}: a CPU quantity from 0 to {MAX_CORES}')
    _deployment(namespace, name)
    cluster = current_cluster()
    cluster.load.set_deployment_load(namespace, name, Fraction(cores))
    said = quantity.format_quantity(cores)
    cluster.decisions.record("kubeplay", f"{namespace}/{name}", action="set-load", observed=None, desired=said,
                             message=(f"Deployment {namespace}/{name}: load set to {said} CPU, spread over its ready pods"
                                      if cores else f"Deployment {namespace}/{name}: load removed"))
    return jsonify(_state(namespace, name))
