"""Discovery and OpenAPI: what kubectl asks before it does anything.

Legacy discovery documents (/api, /apis, /api/v1, /apis/<g>/<v>) with shortNames and
categories, /version reporting v1.32, and OpenAPI v3 as kube-apiserver serves it: an index of
group-versions (serverRelativeURL with a content hash) and one document per group-version whose
components.schemas are upstream v1.32's (engine/admission/schema.py's generated data: field
descriptions for `kubectl explain`, x-kubernetes-group-version-kind, patch strategies) and whose
PATCH operations list the `fieldValidation` parameter, which kubectl's apply/create/replace look
for before using server-side field validation (kubectl-wire.md §2–3), and OpenAPI v2 (Swagger
2.0, JSON or gnostic protobuf: openapi_v2.py) from the same schemas, which kubectl validates
`kind: List` files with. Served kinds come from engine.resources, the create-only review kinds
from reviews.py."""
from __future__ import annotations

import functools
import hashlib
import json
from datetime import datetime, timezone

from flask import Blueprint, Response, jsonify, request

from engine import resources as kinds
from engine import schema

from . import metrics, openapi_custom, reviews, versions
from . import openapi_v2 as openapi_v2_doc

_STARTED = datetime.now(timezone.utc).replace(microsecond=0)   # Last-Modified of /openapi/v2

bp = Blueprint("discovery", __name__)
bp.register_blueprint(reviews.bp)
bp.register_blueprint(metrics.bp)


def _group_versions() -> list[tuple[str, str]]:
    """Served group-versions, the review groups placed after apps as kube-apiserver orders them."""
    out = list(kinds.group_versions())
    at = out.index(("apps", "v1")) + 1 if ("apps", "v1") in out else len(out)
    for gv in reviews.group_versions():
        if gv not in out:
            out.insert(at, gv)
            at += 1
    # autoscaling follows authorization, its stored version first, then those served by conversion
    autoscaling = [gv for gv in out if gv[0] == "autoscaling"] + \
        [gv for gv in versions.group_versions() if gv[0] == "autoscaling"]
    if autoscaling:
        out = [gv for gv in out if gv[0] != "autoscaling"]
        at = max((i + 1 for i, gv in enumerate(out) if gv[0] in ("apps", "authorization.k8s.io")), default=len(out))
        out[at:at] = autoscaling
    out += [gv for gv in versions.custom_group_versions() if gv not in out]    # CRDs' other versions
    out = versions.order_custom(out)
    # Aggregated APIs (metrics-server's) come last, as the aggregator lists them.
    return out + [gv for gv in metrics.group_versions() if gv not in out]

VERSION = {"major": "1", "minor": "32", "gitVersion": "v1.32.0-kubeplay",
           "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
           "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23.4", "compiler": "gc",
           "platform": "linux/amd64"}


def _resource_list(group: str, version: str) -> dict:
    gv = f"{group}/{version}" if group else version
    resources = []
    for rt in kinds.all_types():
        if (rt.group, rt.version) != (group, version) or not versions.served_at(rt, version):
            continue
        entry = {"name": rt.name, "singularName": rt.singular, "namespaced": rt.namespaced,
                 "kind": rt.kind, "verbs": list(kinds.VERBS)}
        if rt.short_names:
            entry["shortNames"] = list(rt.short_names)
        if rt.categories:
            entry["categories"] = list(rt.categories)
        resources.append(entry)
        for sub in rt.subresources:
            if sub == "scale":
                resources.append({"name": f"{rt.name}/scale", "singularName": "", "namespaced": rt.namespaced,
                                  "group": "autoscaling", "version": "v1", "kind": "Scale",
                                  "verbs": ["get", "patch", "update"]})
            elif sub == "status":
                resources.append({"name": f"{rt.name}/status", "singularName": "", "namespaced": rt.namespaced,
                                  "kind": rt.kind, "verbs": ["get", "patch", "update"]})
            elif sub == "log":
                resources.append({"name": f"{rt.name}/log", "singularName": "", "namespaced": True,
                                  "kind": "Pod", "verbs": ["get"]})
            elif sub in ("exec", "attach"):
                resources.append({"name": f"{rt.name}/{sub}", "singularName": "", "namespaced": True,
                                  "kind": "PodExecOptions" if sub == "exec" else "PodAttachOptions",
                                  "verbs": ["create", "get"]})
            elif sub == "portforward":
                resources.append({"name": f"{rt.name}/portforward", "singularName": "", "namespaced": True,
                                  "kind": "PodPortForwardOptions", "verbs": ["create", "get"]})
            elif sub == "ephemeralcontainers":
                resources.append({"name": f"{rt.name}/ephemeralcontainers", "singularName": "", "namespaced": True,
                                  "kind": "Pod", "verbs": ["get", "patch", "update"]})
            elif sub == "eviction":
                resources.append({"name": f"{rt.name}/eviction", "singularName": "", "namespaced": True,
                                  "group": "policy", "version": "v1", "kind": "Eviction", "verbs": ["create"]})
            elif sub == "token":
                resources.append({"name": f"{rt.name}/token", "singularName": "", "namespaced": True,
                                  "group": "authentication.k8s.io", "version": "v1", "kind": "TokenRequest",
                                  "verbs": ["create"]})
            elif sub == "binding":
                resources.append({"name": f"{rt.name}/binding", "singularName": "", "namespaced": True,
                                  "kind": "Binding", "verbs": ["create"]})
    for view in versions.views_in(group, version):
        rt = view.rt
        resources.append({"name": rt.name, "singularName": rt.singular, "namespaced": rt.namespaced,
                          "kind": rt.kind, "verbs": list(kinds.VERBS), "shortNames": list(rt.short_names),
                          "categories": list(rt.categories)})
        resources.append({"name": f"{rt.name}/status", "singularName": "", "namespaced": rt.namespaced,
                          "kind": rt.kind, "verbs": ["get", "patch", "update"]})
    resources += reviews.discovery_resources(group, version) + metrics.discovery_resources(group, version)
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}


@bp.get("/version")
def version():
    return jsonify(VERSION)


@bp.get("/api")
def api_versions():
    host = request.host
    return jsonify({"kind": "APIVersions", "versions": ["v1"],
                    "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": host}]})


@bp.get("/apis")
def api_groups():
    groups: dict[str, dict] = {}
    for group, version in _group_versions():
        if not group:
            continue
        gv = {"groupVersion": f"{group}/{version}", "version": version}
        if group in groups:                      # a second version: the first stays preferred
            groups[group]["versions"].append(gv)
        else:
            groups[group] = {"name": group, "versions": [gv], "preferredVersion": gv}
    return jsonify({"kind": "APIGroupList", "apiVersion": "v1", "groups": list(groups.values())})


@bp.get("/api/v1")
def core_resources():
    return jsonify(_resource_list("", "v1"))


@bp.get("/apis/<group>")
def api_group(group):
    served = [{"groupVersion": f"{g}/{v}", "version": v} for g, v in _group_versions() if g == group]
    if served:
        return jsonify({"kind": "APIGroup", "apiVersion": "v1", "name": group, "versions": served,
                        "preferredVersion": served[0]})
    return _not_found(request.path)


@bp.get("/apis/<group>/<version>")
def group_resources(group, version):
    if (group, version) not in _group_versions():
        return _not_found(request.path)
    return jsonify(_resource_list(group, version))


# ---- OpenAPI ----------------------------------------------------------------------------------

def _gv_path(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


_PARAMS = [{"name": "fieldValidation", "in": "query", "schema": {"type": "string", "uniqueItems": True}},
           {"name": "dryRun", "in": "query", "schema": {"type": "string", "uniqueItems": True}},
           {"name": "fieldManager", "in": "query", "schema": {"type": "string", "uniqueItems": True}}]


def _ref(defname: str) -> dict:
    return {"$ref": "#/components/schemas/" + defname}


def _body(defname: str | None) -> dict:
    if defname is None:
        return {"description": "OK"}
    return {"description": "OK", "content": {"application/json": {"schema": _ref(defname)}}}


def _closure(roots: list[str]) -> dict[str, dict]:
    """The schemas the roots reach through $ref, as a per-group-version document holds them."""
    schemas = dict(schema.openapi_schemas(), **openapi_custom.schemas())
    out: dict[str, dict] = {}
    todo = [r for r in roots if r in schemas]
    while todo:
        name = todo.pop()
        if name in out:
            continue
        out[name] = schemas[name]
        todo.extend(_refs(schemas[name]))
    return dict(sorted(out.items()))


def _refs(node) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"].rpartition("/")[2]] if isinstance(node.get("$ref"), str) else []
        for v in node.values():
            found += _refs(v)
        return found
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def _openapi_bytes(group: str, version: str) -> tuple[bytes, str]:
    """One group-version's OpenAPI v3 document and its hash (rebuilt when a CRD changes)."""
    return _openapi_bytes_at(group, version, openapi_custom.stamp())


@functools.lru_cache(maxsize=512)
def _openapi_bytes_at(group: str, version: str, _custom: tuple) -> tuple[bytes, str]:
    defs = {(g, v, k): d for g, v, k, d in schema.openapi_kinds()}
    defs.update({(rt.group, version, rt.kind): name for rt, name in openapi_custom.in_group_version(group, version)})
    paths, roots = {}, []
    prefix = "/" + _gv_path(group, version)
    served = [rt for rt in kinds.all_types() if (rt.group, rt.version) == (group, version)]
    served += [view.rt for view in versions.views_in(group, version)]      # by conversion
    for rt in served:
        defname = defs.get((group, version, rt.kind))
        if defname:
            roots.append(defname)
        gvk = {"group": group, "version": version, "kind": rt.kind}
        op = {"x-kubernetes-group-version-kind": gvk, "parameters": _PARAMS, "responses": {"200": _body(defname)}}
        if defname:
            op["requestBody"] = {"content": {"*/*": {"schema": _ref(defname)}}, "required": True}
        item = f"{prefix}/namespaces/{{namespace}}/{rt.name}/{{name}}" if rt.namespaced else f"{prefix}/{rt.name}/{{name}}"
        coll = f"{prefix}/namespaces/{{namespace}}/{rt.name}" if rt.namespaced else f"{prefix}/{rt.name}"
        paths[item] = {"patch": dict(op, operationId=f"patch{rt.kind}"),
                       "put": dict(op, operationId=f"replace{rt.kind}")}
        paths[coll] = {"post": dict(op, operationId=f"create{rt.kind}")}
    for g, v, plural, kind in reviews.RESOURCES:
        if (g, v) != (group, version):
            continue
        defname = defs.get((g, v, kind))
        roots.append(defname)
        op = {"x-kubernetes-group-version-kind": {"group": g, "version": v, "kind": kind},
              "x-kubernetes-action": "post", "operationId": f"create{kind}", "parameters": _PARAMS,
              "requestBody": {"content": {"*/*": {"schema": _ref(defname)}}, "required": True},
              "responses": {"201": _body(defname)}}
        paths[reviews.collection_path(prefix, plural)] = {"post": op}
    doc = {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.32.0"},
           "paths": paths,
           "components": {"schemas": _closure(roots),
                          "securitySchemes": {"BearerToken": {"type": "apiKey", "description": "Bearer Token authentication",
                                                              "name": "authorization", "in": "header"}}}}
    raw = json.dumps(doc, separators=(",", ":"), sort_keys=True).encode()
    return raw, hashlib.sha512(raw).hexdigest()[:128].upper()


@bp.get("/openapi/v3")
def openapi_index():
    paths = {}
    for g, v in _group_versions():
        p = _gv_path(g, v)
        paths[p] = {"serverRelativeURL": f"/openapi/v3/{p}?hash={_openapi_bytes(g, v)[1]}"}
    return jsonify({"paths": paths})


@bp.get("/openapi/v3/<path:gv>")
def openapi_gv(gv):
    parts = gv.split("/")
    if parts[0] == "api" and len(parts) == 2:
        group, version = "", parts[1]
    elif parts[0] == "apis" and len(parts) == 3:
        group, version = parts[1], parts[2]
    else:
        return _not_found(request.path)
    if (group, version) not in _group_versions():
        return _not_found(request.path)
    raw, digest = _openapi_bytes(group, version)
    resp = Response(raw, mimetype="application/json")
    resp.headers["Etag"] = f'"{digest}"'
    if request.args.get("hash"):
        resp.headers["Cache-Control"] = "public, immutable"   # content-addressed, as upstream
    else:
        resp.headers["Cache-Control"] = "no-cache, private"
    return resp


@bp.get("/openapi/v2")
def openapi_v2():
    """Swagger 2.0, JSON or gnostic protobuf by Accept (openapi_v2.py), gzipped when the client
    takes gzip; 406 with no body for anything else and 304 for a matching If-None-Match, as
    kube-openapi's handler answers."""
    vary = [("Vary", "Accept"), ("Vary", "Accept-Encoding")]
    answer = openapi_v2_doc.negotiate(request.headers.get("Accept"))
    if answer is None:
        return Response(b"", status=406, headers=vary)
    _, digest = openapi_v2_doc.served()
    body = answer.body
    resp = Response(headers=vary + [("Cache-Control", "no-cache, private")], content_type=answer.content_type)
    if openapi_v2_doc.accepts_gzip(request.headers.get("Accept-Encoding")):
        body, digest = answer.gzipped, digest + "-gzip"
        resp.headers["Content-Encoding"] = "gzip"
    resp.set_data(body)
    resp.set_etag(digest)
    resp.last_modified = _STARTED
    return resp.make_conditional(request)


def _not_found(path: str) -> Response:
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": "the server could not find the requested resource", "reason": "NotFound",
            "details": {}, "code": 404}
    return Response(json.dumps(body), status="404 Not Found", mimetype="application/json")
