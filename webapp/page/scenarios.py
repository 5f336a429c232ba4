"""Scenarios that check themselves (issue 9 item 5): goals in webapp/scenarios/scenarios.yaml,
checked against the live cluster.

    GET  /kubeplay/v1/scenarios                 {"scenarios": [{id, title, goal, hints}]}
    POST /kubeplay/v1/scenarios/<id>/start      applies the scenario's setup (as the editor's Apply)
                                                → {"memory": {...}, "results": [...]}
    POST /kubeplay/v1/scenarios/<id>/check      {"memory": {...}} → {"done", "progress", "memory"}

A check reads the store as it is now. Some goals are about a change ("a pod was replaced", "scaled
and declared again"), so a check has a small `memory` the page keeps (in localStorage, with the
learner's progress, so both survive a reload): what `start` saw, and what earlier checks saw. The
server keeps nothing per learner.

Check types (the `check.type` of a scenario):
- declared-again {name, replicas}: the Deployment was scaled away from `replicas` and is back at it
  by an apply (it carries kubectl's last-applied annotation), all Ready.
- pod-replaced {selector, count}: a pod matching the selector that the check saw is gone and
  `count` matching pods are Running and Ready again.
- deployment-ready {name, replicas}: the Deployment wants `replicas` and has as many Ready.
- rolled-back {name}: a ReplicaSet of the Deployment ran another image, and the Deployment is back
  at the image it had at the start, rolled out (every pod on it, all Ready).
- pod-running {name}: the pod is Running and Ready.
- service-has-endpoints {name}: the Service's EndpointSlices hold a Ready endpoint.
- node-failed-and-replaced {name, selector}: a node went NotReady, and the Deployment has all its
  replicas Ready on the other nodes.
- daemonset-on-new-node: a node that was not there at the start runs a Ready DaemonSet pod.
- same-name-again {name}: a pod of that name the check saw is gone, and a new one with the same
  name is Running and Ready.
"""
from __future__ import annotations

import os
from typing import Callable

import flask
import yaml

from engine import errors, objects, resources as kinds
from webapp.extension import current_cluster
from webapp.kubectl.manifests import Refusal
from webapp.kubectl.yamlapply import apply_documents
from webapp.page.pages import examples_dir

bp = flask.Blueprint("scenarios", __name__)

DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scenarios", "scenarios.yaml")
NS = "default"


def read_scenarios() -> list[dict]:
    with open(DATA, encoding="utf-8") as f:
        return yaml.safe_load(f)


def _scenario(sid: str) -> dict:
    for s in read_scenarios():
        if s["id"] == sid:
            return s
    raise errors.NotFound("scenarios", "kubeplay", sid)


def _setup_text(setup: str | None) -> str | None:
    if not setup:
        return None
    if "\n" not in setup and setup.endswith(".yaml"):          # an example's file
        with open(os.path.join(examples_dir(), setup), encoding="utf-8") as f:
            return f.read()
    return setup


# ---- reading the cluster ----------------------------------------------------------------------

def _get(rt, name: str) -> dict | None:
    return current_cluster().store.try_get(rt, NS, name)


def _ready(pod: dict) -> bool:
    st = pod.get("status") or {}
    return (st.get("phase") == "Running" and not pod["metadata"].get("deletionTimestamp")
            and any(c.get("type") == "Ready" and c.get("status") == "True" for c in st.get("conditions") or []))


def _pods(selector: dict) -> list[dict]:
    pods, _ = current_cluster().store.list(kinds.POD, NS)
    return [p for p in pods if all(objects.labels_of(p).get(k) == v for k, v in selector.items())]


def _image(obj: dict) -> str:
    containers = (((obj.get("spec") or {}).get("template") or {}).get("spec") or {}).get("containers") or []
    return containers[0].get("image", "") if containers else ""


def _rolled_out(d: dict) -> bool:
    st, want = d.get("status") or {}, (d.get("spec") or {}).get("replicas", 1)
    return (st.get("observedGeneration", 0) >= d["metadata"].get("generation", 0)
            and st.get("updatedReplicas", 0) == want and st.get("readyReplicas", 0) == want
            and st.get("replicas", 0) == want)


# ---- the checks: begin(params) → memory; check(params, memory) → (done, progress, memory) ----------

def _declared_begin(p: dict) -> dict:
    d = _get(kinds.DEPLOYMENT, p["name"])
    return {"generation": d["metadata"].get("generation", 0) if d else 0, "scaled": False}


def _declared_check(p: dict, m: dict):
    d = _get(kinds.DEPLOYMENT, p["name"])
    if d is None:
        return False, f"no Deployment {p['name']} yet: apply it", m
    replicas = (d.get("spec") or {}).get("replicas", 1)
    if replicas != p["replicas"]:
        m["scaled"] = True
        return False, f"{p['name']} is at {replicas} replicas; the file says {p['replicas']}", m
    moved = m.get("scaled") or d["metadata"].get("generation", 0) >= m.get("generation", 0) + 2
    if not moved:
        return False, f"{p['name']} has {replicas} replicas, as declared: now scale it imperatively", m
    applied = "kubectl.kubernetes.io/last-applied-configuration" in (d["metadata"].get("annotations") or {})
    ready = (d.get("status") or {}).get("readyReplicas", 0)
    if applied and ready == p["replicas"]:
        return True, f"back at {replicas} replicas, as the file declares, all Ready", m
    return False, f"{p['name']} is back at {replicas}: waiting for {replicas} Ready ({ready} now)", m


def _replaced_begin(p: dict) -> dict:
    return {"seen": sorted(x["metadata"]["uid"] for x in _pods(p["selector"]))}


def _replaced_check(p: dict, m: dict):
    pods = _pods(p["selector"])
    now = {x["metadata"]["uid"] for x in pods if not x["metadata"].get("deletionTimestamp")}
    seen = set(_strings(m, "seen"))
    gone = seen - now
    m["seen"] = sorted(seen | now)
    ready = sum(1 for x in pods if _ready(x))
    if not gone:
        return False, f"{ready} Ready pods: kill one", m
    m["killed"] = True
    if ready == p["count"] and len(now) == p["count"]:
        return True, f"a pod went and was replaced: {ready} Ready again", m
    return False, f"a pod went: {ready} of {p['count']} Ready", m


def _ready_check(p: dict, m: dict):
    d = _get(kinds.DEPLOYMENT, p["name"])
    if d is None:
        return False, f"no Deployment {p['name']}", m
    want, ready = (d.get("spec") or {}).get("replicas", 1), (d.get("status") or {}).get("readyReplicas", 0)
    if want == p["replicas"] and ready == want:
        return True, f"{want} replicas, all Ready", m
    return False, f"{p['name']}: desired {want}, Ready {ready}", m


def _rollback_begin(p: dict) -> dict:
    d = _get(kinds.DEPLOYMENT, p["name"])
    return {"image": _image(d) if d else ""}


def _rollback_check(p: dict, m: dict):
    d = _get(kinds.DEPLOYMENT, p["name"])
    if d is None:
        return False, f"no Deployment {p['name']}", m
    good, image = m.get("image") or "", _image(d)
    uid = d["metadata"]["uid"]
    rss, _ = current_cluster().store.list(kinds.REPLICASET, NS)
    mine = [rs for rs in rss if any(r.get("uid") == uid for r in rs["metadata"].get("ownerReferences") or [])]
    other = sorted({_image(rs) for rs in mine} - {good})
    if other:
        m["bad"] = other[0]
    if not m.get("bad"):
        return False, f"{p['name']} runs {image}: update it to another image", m
    if image != good:
        return False, f"{p['name']} is on {image}: roll it back to {good}", m
    if _rolled_out(d):
        return True, f"rolled back to {good}, every pod Ready", m
    return False, f"rolling back to {good}…", m


def _pod_running_check(p: dict, m: dict):
    pod = _get(kinds.POD, p["name"])
    if pod is None:
        return False, f"no pod {p['name']}", m
    if _ready(pod):
        return True, f"pod {p['name']} is Running", m
    return False, f"pod {p['name']} is {(pod.get('status') or {}).get('phase', 'Pending')}", m


def _endpoints_check(p: dict, m: dict):
    slices, _ = current_cluster().store.list(kinds.ENDPOINTSLICE, NS)
    ready = sum(1 for s in slices if objects.labels_of(s).get("kubernetes.io/service-name") == p["name"]
                for e in s.get("endpoints") or [] if (e.get("conditions") or {}).get("ready"))
    if _get(kinds.SERVICE, p["name"]) is None:
        return False, f"no Service {p['name']}", m
    if ready:
        return True, f"Service {p['name']} has {ready} Ready endpoint{'s' if ready != 1 else ''}", m
    return False, f"Service {p['name']} has no Ready endpoints", m


def _node_ready(node: dict) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (node.get("status") or {}).get("conditions") or [])


def _failed_check(p: dict, m: dict):
    nodes, _ = current_cluster().store.list(kinds.NODE)
    down = sorted(objects.name_of(n) for n in nodes if not _node_ready(n))
    if down:
        m["down"] = down[0]
    if not m.get("down"):
        return False, "every node is Ready: fail one that runs web's pods", m
    d = _get(kinds.DEPLOYMENT, p["name"])
    want = (d.get("spec") or {}).get("replicas", 1) if d else 0
    pods = [x for x in _pods(p["selector"]) if _ready(x) and (x.get("spec") or {}).get("nodeName") not in down]
    if d is not None and len(pods) == want:
        return True, f"{m['down']} went NotReady; {want} pods of {p['name']} Ready on the other nodes", m
    return False, f"{m['down']} is down: {len(pods)} of {want} pods Ready elsewhere", m


def _nodes_begin(p: dict) -> dict:
    nodes, _ = current_cluster().store.list(kinds.NODE)
    return {"nodes": sorted(objects.name_of(n) for n in nodes)}


def _daemonset_check(p: dict, m: dict):
    nodes, _ = current_cluster().store.list(kinds.NODE)
    new = sorted({objects.name_of(n) for n in nodes} - set(_strings(m, "nodes")))
    if not new:
        return False, "no new node yet: add one", m
    pods, _ = current_cluster().store.list(kinds.POD, NS)
    on_new = [x for x in pods if (x.get("spec") or {}).get("nodeName") in new and _ready(x)
              and any(r.get("kind") == "DaemonSet" for r in x["metadata"].get("ownerReferences") or [])]
    if on_new:
        return True, f"{objects.name_of(on_new[0])} runs on the new node {on_new[0]['spec']['nodeName']}", m
    return False, f"{new[0]} joined: waiting for the DaemonSet's pod there", m


def _same_name_begin(p: dict) -> dict:
    pod = _get(kinds.POD, p["name"])
    return {"seen": [pod["metadata"]["uid"]] if pod else []}


def _same_name_check(p: dict, m: dict):
    pod = _get(kinds.POD, p["name"])
    seen = _strings(m, "seen")
    if pod is None:
        m["gone"] = True
        return False, f"{p['name']} is gone: watch for it to come back", m
    uid = pod["metadata"]["uid"]
    if not seen:
        seen.append(uid)
    if uid in seen and not m.get("gone"):
        if pod["metadata"].get("deletionTimestamp"):
            return False, f"{p['name']} is terminating", m
        return False, f"{p['name']} is running: delete it", m
    if uid not in seen and _ready(pod):
        return True, f"a new pod with the same name, {p['name']}, is Running", m
    return False, f"{p['name']} is coming back", m


def _strings(m: dict, key: str) -> list[str]:
    """A list of names or uids the memory keeps (from the browser: checked, not trusted)."""
    v = m.get(key) or []
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise TypeError(key)
    m[key] = v
    return v


def _nothing(p: dict) -> dict:
    return {}


CHECKS: dict[str, tuple[Callable[[dict], dict], Callable]] = {
    "declared-again": (_declared_begin, _declared_check),
    "pod-replaced": (_replaced_begin, _replaced_check),
    "deployment-ready": (_nothing, _ready_check),
    "rolled-back": (_rollback_begin, _rollback_check),
    "pod-running": (_nothing, _pod_running_check),
    "service-has-endpoints": (_nothing, _endpoints_check),
    "node-failed-and-replaced": (_nothing, _failed_check),
    "daemonset-on-new-node": (_nodes_begin, _daemonset_check),
    "same-name-again": (_same_name_begin, _same_name_check),
}


# ---- the endpoints ----------------------------------------------------------------------------------

@bp.get("/kubeplay/v1/scenarios")
def list_scenarios():
    return flask.jsonify({"scenarios": [{k: s.get(k) for k in ("id", "title", "goal", "hints")}
                                        for s in read_scenarios()]})


@bp.post("/kubeplay/v1/scenarios/<sid>/start")
def start(sid: str):
    s = _scenario(sid)
    results = []
    text = _setup_text(s.get("setup"))
    if text:
        try:
            results = apply_documents(current_cluster().store, text, NS)
        except Refusal as r:
            return flask.jsonify({"error": r.body}), r.code
    params = s["check"]
    return flask.jsonify({"memory": CHECKS[params["type"]][0](params), "results": results})


@bp.post("/kubeplay/v1/scenarios/<sid>/check")
def check(sid: str):
    s = _scenario(sid)
    body = flask.request.get_json(silent=True)
    memory = body.get("memory") if isinstance(body, dict) else None
    if not isinstance(memory, dict):
        raise errors.BadRequest('expected a JSON object {"memory": {...}}')
    params = s["check"]
    try:
        done, progress, memory = CHECKS[params["type"]][1](params, memory)
    except (TypeError, ValueError, AttributeError, KeyError):
        # The memory comes from the browser: one that is not what this check keeps is refused.
        raise errors.BadRequest(f"the memory is not what scenario {sid!r}'s check keeps: start it again") from None
    return flask.jsonify({"done": done, "progress": progress, "memory": memory})
