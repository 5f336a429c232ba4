"""Discovery and OpenAPI: what kubectl asks before it does anything.

Legacy discovery documents (/api, /apis, /api/v1, /apis/<g>/<v>) with shortNames and
categories, /version reporting v1.32, and a minimal OpenAPI v3 whose PATCH operations list the
`fieldValidation` parameter — enough for kubectl's apply/create/replace to use server-side
field validation (kubectl-wire.md §2–3). All generated from engine.resources."""
from __future__ import annotations

import hashlib
import json

from flask import Blueprint, Response, jsonify, request

from engine import resources as R

bp = Blueprint("discovery", __name__)

VERSION = {"major": "1", "minor": "32", "gitVersion": "v1.32.0-kubeplay",
           "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
           "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23.4", "compiler": "gc",
           "platform": "linux/amd64"}


def _resource_list(group: str, version: str) -> dict:
    gv = f"{group}/{version}" if group else version
    resources = []
    for rt in R.all_types():
        if (rt.group, rt.version) != (group, version):
            continue
        entry = {"name": rt.name, "singularName": rt.singular, "namespaced": rt.namespaced,
                 "kind": rt.kind, "verbs": list(R.VERBS)}
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
            elif sub == "ephemeralcontainers":
                resources.append({"name": f"{rt.name}/ephemeralcontainers", "singularName": "", "namespaced": True,
                                  "kind": "Pod", "verbs": ["get", "patch", "update"]})
            elif sub == "eviction":
                resources.append({"name": f"{rt.name}/eviction", "singularName": "", "namespaced": True,
                                  "group": "policy", "version": "v1", "kind": "Eviction", "verbs": ["create"]})
            elif sub == "binding":
                resources.append({"name": f"{rt.name}/binding", "singularName": "", "namespaced": True,
                                  "kind": "Binding", "verbs": ["create"]})
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
    groups = []
    for group, version in R.group_versions():
        if not group:
            continue
        gv = {"groupVersion": f"{group}/{version}", "version": version}
        groups.append({"name": group, "versions": [gv], "preferredVersion": gv})
    return jsonify({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})


@bp.get("/api/v1")
def core_resources():
    return jsonify(_resource_list("", "v1"))


@bp.get("/apis/<group>")
def api_group(group):
    for g, v in R.group_versions():
        if g == group:
            gv = {"groupVersion": f"{g}/{v}", "version": v}
            return jsonify({"kind": "APIGroup", "apiVersion": "v1", "name": g, "versions": [gv],
                            "preferredVersion": gv})
    return _not_found(request.path)


@bp.get("/apis/<group>/<version>")
def group_resources(group, version):
    if (group, version) not in R.group_versions():
        return _not_found(request.path)
    return jsonify(_resource_list(group, version))


# ---- OpenAPI ----------------------------------------------------------------------------------

def _gv_path(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def _openapi_doc(group: str, version: str) -> dict:
    paths = {}
    prefix = "/" + _gv_path(group, version)
    for rt in R.all_types():
        if (rt.group, rt.version) != (group, version):
            continue
        gvk = {"group": group, "version": version, "kind": rt.kind}
        params = [{"name": "fieldValidation", "in": "query", "schema": {"type": "string", "uniqueItems": True}},
                  {"name": "dryRun", "in": "query", "schema": {"type": "string", "uniqueItems": True}},
                  {"name": "fieldManager", "in": "query", "schema": {"type": "string", "uniqueItems": True}}]
        op = {"x-kubernetes-group-version-kind": gvk, "parameters": params,
              "responses": {"200": {"description": "OK"}}}
        item = f"{prefix}/namespaces/{{namespace}}/{rt.name}/{{name}}" if rt.namespaced else f"{prefix}/{rt.name}/{{name}}"
        coll = f"{prefix}/namespaces/{{namespace}}/{rt.name}" if rt.namespaced else f"{prefix}/{rt.name}"
        paths[item] = {"patch": dict(op, operationId=f"patch{rt.kind}"),
                       "put": dict(op, operationId=f"replace{rt.kind}")}
        paths[coll] = {"post": dict(op, operationId=f"create{rt.kind}")}
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": VERSION["gitVersion"]},
            "paths": paths, "components": {"schemas": {}}}


def _doc_hash(group: str, version: str) -> str:
    return hashlib.sha512(json.dumps(_openapi_doc(group, version), sort_keys=True).encode()).hexdigest()[:128].upper()


@bp.get("/openapi/v3")
def openapi_index():
    paths = {}
    for g, v in R.group_versions():
        p = _gv_path(g, v)
        paths[p] = {"serverRelativeURL": f"/openapi/v3/{p}?hash={_doc_hash(g, v)}"}
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
    if (group, version) not in R.group_versions():
        return _not_found(request.path)
    resp = jsonify(_openapi_doc(group, version))
    if request.args.get("hash"):
        resp.headers["Cache-Control"] = "public, immutable"   # content-addressed, as upstream
    return resp


@bp.get("/openapi/v2")
def openapi_v2():
    return _not_found(request.path)


def _not_found(path: str) -> Response:
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": "the server could not find the requested resource", "reason": "NotFound",
            "details": {}, "code": 404}
    return Response(json.dumps(body), status="404 Not Found", mimetype="application/json")
