"""The Kubernetes-shaped REST API over the engine store: one catch-all route per API root that
parses the path the way the apiserver does, then get/list/watch/create/update/patch/delete plus
the status, scale, log and binding subresources. Errors are raised as engine.errors.ApiError and
rendered once, as metav1.Status, by the app's error handler."""
from __future__ import annotations

import http
import json
import logging

from flask import Blueprint, Response, current_app, g, request

from engine import errors, objects as O, resources as R
from engine.selectors import selector_to_string

from .. import whoasked
from . import bodies, tables, watch

log = logging.getLogger("kubeplay.web")

bp = Blueprint("resources", __name__)

TABLE_MARK = "as=Table"
PATCH_TYPES = {"application/strategic-merge-patch+json": "strategic",
               "application/merge-patch+json": "merge",
               "application/json-patch+json": "json"}


def _cluster():
    return current_app.extensions["kubeplay"]


def status_line(code: int) -> str:
    """`404 Not Found`: Werkzeug would upper-case the phrase; Go's net/http does not."""
    try:
        return f"{code} {http.HTTPStatus(code).phrase}"
    except ValueError:
        return str(code)


def _json(obj, status=200) -> Response:
    return Response(json.dumps(obj, separators=(",", ":")), status=status_line(status),
                    mimetype="application/json")


class Target:
    """A parsed API path: resource type, namespace, name and subresource."""

    def __init__(self, rt, namespace, name, sub):
        self.rt, self.namespace, self.name, self.sub = rt, namespace, name, sub


def parse_path(group: str, version: str, segs: list[str]) -> Target:
    def rt_for(plural):
        rt = R.lookup(group, plural)
        if rt is None or rt.version != version:
            raise _no_resource()
        return rt
    n = len(segs)
    if n >= 3 and segs[0] == "namespaces" and segs[2] not in ("status", "finalize"):
        ns = segs[1]
        rt = rt_for(segs[2])
        if not rt.namespaced:
            raise _no_resource()
        if n == 3:
            return Target(rt, ns, None, None)
        if n == 4:
            return Target(rt, ns, segs[3], None)
        if n == 5:
            return Target(rt, ns, segs[3], segs[4])
        raise _no_resource()
    if n == 1:
        return Target(rt_for(segs[0]), None, None, None)
    if n in (2, 3):
        rt = rt_for(segs[0])
        if rt.namespaced:
            raise _no_resource()
        return Target(rt, None, segs[1], segs[2] if n == 3 else None)
    raise _no_resource()


def _no_resource():
    return errors.NoSuchResource("the server could not find the requested resource")


@bp.route("/api/<version>/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def core(version, rest):
    return dispatch("", version, rest)


@bp.route("/apis/<group>/<version>/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def grouped(group, version, rest):
    return dispatch(group, version, rest)


def dispatch(group, version, rest):
    t = parse_path(group, version, [s for s in rest.split("/") if s])
    if not whoasked.wants(t.rt, request.method, t.sub) or _dry_run():
        return _dispatch(t)
    # A learner's write: the reconcile log says who asked (webapp/whoasked.py).
    g.kubeplay_request_time = _cluster().clock.now()
    before = _cluster().store.try_get(t.rt, t.namespace or "", t.name) if t.name else None
    resp = _dispatch(t)
    if resp.status_code < 300:
        try:
            whoasked.api_write(_cluster(), request, t, before, resp.get_json(silent=True))
        except Exception:            # the log line is a courtesy: never fail a write that was made
            log.exception("recording who asked for %s %s failed", request.method, request.path)
    return resp


def _dispatch(t: Target):
    m = request.method
    if t.sub:
        return subresource(t, m)
    if t.name is None:
        if m == "GET":
            return watch_list(t) if _flag("watch") else list_(t)
        if m == "POST":
            return create(t)
        if m == "DELETE":
            return delete_collection(t)
        raise errors.MethodNotAllowed(f"the server does not allow this method on the requested resource")
    if m == "GET":
        if _flag("watch"):
            raise errors.MethodNotAllowed("watch of a single object: use fieldSelector=metadata.name")
        return get(t)
    if m == "PUT":
        return update(t)
    if m == "PATCH":
        return patch(t)
    if m == "DELETE":
        return delete(t)
    raise errors.MethodNotAllowed("the server does not allow this method on the requested resource")


# ---- helpers -----------------------------------------------------------------------------------

def _flag(name: str) -> bool:
    return request.args.get(name, "").lower() in ("1", "true")


def _wants_table() -> bool:
    return TABLE_MARK in (request.headers.get("Accept") or "")


def _dry_run() -> bool:
    return request.args.get("dryRun") == "All"


def _strict() -> bool:
    # kubectl sends fieldValidation=Strict by default; Ignore/Warn accept unknown fields.
    return request.args.get("fieldValidation", "Strict") == "Strict" and "fieldValidation" in request.args


def _body():
    raw = request.get_data(cache=False)
    return bodies.read_json_like(raw, request.headers.get("Content-Type"))


def _with_type(rt, obj):
    if isinstance(obj, dict):
        obj.setdefault("apiVersion", rt.api_version)
        obj.setdefault("kind", rt.kind)
    return obj


def _now():
    return _cluster().clock.now()


def _one(rt, obj, status=200):
    if _wants_table():
        return _json(tables.table(rt, [obj], now=_now(), resource_version=obj["metadata"].get("resourceVersion", ""),
                                  include_object=request.args.get("includeObject", "Metadata")), status)
    return _json(obj, status)


# ---- verbs -------------------------------------------------------------------------------------

def get(t: Target):
    return _one(t.rt, _cluster().store.get(t.rt, t.namespace, t.name))


def list_(t: Target):
    store = _cluster().store
    items, rv = store.list(t.rt, t.namespace, request.args.get("labelSelector"),
                           request.args.get("fieldSelector"))
    if _wants_table():
        return _json(tables.table(t.rt, items, now=_now(), resource_version=str(rv),
                                  include_object=request.args.get("includeObject", "Metadata")))
    return _json({"kind": f"{t.rt.kind}List", "apiVersion": t.rt.api_version,
                  "metadata": {"resourceVersion": str(rv)}, "items": items})


def watch_list(t: Target):
    try:
        timeout = float(request.args.get("timeoutSeconds") or 0)
    except ValueError:
        raise errors.BadRequest("timeoutSeconds must be a number")
    gen = watch.stream(_cluster(), t.rt, t.namespace,
                       label_selector=request.args.get("labelSelector"),
                       field_selector=request.args.get("fieldSelector"),
                       resource_version=request.args.get("resourceVersion"),
                       timeout_seconds=timeout, as_table=_wants_table(),
                       bookmarks=_flag("allowWatchBookmarks"),
                       stopping=current_app.extensions["kubeplay.stopping"])
    return Response(gen, status=status_line(200), mimetype="application/json", direct_passthrough=True)


def create(t: Target):
    obj = _with_type(t.rt, _body())
    if not isinstance(obj, dict):
        raise errors.BadRequest("the body of the request must be an object")
    if obj.get("kind") != t.rt.kind or obj.get("apiVersion") != t.rt.api_version:
        raise errors.BadRequest(
            f"the API version in the data ({obj.get('apiVersion')}) does not match the expected API version ({t.rt.api_version})"
            if obj.get("apiVersion") != t.rt.api_version else
            f'{obj.get("kind")} in version "{t.rt.version}" cannot be handled as a {t.rt.kind}: no kind "{obj.get("kind")}" is registered for the URL')
    if t.namespace:
        md = obj.setdefault("metadata", {})
        if isinstance(md, dict) and md.get("namespace") and md["namespace"] != t.namespace:
            raise errors.BadRequest("the namespace of the provided object does not match the namespace sent on the request")
        if isinstance(md, dict):
            md["namespace"] = t.namespace
    made = _cluster().store.create(obj, strict=_strict(), dry_run=_dry_run())
    return _json(made, 201)


def update(t: Target):
    obj = _with_type(t.rt, _body())
    if not isinstance(obj, dict):
        raise errors.BadRequest("the body of the request must be an object")
    md = obj.setdefault("metadata", {})
    if md.get("name") and md["name"] != t.name:
        raise errors.BadRequest(f"the name of the object ({md['name']}) does not match the name on the URL ({t.name})")
    md["name"] = t.name
    if t.namespace:
        md["namespace"] = t.namespace
    return _json(_cluster().store.update(obj, strict=_strict(), dry_run=_dry_run()))


def _patch_type():
    ct = (request.headers.get("Content-Type") or "").split(";")[0].strip()
    if ct == "application/apply-patch+yaml":
        raise errors.UnsupportedMediaType("server-side apply is not supported by kubeplay; use client-side `kubectl apply`")
    if ct not in PATCH_TYPES:
        raise errors.UnsupportedMediaType(f'the body of the request was in an unknown format - accepted media types include: {", ".join(PATCH_TYPES)}')
    return PATCH_TYPES[ct]


def patch(t: Target):
    ptype = _patch_type()
    body = bodies.read_json_like(request.get_data(cache=False), "application/json")
    return _json(_cluster().store.patch(t.rt, t.namespace, t.name, ptype, body, strict=_strict(),
                                        dry_run=_dry_run()))


def _delete_options():
    raw = request.get_data(cache=False)
    opts = {}
    if raw.strip():
        opts = bodies.read_json_like(raw, "application/json")
        if not isinstance(opts, dict):
            raise errors.BadRequest("DeleteOptions must be an object")
    grace = opts.get("gracePeriodSeconds", request.args.get("gracePeriodSeconds"))
    policy = opts.get("propagationPolicy") or request.args.get("propagationPolicy")
    if opts.get("orphanDependents") is True or request.args.get("orphanDependents") == "true":
        policy = "Orphan"
    if policy not in (None, "Background", "Foreground", "Orphan"):
        raise errors.BadRequest(f'propagationPolicy: Unsupported value: "{policy}"')
    if grace is not None:
        try:
            grace = int(grace)
        except (TypeError, ValueError):
            raise errors.BadRequest("gracePeriodSeconds must be an integer")
    dry = opts.get("dryRun") == ["All"] or _dry_run()
    return grace, policy, opts.get("preconditions"), dry


def delete(t: Target):
    grace, policy, pre, dry = _delete_options()
    store = _cluster().store
    result = store.delete(t.rt, t.namespace, t.name, grace_period_seconds=grace,
                          propagation_policy=policy, preconditions=pre, dry_run=dry)
    if O.is_terminating(result) or t.rt in (R.POD, R.SERVICE):
        return _json(result)
    return _json({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                  "details": {"name": t.name, "group": t.rt.group, "kind": t.rt.name,
                              "uid": O.uid_of(result)}})


def delete_collection(t: Target):
    grace, policy, _, dry = _delete_options()
    store = _cluster().store
    items, rv = store.list(t.rt, t.namespace, request.args.get("labelSelector"), request.args.get("fieldSelector"))
    out = []
    for obj in items:
        try:
            out.append(store.delete(t.rt, O.namespace_of(obj), O.name_of(obj), grace_period_seconds=grace,
                                    propagation_policy=policy, dry_run=dry))
        except errors.NotFound:
            pass
    return _json({"kind": f"{t.rt.kind}List", "apiVersion": t.rt.api_version,
                  "metadata": {"resourceVersion": str(store.resource_version)}, "items": out})


# ---- subresources --------------------------------------------------------------------------------

def subresource(t: Target, method: str):
    if t.sub not in t.rt.subresources and not (t.rt is R.NAMESPACE and t.sub == "finalize"):
        raise _no_resource()
    store = _cluster().store
    if t.sub == "status":
        if method == "GET":
            return _json(store.get(t.rt, t.namespace, t.name))
        if method == "PUT":
            obj = _with_type(t.rt, _body())
            obj.setdefault("metadata", {})["name"] = t.name
            if t.namespace:
                obj["metadata"]["namespace"] = t.namespace
            return _json(store.update(obj, subresource="status", dry_run=_dry_run()))
        if method == "PATCH":
            body = bodies.read_json_like(request.get_data(cache=False), "application/json")
            return _json(store.patch(t.rt, t.namespace, t.name, _patch_type(), body, subresource="status",
                                     dry_run=_dry_run()))
    if t.sub == "finalize" and method == "PUT":
        obj = _with_type(t.rt, _body())
        obj.setdefault("metadata", {})["name"] = t.name
        return _json(store.update(obj, subresource="finalize"))
    if t.sub == "scale":
        return scale(t, method)
    if t.sub == "log" and method == "GET":
        return pod_log(t)
    if t.sub == "binding" and method == "POST":
        return bind(t)
    if t.sub == "eviction" and method == "POST":
        return evict(t)
    raise errors.MethodNotAllowed("the server does not allow this method on the requested resource")


def _scale_of(obj: dict) -> dict:
    md = obj["metadata"]
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    sel = spec.get("selector")
    return {"kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": {"name": md["name"], "namespace": md.get("namespace"), "uid": md.get("uid"),
                         "resourceVersion": md.get("resourceVersion"),
                         "creationTimestamp": md.get("creationTimestamp")},
            "spec": {"replicas": spec.get("replicas", 0)},
            "status": {"replicas": status.get("replicas", 0), "selector": selector_to_string(sel)}}


def scale(t: Target, method: str):
    store = _cluster().store
    if method == "GET":
        return _json(_scale_of(store.get(t.rt, t.namespace, t.name)))
    if method == "PUT":
        body = _body()
    elif method == "PATCH":
        ptype = _patch_type()
        patch_body = bodies.read_json_like(request.get_data(cache=False), "application/json")
        from engine import patch as patching
        current = _scale_of(store.get(t.rt, t.namespace, t.name))
        body = patching.json_patch(current, patch_body) if ptype == "json" else patching.json_merge(current, patch_body)
    else:
        raise errors.MethodNotAllowed("the server does not allow this method on the requested resource")
    if not isinstance(body, dict):
        raise errors.BadRequest("the body of the request must be a Scale object")
    replicas = (body.get("spec") or {}).get("replicas")
    if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
        raise errors.Invalid("Scale", "autoscaling", t.name, [errors.invalid(
            "spec.replicas", replicas, "must be greater than or equal to 0")])
    rv = (body.get("metadata") or {}).get("resourceVersion")
    merge = {"spec": {"replicas": replicas}}
    if rv:
        merge["metadata"] = {"resourceVersion": rv}
    updated = store.patch(t.rt, t.namespace, t.name, "merge", merge, dry_run=_dry_run())
    return _json(_scale_of(updated))


def pod_log(t: Target):
    """pods/log: the simulated kubelet's container log (it raises the upstream errors for a
    missing or ambiguous container and for --previous without a previous run)."""
    text = _cluster().controller("kubelet").logs(t.namespace, t.name, request.args.get("container") or None,
                                                 previous=_flag("previous"), timestamps=_flag("timestamps"))
    tail = request.args.get("tailLines")
    if tail:
        try:
            n = int(tail)
        except ValueError:
            raise errors.BadRequest("tailLines must be an integer")
        text = "".join(text.splitlines(keepends=True)[-n:]) if n > 0 else ""
    return Response(text, status=status_line(200), mimetype="text/plain")


def bind(t: Target):
    body = _body()
    target = (body or {}).get("target") or {}
    node = target.get("name")
    if not node:
        raise errors.Invalid("Binding", "", t.name, [errors.required("target.name")])
    _cluster().store.bind(t.namespace, t.name, node)
    return _json({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}, 201)


def evict(t: Target):
    """pods/eviction (kubectl drain): with no PodDisruptionBudgets in the playground, an eviction
    is a graceful delete honouring the Eviction's deleteOptions."""
    body = _body()
    if not isinstance(body, dict) or body.get("kind") not in (None, "Eviction"):
        raise errors.BadRequest("the body of the request must be an Eviction")
    opts = body.get("deleteOptions") or {}
    grace = opts.get("gracePeriodSeconds")
    _cluster().store.delete(R.POD, t.namespace, t.name,
                            grace_period_seconds=grace if isinstance(grace, int) else None,
                            dry_run=opts.get("dryRun") == ["All"] or _dry_run())
    return _json({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}, 201)
