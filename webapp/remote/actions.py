"""The page's actions on a real cluster, each a request to its API and a line in the page's log.

The page calls the same paths as against the playground (webapp/static/js/api.js), and this
blueprint answers exactly those, by sending the request on to the cluster with the kubeconfig's
credentials — it is not a general proxy: anything else is 404, and every route needs the page's
header (X-Kubeplay-Request), so kubectl or another site cannot use the server as a way in.

- Apply (POST /kubeplay/v1/apply): server-side apply, field manager `kubeplay`, per document;
  `"preview": true` is the same apply with dryRun=All; a conflict (409) answers with the
  apiserver's text and `"conflict": true`, and `"force": true` applies again with force.
- Delete (POST /kubeplay/v1/delete), kill (DELETE a pod), scale (PATCH …/scale), rollout restart
  and undo (PATCH the Deployment), cordon/uncordon (PATCH the Node), delete node, drain (POST
  /kubeplay/v1/nodes/<name>/drain: cordon, then the Eviction API per pod, PDBs respected: a 429
  is reported per pod in the apiserver's words), logs (GET …/log, streamed).
- `--read-only`: every write is refused here with 403 and says why (the page also disables them).
What only a simulation can do (fail a node, the clock, the control plane's switches, scenarios,
the in-page kubectl, Shell) answers 400 with the reason: webapp/remote/app.py."""
from __future__ import annotations

import logging

import flask

from engine import resources as kinds
from webapp.guard import PAGE_HEADER
from webapp.kubectl.errors import render_status
from webapp.kubectl.manifests import MAX_BYTES, Refusal, parse_documents

from .connection import RemoteError
from .mirror import path_of

bp = flask.Blueprint("remote_actions", __name__)
log = logging.getLogger("kubeplay.remote")

FIELD_MANAGER = "kubeplay"
SCALABLE = {"deployments": kinds.DEPLOYMENT, "statefulsets": kinds.STATEFULSET, "replicasets": kinds.REPLICASET}


def _ext():
    from webapp.extension import current
    return current()


def _remote():
    return _ext().source.remote


def _log(message: str, key: str, action: str, refs: list[str] | None = None) -> None:
    """The page's log: what the learner asked of the cluster (not inferred: we sent it)."""
    _ext().source.decisions.record("kubeplay", key, action="request", message=message, refs=refs,
                                   inferred=False, requester="you (the page)")


def _status(code: int, message: str, reason: str) -> flask.Response:
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
            "reason": reason, "code": code}
    return flask.make_response(flask.jsonify(body), code)


@bp.before_request
def gate():
    if not flask.request.headers.get(PAGE_HEADER):
        return _status(403, f"kubeplay answers for a real cluster only to its page (the {PAGE_HEADER} header); "
                            "use kubectl with your own kubeconfig for the cluster itself", "Forbidden")
    if flask.request.method not in ("GET", "HEAD") and _remote().read_only:
        return _status(403, "kubeplay is serving this cluster with --read-only: no action is sent to it "
                            "(restart without --read-only to act on it)", "Forbidden")
    return None


@bp.errorhandler(RemoteError)
def remote_error(e: RemoteError):
    return flask.make_response(flask.jsonify(e.status), e.code or 502)


def _forward(method: str, path: str, *, body=None, content_type=None):
    out = _remote().request(method, path, body=body, content_type=content_type, query=list(flask.request.args.items()))
    return flask.jsonify(out)


# ---- single objects ------------------------------------------------------------------------------

@bp.delete("/api/v1/namespaces/<ns>/pods/<name>")
def kill_pod(ns, name):
    resp = _forward("DELETE", path_of(kinds.POD, ns, name))
    owner = _controller_key(kinds.POD, ns, name)
    _log(f"kill pod {ns}/{name}: DELETE sent to the cluster", f"{ns}/{name}", "kill",
         refs=[owner] if owner else None)
    return resp


@bp.patch("/api/v1/nodes/<name>")
def patch_node(name):
    body = flask.request.get_json(silent=True)
    resp = _forward("PATCH", path_of(kinds.NODE, None, name), body=body, content_type=flask.request.mimetype)
    cordon = ((body or {}).get("spec") or {}).get("unschedulable") if isinstance(body, dict) else None
    _log(f"{'cordon' if cordon else 'uncordon' if isinstance(body, dict) and 'spec' in body else 'patch'} node {name}: "
         "PATCH sent to the cluster", f"node:{name}", "cordon")
    return resp


@bp.delete("/api/v1/nodes/<name>")
def delete_node(name):
    resp = _forward("DELETE", path_of(kinds.NODE, None, name))
    _log(f"delete node {name}: DELETE sent to the cluster", f"node:{name}", "delete")
    return resp


@bp.patch("/apis/apps/v1/namespaces/<ns>/<plural>/<name>/scale")
def scale(ns, plural, name):
    rt = SCALABLE.get(plural)
    if rt is None:
        flask.abort(404)
    body = flask.request.get_json(silent=True)
    resp = _forward("PATCH", path_of(rt, ns, name) + "/scale", body=body, content_type=flask.request.mimetype)
    replicas = ((body or {}).get("spec") or {}).get("replicas") if isinstance(body, dict) else None
    _log(f"scale {rt.kind.lower()} {ns}/{name} to {replicas}: PATCH …/scale sent to the cluster", f"{ns}/{name}", "scale")
    return resp


@bp.patch("/apis/apps/v1/namespaces/<ns>/deployments/<name>")
def patch_deployment(ns, name):
    """Rollout restart (a template annotation) and rollout undo (the template of an older
    ReplicaSet, as a JSON patch), as the page sends them."""
    body = flask.request.get_json(silent=True)
    resp = _forward("PATCH", path_of(kinds.DEPLOYMENT, ns, name), body=body, content_type=flask.request.mimetype)
    what = "rollout undo" if isinstance(body, list) else "rollout restart"
    _log(f"{what} deployment {ns}/{name}: PATCH sent to the cluster", f"{ns}/{name}", "rollout")
    return resp


@bp.get("/api/v1/namespaces/<ns>/pods/<name>/log")
def logs(ns, name):
    """`kubectl logs [-f]`: the container's log, streamed through as the cluster sends it."""
    remote = _remote()
    query = [(k, v) for k, v in flask.request.args.items()
             if k in ("follow", "tailLines", "container", "previous", "timestamps", "sinceSeconds", "limitBytes")]
    follow = flask.request.args.get("follow") == "true"
    resp = remote.open_log(path_of(kinds.POD, ns, name) + "/log", query, follow)
    _log(f"logs of pod {ns}/{name}{' (following)' if follow else ''}: GET …/log sent to the cluster",
         f"{ns}/{name}", "logs")
    stopping = _ext().stopping

    def chunks():
        try:
            for chunk in resp.stream(4096, decode_content=True):
                if stopping.is_set():
                    break
                yield chunk
        finally:
            resp.release_conn()
    return flask.Response(flask.stream_with_context(chunks()), mimetype="text/plain")


def _controller_key(rt, ns, name) -> str | None:
    obj = _ext().source.get(rt.name, ns, name)
    for ref in ((obj or {}).get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return f"{ns}/{ref.get('name')}"
    return None


# ---- drain ----------------------------------------------------------------------------------------

@bp.post("/kubeplay/v1/nodes/<name>/drain")
def drain(name):
    """kubectl drain: cordon, then evict every pod on the node but DaemonSet pods and mirror pods,
    through the Eviction API, so PodDisruptionBudgets decide; a 429 leaves the pod and is listed
    under "blocked" with the apiserver's message and causes."""
    remote = _remote()
    remote.request("PATCH", path_of(kinds.NODE, None, name), body={"spec": {"unschedulable": True}},
                   content_type="application/merge-patch+json")
    pods = remote.request("GET", path_of(kinds.POD), query=[("fieldSelector", f"spec.nodeName={name}")])
    evicted, skipped, blocked = [], [], []
    for pod in pods.get("items") or []:
        md = pod.get("metadata") or {}
        ns, pname = md.get("namespace"), md.get("name")
        ref = next((r for r in md.get("ownerReferences") or [] if r.get("controller")), None)
        if "kubernetes.io/config.mirror" in (md.get("annotations") or {}):
            continue                      # a static pod's mirror: kubectl drain leaves it
        if ref and ref.get("kind") == "DaemonSet":
            skipped.append(f"{ns}/{pname}")
            continue
        if md.get("deletionTimestamp"):
            continue
        eviction = {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": pname, "namespace": ns}}
        try:
            remote.request("POST", path_of(kinds.POD, ns, pname) + "/eviction", body=eviction,
                           content_type="application/json")
        except RemoteError as e:
            if e.code == 404:
                continue
            blocked.append({"pod": f"{ns}/{pname}", "code": e.code, "message": e.message,
                            "causes": [c.get("message") for c in (e.status.get("details") or {}).get("causes") or ()]})
            continue
        evicted.append(f"{ns}/{pname}")
    text = f"drain node {name}: cordoned; {len(evicted)} evicted through the Eviction API"
    if blocked:
        text += f"; {len(blocked)} refused ({blocked[0]['message']})"
    _log(text, f"node:{name}", "drain")
    return flask.jsonify({"node": name, "evicted": evicted, "ignoredDaemonSetPods": skipped, "blocked": blocked})


# ---- the editor --------------------------------------------------------------------------------------

def _documents():
    if (flask.request.content_length or 0) > MAX_BYTES * 2:
        raise Refusal(413, {"message": f"the YAML is too large (limit {MAX_BYTES} bytes)", "line": None})
    body = flask.request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("yaml"), str):
        raise Refusal(400, {"message": 'expected a JSON body {"yaml": "...", "namespace": "default"}', "line": None})
    ns = body.get("namespace")
    if ns is not None and not isinstance(ns, str):
        raise Refusal(400, {"message": "namespace must be a string", "line": None})
    docs = []
    for doc in parse_documents(body["yaml"]):
        obj = doc.obj
        if not isinstance(obj, dict) or not isinstance(obj.get("kind"), str) or not isinstance(obj.get("apiVersion"), str):
            raise Refusal(400, {"message": "error: unable to decode: Object 'Kind' is missing or apiVersion is not set",
                                "line": doc.first_line, "document": doc.index})
        group = obj["apiVersion"].rpartition("/")[0]
        rt = kinds.BY_KIND.get((group, obj["kind"]))
        if rt is None:
            raise Refusal(400, {"message": f'error: resource mapping not found for kind "{obj["kind"]}" in version '
                                           f'"{obj["apiVersion"]}": kubeplay knows only the built-in kinds',
                                "line": doc.first_line, "document": doc.index})
        md = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        name = md.get("name")
        if not isinstance(name, str) or not name:
            raise Refusal(400, {"message": "error: resource name may not be empty", "line": doc.first_line,
                                "document": doc.index})
        # As kubectl: the document's namespace, else the kubeconfig context's (the page's own
        # "default" is the playground's and says nothing about this cluster).
        namespace = (md.get("namespace") or _remote().namespace) if rt.namespaced else None
        docs.append((doc, rt, obj, namespace, name))
    return body, docs


def _refused(e: RemoteError, doc, rt, name) -> Refusal:
    body = {"message": render_status(e.status), "line": doc.first_line, "document": doc.index,
            "status": e.status}
    if e.code == 409:
        body["conflict"] = True
        body["message"] += ("\n\nAnother field manager owns these fields. Apply with force to take them "
                            "over (kubectl apply --server-side --force-conflicts).")
    return Refusal(e.code or 502, body)


def _desired(obj: dict) -> dict:
    """What an apply can change: the object without status and the server's bookkeeping (a dry
    run answers with the unchanged resourceVersion, so that cannot tell)."""
    md = {k: v for k, v in (obj.get("metadata") or {}).items()
          if k not in ("managedFields", "resourceVersion", "generation", "creationTimestamp", "uid")}
    return {**{k: v for k, v in obj.items() if k not in ("status", "metadata")}, "metadata": md}


def _handle(work):
    try:
        return work()
    except Refusal as r:
        return flask.jsonify({"error": r.body}), r.code


@bp.post("/kubeplay/v1/apply")
def apply():
    def work():
        body, docs = _documents()
        preview = body.get("preview") is True
        force = body.get("force") is True
        remote = _remote()
        out = []
        for doc, rt, obj, ns, name in docs:
            query = [("fieldManager", FIELD_MANAGER)]
            if force:
                query.append(("force", "true"))
            if preview:
                query.append(("dryRun", "All"))
            existing = None
            try:
                existing = remote.request("GET", path_of(rt, ns, name))
            except RemoteError as e:
                if e.code != 404:
                    raise _refused(e, doc, rt, name) from None
            send = dict(obj)
            if rt.namespaced:
                send["metadata"] = dict(send.get("metadata") or {}, namespace=ns)
            try:
                result = remote.request("PATCH", path_of(rt, ns, name), query=query, body=send,
                                        content_type="application/apply-patch+yaml")
            except RemoteError as e:
                raise _refused(e, doc, rt, name) from None
            action = "created" if existing is None else ("unchanged" if _desired(existing) == _desired(result)
                                                         else "configured")
            item = {"kind": rt.kind, "name": name, "namespace": ns, "action": action,
                    "text": f"{rt.singular}{'.' + rt.group if rt.group else ''}/{name} serverside-applied"}
            out.append(item)
        if preview:
            return flask.jsonify({"preview": out})
        for item in out:
            where = f"{item['namespace']}/{item['name']}" if item["namespace"] else item["name"]
            _log(f"apply {item['kind'].lower()} {where}: server-side apply (field manager {FIELD_MANAGER}"
                 f"{', forced' if force else ''}): {item['action']}", where, "apply")
        return flask.jsonify({"results": out})
    return _handle(work)


@bp.post("/kubeplay/v1/delete")
def delete():
    def work():
        _, docs = _documents()
        remote = _remote()
        out = []
        for doc, rt, _obj, ns, name in docs:
            item = {"kind": rt.kind, "name": name, "namespace": ns}
            try:
                remote.request("DELETE", path_of(rt, ns, name))
                item["action"] = "deleted"
            except RemoteError as e:
                if e.code != 404:
                    raise _refused(e, doc, rt, name) from None
                item["action"] = "notfound"
            item["text"] = f'{rt.singular}{"." + rt.group if rt.group else ""} "{name}" {item["action"]}'
            where = f"{ns}/{name}" if ns else name
            _log(f"delete {rt.kind.lower()} {where}: {item['action']}", where, "delete")
            out.append(item)
        return flask.jsonify({"results": out})
    return _handle(work)
