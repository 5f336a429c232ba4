"""The resource metrics API (metrics.k8s.io/v1beta1) that `kubectl top` reads, as metrics-server
serves it: PodMetrics and NodeMetrics, read-only, list and get, labelSelector on lists. The
figures come from the engine's usage model (engine.usage: what each image does, held to its
limits); this module only shapes them as metrics-server does — `cpu` in nanocores (`1234567n`),
`memory` in KiB, a 15 s `window` ending at `timestamp`, a pod's labels copied onto its metrics,
and NotFound worded `podmetrics.metrics.k8s.io "default/web" not found` for a pod without
samples (pending, or not there)."""
from __future__ import annotations

import json

from flask import Blueprint, Response, request

from engine import errors, objects, resources as kinds, usage
from webapp.extension import current_cluster

from .resources import TABLE_MARK, status_line

bp = Blueprint("metrics", __name__)

GROUP, VERSION = "metrics.k8s.io", "v1beta1"
API_VERSION = f"{GROUP}/{VERSION}"
PREFIX = f"/apis/{GROUP}/{VERSION}"

# (plural, kind, namespaced): what discovery lists; verbs are get and list only.
RESOURCES = [("nodes", "NodeMetrics", False), ("pods", "PodMetrics", True)]


def discovery_resources(group: str, version: str) -> list[dict]:
    if (group, version) != (GROUP, VERSION):
        return []
    return [{"name": plural, "singularName": "", "namespaced": namespaced, "kind": kind, "verbs": ["get", "list"]}
            for plural, kind, namespaced in RESOURCES]


def group_versions() -> list[tuple[str, str]]:
    return [(GROUP, VERSION)]


def _json(obj: dict) -> Response:
    return Response(json.dumps(obj, separators=(",", ":")), status=status_line(200), mimetype="application/json")


def _envelope(kind: str, name: str, namespace: str | None, labels: dict, now: float, usage_field: dict) -> dict:
    md = {"name": name, "creationTimestamp": objects.iso(now)}
    if namespace is not None:
        md["namespace"] = namespace
    if labels:
        md["labels"] = dict(labels)
    return {"kind": kind, "apiVersion": API_VERSION, "metadata": md,
            "timestamp": objects.iso(usage.window_start(now)), "window": f"{usage.window_seconds()}s", **usage_field}


def _pod_metrics(pod: dict, now: float, extra: dict) -> dict | None:
    """`extra`: traffic's CPU per pod uid (Cluster.extra_cpu), which the pod's use includes."""
    samples = usage.pod_usage(pod, now, extra.get(objects.uid_of(pod), 0))
    if samples is None:
        return None
    return _envelope("PodMetrics", objects.name_of(pod), objects.namespace_of(pod), objects.labels_of(pod), now,
                     {"containers": [{"name": name, "usage": use.as_resources()} for name, use in samples]})


def _node_metrics(node: dict, pods: list[dict], now: float, extra: dict) -> dict:
    name = objects.name_of(node)
    mine = [p for p in pods if (p.get("spec") or {}).get("nodeName") == name]
    return _envelope("NodeMetrics", name, None, objects.labels_of(node), now,
                     {"usage": usage.node_usage(mine, now, extra).as_resources()})


def _list(kind: str, items: list[dict]) -> Response:
    if TABLE_MARK in (request.headers.get("Accept") or ""):
        return _json(_table(items))
    return _json({"kind": f"{kind}List", "apiVersion": API_VERSION, "metadata": {}, "items": items})


def _table(items: list[dict]) -> dict:
    """The columns metrics-server's table convertor prints for `kubectl get podmetrics`."""
    def cells(m: dict) -> list:
        if "usage" in m:
            use = m["usage"]
        else:
            cpu = sum(int(c["usage"]["cpu"][:-1]) for c in m["containers"])
            mem = sum(int(c["usage"]["memory"][:-2]) for c in m["containers"])
            use = {"cpu": f"{cpu}n", "memory": f"{mem}Ki"}
        return [m["metadata"]["name"], use["cpu"], use["memory"], m["window"]]
    columns = [("Name", "string", "name"), ("CPU", "string", "cpu"), ("Memory", "string", "memory"),
               ("Window", "string", "window")]
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {},
            "columnDefinitions": [{"name": n, "type": t, "format": "", "description": d, "priority": 0}
                                  for n, t, d in columns],
            "rows": [{"cells": cells(m), "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                                                   "metadata": m["metadata"]}} for m in items]}


def _pods(namespace: str | None, label_selector: str | None = None) -> list[dict]:
    return current_cluster().store.list(kinds.POD, namespace, label_selector=label_selector)[0]


@bp.get(f"{PREFIX}/nodes")
def list_nodes():
    cluster = current_cluster()
    now, pods = cluster.clock.now(), _pods(None)
    nodes = cluster.store.list(kinds.NODE, None, label_selector=request.args.get("labelSelector"))[0]
    extra = cluster.extra_cpu()
    return _list("NodeMetrics", [_node_metrics(n, pods, now, extra) for n in nodes])


@bp.get(f"{PREFIX}/nodes/<name>")
def get_node(name):
    cluster = current_cluster()
    try:
        node = cluster.store.get(kinds.NODE, "", name)
    except errors.NotFound:
        raise errors.NotFound("nodemetrics", GROUP, name) from None
    return _json(_node_metrics(node, _pods(None), cluster.clock.now(), cluster.extra_cpu()))


@bp.get(f"{PREFIX}/pods")
@bp.get(f"{PREFIX}/namespaces/<namespace>/pods")
def list_pods(namespace=None):
    cluster = current_cluster()
    now, extra = cluster.clock.now(), cluster.extra_cpu()
    found = (_pod_metrics(p, now, extra) for p in _pods(namespace, request.args.get("labelSelector")))
    return _list("PodMetrics", [m for m in found if m is not None])


@bp.get(f"{PREFIX}/namespaces/<namespace>/pods/<name>")
def get_pod(namespace, name):
    cluster = current_cluster()
    try:
        pod = cluster.store.get(kinds.POD, namespace, name)
    except errors.NotFound:
        pod = None
    metrics = _pod_metrics(pod, cluster.clock.now(), cluster.extra_cpu()) if pod is not None else None
    if metrics is None:
        raise errors.NotFound("podmetrics", GROUP, f"{namespace}/{name}")
    return _json(metrics)
