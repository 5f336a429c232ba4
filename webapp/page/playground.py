"""Playground controls that are not part of the Kubernetes API: the simulated clock, the
realistic-timings switch, a node's health switch, drain, and the health endpoints."""
from __future__ import annotations

import re

from flask import Blueprint, Response, g, jsonify, request

from engine import controlplane, errors, eviction, objects, quantity, resources as kinds
from webapp.api import whoasked
from webapp.extension import current_cluster

bp = Blueprint("playground", __name__)

_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


@bp.get("/healthz")
@bp.get("/readyz")
@bp.get("/livez")
def health():
    return Response("ok", mimetype="text/plain")


def clock_state() -> dict:
    c = current_cluster()
    now = c.clock.now()
    t = c.timings
    return {"now": objects.iso(now), "nowSeconds": now, "paused": bool(c.clock.paused), "speed": c.clock.speed,
            "realisticTimings": t.realistic_mode,
            "timings": {"nodeMonitorGracePeriod": t.node_monitor_grace,
                        "evictionTolerationCap": None if t.eviction_toleration_cap == float("inf") else t.eviction_toleration_cap,
                        "terminationGraceCap": None if t.termination_grace_cap == float("inf") else t.termination_grace_cap}}


@bp.get("/kubeplay/v1/clock")
def get_clock():
    return jsonify(clock_state())


@bp.post("/kubeplay/v1/clock")
def set_clock():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise errors.BadRequest('expected a JSON object such as {"paused": true}, {"speed": 5} or {"step": 5}')
    clock = current_cluster().clock
    if "speed" in body:
        speed = body["speed"]
        if not isinstance(speed, (int, float)) or isinstance(speed, bool) or not 0 < speed <= 1000:
            raise errors.BadRequest("speed must be a number between 0 and 1000")
        clock.set_speed(float(speed))
    if "paused" in body:
        if body["paused"]:
            clock.pause()
        else:
            clock.resume()
    if "step" in body:
        step = body["step"]
        if not isinstance(step, (int, float)) or isinstance(step, bool) or not 0 < step <= 3600:
            raise errors.BadRequest("step must be a number of seconds between 0 and 3600")
        if not clock.paused:
            raise errors.BadRequest("pause the clock before stepping it")
        clock.step(float(step))
    return jsonify(clock_state())


@bp.get("/kubeplay/v1/timings")
def get_timings():
    return jsonify(clock_state())


@bp.post("/kubeplay/v1/timings")
def set_timings():
    """The "realistic timings" switch: {"realistic": true} restores the upstream durations
    (50 s node grace, 300 s eviction toleration, 30 s termination grace), false compresses them
    again. Answers with the clock state (`realisticTimings`, `timings`)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("realistic"), bool):
        raise errors.BadRequest('expected a JSON object such as {"realistic": true}')
    current_cluster().set_realistic_timings(body["realistic"])
    return jsonify(clock_state())


@bp.post("/kubeplay/v1/nodes")
def add_node():
    """A new node joins: its simulated kubelet registers the Node and starts heartbeating."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise errors.BadRequest('expected a JSON object such as {"name": "node-4"}')
    cluster = current_cluster()
    name = body.get("name")
    if name is None:
        have = {objects.name_of(n) for n in cluster.store.iter(kinds.NODE)}
        name = next(f"node-{i}" for i in range(1, len(have) + 2) if f"node-{i}" not in have)
    if not isinstance(name, str) or not _DNS_SUBDOMAIN.fullmatch(name) or len(name) > 253:
        raise errors.Invalid("Node", "", str(name), [errors.invalid("metadata.name", name,
                             "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character")])
    kw = {}
    for field in ("cpu", "memory"):
        if field in body:
            value = body[field]
            try:
                ok = isinstance(value, str) and quantity.parse_quantity(value) > 0
            except quantity.QuantityError:
                ok = False
            if not ok:
                raise errors.BadRequest(f"{field} must be a positive quantity such as \"4\" or \"8Gi\"")
            kw[field] = value
    if "pods" in body:
        if not isinstance(body["pods"], int) or isinstance(body["pods"], bool) or not 1 <= body["pods"] <= 10000:
            raise errors.BadRequest("pods must be a whole number between 1 and 10000")
        kw["pods"] = body["pods"]
    cluster.join_node(name, **kw)
    return jsonify({"node": name, "joining": True}), 202


@bp.post("/kubeplay/v1/nodes/<name>/fail")
def fail_node(name):
    current_cluster().fail_node(name)
    return jsonify({"node": name, "failed": True})


@bp.post("/kubeplay/v1/nodes/<name>/recover")
def recover_node(name):
    current_cluster().recover_node(name)
    return jsonify({"node": name, "failed": False})


@bp.post("/kubeplay/v1/nodes/<name>/drain")
def drain_node(name):
    """kubectl drain: cordon, then evict every pod but DaemonSet ones (and mirror pods) through
    the Eviction API, so PodDisruptionBudgets are honoured: a pod its budget protects stays, and
    is listed under "blocked" with the apiserver's reason (drain again once pods elsewhere are
    ready, as kubectl drain retries)."""
    cluster = current_cluster()
    store = cluster.store
    g.kubeplay_request_time = cluster.clock.now()
    store.patch(kinds.NODE, None, name, "merge", {"spec": {"unschedulable": True}})
    evicted, skipped, owners, blocked = [], [], [], []
    pods, _ = store.list(kinds.POD, None, None, f"spec.nodeName={name}")
    for pod in pods:
        ref = objects.controller_of(pod)
        if controlplane.is_mirror_pod(pod):
            continue                     # kubectl drain leaves static pods' mirrors alone
        if ref and ref.get("kind") == "DaemonSet":
            skipped.append(objects.key_of(pod))
            continue
        if objects.is_terminating(pod):
            continue
        try:
            result = eviction.evict(store, objects.namespace_of(pod), objects.name_of(pod), now=cluster.clock.now())
        except errors.NotFound:
            continue
        except errors.ApiError as e:     # 429: the budget allows no disruption now
            blocked.append({"pod": objects.key_of(pod), "message": e.message,
                            "causes": [c.get("message") for c in e.details.get("causes") or ()]})
            continue
        if result.get("status") != "Success":   # more than one budget (500, as upstream)
            blocked.append({"pod": objects.key_of(pod), "message": result.get("message", ""), "causes": []})
            continue
        evicted.append(objects.key_of(pod))
        if ref:
            owners.append(f"{objects.namespace_of(pod)}/{ref.get('name')}")
    whoasked.page_drain(cluster, request, name, evicted, skipped, owners)
    return jsonify({"node": name, "evicted": evicted, "ignoredDaemonSetPods": skipped, "blocked": blocked})


@bp.get("/kubeplay/v1/nodes")
def failed_nodes():
    return jsonify({"failed": sorted(current_cluster().failed_nodes)})


def control_plane_state() -> dict:
    c = current_cluster()
    return {"components": [{"name": name, "running": name not in c.stopped_components}
                           for name in controlplane.COMPONENTS]}


@bp.get("/kubeplay/v1/control-plane")
def get_control_plane():
    return jsonify(control_plane_state())


@bp.post("/kubeplay/v1/control-plane")
def set_control_plane():
    """The page's Stop/Start buttons: {"component": "kube-scheduler", "running": false}. Stopped,
    the component's loops take no events and act on nothing; started, they list the cluster
    again and reconcile from its current state (Cluster.set_component_running)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("running"), bool) \
            or body.get("component") not in controlplane.COMPONENTS:
        raise errors.BadRequest('expected a JSON object such as {"component": "kube-scheduler", "running": false}; '
                                f"components: {', '.join(controlplane.COMPONENTS)}")
    current_cluster().set_component_running(body["component"], body["running"])
    return jsonify(control_plane_state())
