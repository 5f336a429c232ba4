"""Who asked: the learner's own requests as lines of the reconcile log.

The controllers' decisions say what the cluster did; this says what started it — a scale, a
cordon, a drain, an apply, a kill — and who asked for it: `kubectl` (its User-Agent), the page
(a browser), or another API client. The line is a decision by the requester (the DecisionLog's
`requester` field), recorded after the write succeeded, so the page's log shows the cause above
the controllers' reactions.
"""
from __future__ import annotations

from flask import Request

from engine import objects, resources as kinds

# The objects whose changes a learner makes and wants to see in the story.
STORY_KINDS = {"pods", "deployments", "replicasets", "statefulsets", "daemonsets", "services", "configmaps",
               "horizontalpodautoscalers"}
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def requester(req: Request) -> str:
    ua = req.headers.get("User-Agent", "")
    if ua.startswith("kubectl"):
        return "kubectl"
    if ua.startswith("Mozilla/"):
        return "the page"
    return (ua.split("/")[0] or "an API client").strip() or "an API client"


def record(cluster, who: str, key: str, message: str, refs: list[str] | None = None) -> None:
    # Stamped with the request's arrival (webapp/api/resources.dispatch sets it): the engine may
    # have reacted to the write before this line is recorded.
    from flask import g
    at = getattr(g, "kubeplay_request_time", None)
    cluster.decisions.record(who, key, action="request", message=message, requester=who, refs=refs, at=at)


def _owner_refs(obj: dict | None) -> list[str]:
    """The controller owner of a pod (its ReplicaSet, StatefulSet, ...): what reacts to its loss."""
    ref = objects.controller_of(obj) if obj else None
    return [f"{objects.namespace_of(obj)}/{ref['name']}"] if ref and ref.get("name") else []


def _replicas(obj) -> int | None:
    return ((obj or {}).get("spec") or {}).get("replicas")


def _images(obj) -> list[str]:
    spec = (((obj or {}).get("spec") or {}).get("template") or {}).get("spec") or (obj or {}).get("spec") or {}
    return [c.get("image", "") for c in spec.get("containers") or ()]


def wants(rt, method: str, sub: str | None) -> bool:
    """Whether a write to this resource (and subresource) belongs in the story."""
    if method not in ("POST", "PUT", "PATCH", "DELETE"):
        return False
    if sub in ("scale", "eviction"):
        return True
    if sub:
        return False
    return rt.name in STORY_KINDS or (rt is kinds.NODE and method in ("PATCH", "PUT"))


def api_write(cluster, req: Request, t, before: dict | None, response_body) -> None:
    """After a successful write through the Kubernetes API (webapp/api/resources.dispatch)."""
    who = requester(req)
    kind = t.rt.kind
    m = req.method
    if t.sub == "scale":
        after = cluster.store.try_get(t.rt, t.namespace or "", t.name)
        a, b = _replicas(before), _replicas(after)
        if a != b:
            record(cluster, who, f"{t.namespace}/{t.name}", f"scale {kind} {t.namespace}/{t.name}: {a} → {b} replicas")
        return
    if t.sub == "eviction":
        record(cluster, who, f"{t.namespace}/{t.name}", f"evict Pod {t.namespace}/{t.name} (drain)",
               _owner_refs(before))
        return
    if t.rt is kinds.NODE:
        after = cluster.store.try_get(kinds.NODE, "", t.name)
        was = bool(((before or {}).get("spec") or {}).get("unschedulable"))
        now = bool(((after or {}).get("spec") or {}).get("unschedulable"))
        if was != now:
            record(cluster, who, t.name, f"{'cordon' if now else 'uncordon'} Node {t.name}: "
                   f"{'no new pods will be scheduled there' if now else 'schedulable again'}")
        return
    if m == "POST" and t.name is None:
        obj = response_body if isinstance(response_body, dict) else {}
        key = objects.key_of(obj) if obj.get("metadata") else ""
        applied = LAST_APPLIED in (objects.meta(obj).get("annotations") or {})
        record(cluster, who, key, f"{'apply' if applied else 'create'} {kind} {key}")
        return
    if t.name is None:
        return                                  # deletecollection: left out of the story
    key = f"{t.namespace}/{t.name}" if t.namespace else t.name
    if m == "DELETE":
        record(cluster, who, key, f"delete {kind} {key}", _owner_refs(before))
        return
    after = cluster.store.try_get(t.rt, t.namespace or "", t.name)
    if after is None or (before is not None and objects.rv_of(before) == objects.rv_of(after)):
        return                                  # nothing changed
    ctype = req.headers.get("Content-Type", "")
    applied = "apply-patch" in ctype or (
        (objects.meta(after).get("annotations") or {}).get(LAST_APPLIED) != (objects.meta(before or {}).get("annotations") or {}).get(LAST_APPLIED))
    what = []
    if _replicas(before) != _replicas(after):
        what.append(f"replicas {_replicas(before)} → {_replicas(after)}")
    if _images(before) != _images(after):
        what.append(f"image {', '.join(_images(before))} → {', '.join(_images(after))}")
    verb = "apply" if applied else ("replace" if m == "PUT" else "patch")
    record(cluster, who, key, f"{verb} {kind} {key}" + (f": {'; '.join(what)}" if what else ""))


def page_apply(cluster, req: Request, results: list[dict], verb: str) -> None:
    """After the page's Apply or Delete (webapp/yamlapply.py): one line per object changed."""
    who = requester(req)
    for r in results:
        action = r.get("action")
        if action in ("unchanged", "notfound", "failed"):
            continue
        key = f"{r['namespace']}/{r['name']}" if r.get("namespace") else r.get("name", "")
        record(cluster, who, key, f"{verb} {r.get('kind')} {key}: {action}")


def page_drain(cluster, req: Request, node: str, evicted: list[str], skipped: list[str],
               owners: list[str] = ()) -> None:
    record(cluster, requester(req), node,
           f"drain Node {node}: cordoned, evicted {len(evicted)} pod(s)"
           + (f", left {len(skipped)} DaemonSet pod(s)" if skipped else ""), sorted(set(evicted) | set(owners)))
