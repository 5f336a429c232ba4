"""What the editor's Apply would change, before it changes anything (issue 9: "Apply previews").

Every document goes through the same path as the real Apply (webapp/kubectl/yamlapply.py), as a
server-side dry run (the store's dry_run: admission, defaulting and validation run, nothing is
written), so a refusal is the same refusal with the same line. For each object the preview says

* `action`: created / configured / unchanged, as the apply would print it;
* `diff`: a unified diff of the desired state (what `kubectl get -o yaml` shows, less status and
  the fields the server sets) between the live object and the dry-run result, like `kubectl diff`;
* `pods`: the effect on pods, computed as the controllers will act on the change: a workload's
  replicas up → pods created, down → pods deleted (the ReplicaSet deletes not-ready and newest
  first), its pod template changed → its pods replaced (a rolling update, or all at once for
  Recreate); a new workload → its replicas created. A Pod itself: created, or updated in place.
"""
from __future__ import annotations

import difflib

import yaml

from engine import deployments, errors, objects, resources as kinds
from webapp.kubectl.manifests import parse_documents
from webapp.kubectl.yamlapply import Target, api_error, apply_one, resolve_all

# What `kubectl get -o yaml` shows that is not desired state: set by the server.
SERVER_METADATA = ("uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink",
                   "deletionTimestamp", "deletionGracePeriodSeconds")
SERVER_ANNOTATIONS = ("deployment.kubernetes.io/revision", "kubectl.kubernetes.io/last-applied-configuration")
WORKLOADS = ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet")


def desired_state(obj: dict | None) -> dict | None:
    """The object less status and server-set fields (the editor shows the same: main.js)."""
    if obj is None:
        return None
    out = objects.clone(obj)
    out.pop("status", None)
    md = out.get("metadata") or {}
    for k in SERVER_METADATA:
        md.pop(k, None)
    ann = md.get("annotations") or {}
    for k in SERVER_ANNOTATIONS:
        ann.pop(k, None)
    if "annotations" in md and not ann:
        del md["annotations"]
    return out


def _yaml(obj: dict | None) -> list[str]:
    if obj is None:
        return []
    return yaml.safe_dump(obj, sort_keys=False, default_flow_style=False).splitlines()


def diff_text(live: dict | None, after: dict | None, name: str) -> str:
    lines = difflib.unified_diff(_yaml(desired_state(live)), _yaml(desired_state(after)),
                                 fromfile=f"live/{name}", tofile=f"applied/{name}", lineterm="", n=2)
    return "\n".join(lines)


def _owned_by(obj: dict, uid: str) -> bool:
    return any(ref.get("uid") == uid for ref in (obj.get("metadata") or {}).get("ownerReferences") or [])


def _live_pods(store, workload: dict) -> list[dict]:
    """The workload's live pods: owned by it, or (a Deployment) by its ReplicaSets."""
    ns, uid = objects.namespace_of(workload), workload["metadata"]["uid"]
    owners = {uid}
    if workload["kind"] == "Deployment":
        rss, _ = store.list(kinds.REPLICASET, ns)
        owners |= {rs["metadata"]["uid"] for rs in rss if _owned_by(rs, uid)}
    pods, _ = store.list(kinds.POD, ns)
    return [p for p in pods if any(_owned_by(p, o) for o in owners)
            and not p["metadata"].get("deletionTimestamp")]


def _template(obj: dict) -> dict:
    return (obj.get("spec") or {}).get("template") or {}


def _template_changed(kind: str, live: dict, after: dict) -> bool:
    if kind == "Deployment":
        return not deployments.equal_ignore_hash(_template(live), _template(after))
    return _template(live) != _template(after)


def _replicas(obj: dict) -> int:
    r = (obj.get("spec") or {}).get("replicas")
    return 1 if r is None else int(r)


def _nodes_for_daemonset(store) -> int:
    nodes, _ = store.list(kinds.NODE)
    return sum(1 for n in nodes if not any(t.get("effect") in ("NoSchedule", "NoExecute")
                                          for t in (n.get("spec") or {}).get("taints") or []))


def pod_effect(store, kind: str, live: dict | None, after: dict) -> dict:
    """{create, delete, replace: counts, names: the live pods concerned, summary: [lines]}."""
    out: dict = {"create": 0, "delete": 0, "replace": 0, "names": [], "summary": []}
    say = out["summary"].append
    if kind == "Pod":
        if live is None:
            out["create"] = 1
            say(f"pod {after['metadata']['name']} will be created")
        elif (live.get("spec") or {}) != (after.get("spec") or {}):
            say(f"pod {after['metadata']['name']} is updated in place (a new image restarts its container)")
        return out
    if kind not in WORKLOADS:
        return out
    if kind == "DaemonSet":
        if live is None:
            out["create"] = _nodes_for_daemonset(store)
            say(f"{out['create']} pods will be created, one per node that takes it")
        elif _template_changed(kind, live, after):
            pods = _live_pods(store, live)
            out["replace"], out["names"] = len(pods), sorted(p["metadata"]["name"] for p in pods)
            say(f"{len(pods)} pods will be replaced, node by node")
        return out
    want = _replicas(after)
    if live is None:
        out["create"] = want
        say(f"{want} pod{'s' if want != 1 else ''} will be created")
        return out
    pods = sorted(_live_pods(store, live), key=lambda p: p["metadata"]["name"])
    have = len(pods)
    changed = _template_changed(kind, live, after) and kind != "ReplicaSet"
    if changed:
        on_delete = kind == "StatefulSet" and ((after["spec"].get("updateStrategy") or {}).get("type") == "OnDelete")
        if on_delete:
            say("the pod template changed; with updateStrategy OnDelete no pod is replaced until you delete it")
        else:
            kept = min(have, want)
            # Every pod of the old template goes: `kept` replaced, the rest (if scaling down) deleted.
            out["replace"], out["names"] = kept, [p["metadata"]["name"] for p in pods]
            how = "all at once (Recreate)" if (kind == "Deployment" and not deployments.is_rolling(after)) else \
                ("one at a time, highest ordinal first" if kind == "StatefulSet" else
                 f"by a rolling update (at most {deployments.max_surge(after)} extra, "
                 f"{deployments.max_unavailable(after)} unavailable at a time)")
            say(f"{kept} pod{'s' if kept != 1 else ''} will be replaced {how}")
    elif kind == "ReplicaSet" and _template(live) != _template(after):
        say("the pod template changed: a ReplicaSet does not replace running pods, only new ones use it")
    if want > have:
        out["create"] = want - have
        say(f"{want - have} pod{'s' if want - have != 1 else ''} will be created (replicas {have} → {want})")
    elif want < have:
        out["delete"] = have - want
        if not changed:
            out["names"] = [p["metadata"]["name"] for p in pods]
        which = "the highest ordinals" if kind == "StatefulSet" else "not-ready and newest first"
        say(f"{have - want} pod{'s' if have - want != 1 else ''} will be deleted (replicas {have} → {want}; {which})")
    if not out["summary"]:
        say("no pod changes")
    return out


def _preview_one(store, t: Target, live: dict | None) -> dict:
    result = apply_one(store, t, dry_run=True)
    after = result.pop("object", None) or live
    out = {k: result[k] for k in ("kind", "name", "namespace", "action")}
    if result.get("warning"):
        out["warning"] = result["warning"]
    out["diff"] = diff_text(live, after, f"{t.kind_string}/{t.name}") if result["action"] != "unchanged" else ""
    out["pods"] = pod_effect(store, t.rt.kind, live, after) if result["action"] != "unchanged" else \
        {"create": 0, "delete": 0, "replace": 0, "names": [], "summary": []}
    return out


def preview_documents(store, text: str, namespace: str) -> list[dict]:
    """The preview of applying `text`: one entry per object, in order; a refusal raises the same
    Refusal (with its line) the real Apply would."""
    docs = parse_documents(text)
    targets = [t for d in docs for t in resolve_all(d, namespace)]
    planned_namespaces: set[str] = set()
    out = []
    for t in targets:
        live = store.try_get(t.rt, t.namespace, t.name)
        try:
            out.append(_preview_one(store, t, live))
        except errors.NotFound as e:
            # A namespace created earlier in the same text does not exist yet (as Apply forgives).
            if not (t.rt.namespaced and e.details.get("kind") == "namespaces"
                    and e.details.get("name") == t.namespace and t.namespace in planned_namespaces):
                raise api_error(t.doc, e, t.prefix) from None
            out.append({"kind": t.rt.kind, "name": t.name, "namespace": t.namespace, "action": "created",
                        "diff": diff_text(None, t.manifest, f"{t.kind_string}/{t.name}"),
                        "pods": pod_effect(store, t.rt.kind, None, t.manifest)})
        except errors.ApiError as e:
            raise api_error(t.doc, e, t.prefix) from None
        if t.rt is kinds.NAMESPACE:
            planned_namespaces.add(t.name)
    return out
