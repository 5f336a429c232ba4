"""Who may reach a pod and whom it may reach, for the page's details panel: the NetworkPolicies
that select the pod, per direction, with their rules in words (engine/network_policy.py).

    GET /kubeplay/v1/networkpolicies/<namespace>/<pod>
        {"ingress": {"isolated": bool, "policies": [{"name", "rules": ["from pods app=frontend
         in this namespace on TCP 80", ...]}]}, "egress": {...}}

A pod no policy isolates in a direction allows everything there (`isolated` false); an isolated
one with no rules allows nothing. A read; the app-wide guard (webapp/guard.py) applies as to
every route. A pod that does not exist answers 404 with the apiserver's Status."""
from __future__ import annotations

from flask import Blueprint, jsonify

from engine import network_policy, resources
from webapp.extension import current_cluster

bp = Blueprint("network_policies", __name__)


@bp.get("/kubeplay/v1/networkpolicies/<namespace>/<name>")
def pod_policies(namespace: str, name: str):
    store = current_cluster().store
    pod = store.get(resources.POD, namespace, name)
    return jsonify(network_policy.pod_view(store, pod))
