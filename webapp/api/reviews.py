"""Who am I and what may I do: the create-only review resources kubectl's `auth` commands post.

* authentication.k8s.io/v1 selfsubjectreviews (`kubectl auth whoami`),
* authorization.k8s.io/v1 selfsubjectaccessreviews (`kubectl auth can-i VERB RESOURCE`),
* authorization.k8s.io/v1 selfsubjectrulesreviews (`kubectl auth can-i --list`),
* authorization.k8s.io/v1 subjectaccessreviews and namespaced localsubjectaccessreviews: the same
  question for the user, groups, uid and extra the spec names (what webhooks, aggregated servers and
  controllers ask; `kubectl auth can-i --as` impersonates and posts a SelfSubjectAccessReview).

They answer for the request's user (webapp/api/authz.py: the kubeconfig's `kubernetes-admin` in
`kubeadm:cluster-admins`, a ServiceAccount's token, or whoever `--as` impersonates) from the stored
RBAC rules (engine rbac: the authorizer's decisions and reasons, RulesFor's rules). Nothing is
stored, as upstream (pkg/registry/authorization, pkg/registry/authentication). Bodies are decoded
and validated as the apiserver does; bad ones get a Status 4xx."""
from __future__ import annotations

import json

from flask import Blueprint, Response, request

from engine import RenderedFieldError, errors, go_quote, objects, rbac, schema
from webapp.extension import current_cluster

from . import bodies
from .authz import current_user
from .resources import status_line

bp = Blueprint("reviews", __name__)

# (group, version, plural, kind): what discovery lists; all are cluster-scoped and create-only.
RESOURCES = [
    ("authentication.k8s.io", "v1", "selfsubjectreviews", "SelfSubjectReview"),
    ("authorization.k8s.io", "v1", "selfsubjectaccessreviews", "SelfSubjectAccessReview"),
    ("authorization.k8s.io", "v1", "selfsubjectrulesreviews", "SelfSubjectRulesReview"),
    ("authorization.k8s.io", "v1", "subjectaccessreviews", "SubjectAccessReview"),
    ("authorization.k8s.io", "v1", "localsubjectaccessreviews", "LocalSubjectAccessReview"),
]
NAMESPACED = {"localsubjectaccessreviews"}


def collection_path(prefix: str, plural: str) -> str:
    """Where a review is posted: under the namespace for the namespaced one."""
    return f"{prefix}/namespaces/{{namespace}}/{plural}" if plural in NAMESPACED else f"{prefix}/{plural}"

def discovery_resources(group: str, version: str) -> list[dict]:
    """APIResource entries for discovery of one group-version (empty if it holds none of these)."""
    return [{"name": plural, "singularName": plural[:-1], "namespaced": plural in NAMESPACED, "kind": kind,
             "verbs": ["create"]}
            for g, v, plural, kind in RESOURCES if (g, v) == (group, version)]


def group_versions() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for g, v, _, _ in RESOURCES:
        if (g, v) not in out:
            out.append((g, v))
    return out


def _json(obj: dict, code: int = 201) -> Response:
    return Response(json.dumps(obj, separators=(",", ":")), status=status_line(code), mimetype="application/json")


def _read(group: str, version: str, kind: str) -> dict:
    """The request body decoded as the apiserver's create handler does: type errors and (with
    fieldValidation=Strict) unknown fields are a 400."""
    obj = bodies.read_json_like(request.get_data(cache=False), request.headers.get("Content-Type"))
    if not isinstance(obj, dict):
        raise errors.BadRequest("the body of the request must be an object")
    api_version = f"{group}/{version}"
    obj.setdefault("apiVersion", api_version)
    obj.setdefault("kind", kind)
    if obj.get("apiVersion") != api_version:
        raise errors.BadRequest(f"the API version in the data ({obj.get('apiVersion')}) does not match "
                                f"the expected API version ({api_version})")
    if obj.get("kind") != kind:
        raise errors.BadRequest(f'{obj.get("kind")} in version "{version}" cannot be handled as a {kind}: '
                                f'no kind "{obj.get("kind")}" is registered for the URL')
    err, unknown = schema.scan_as(obj, api_version, kind)
    prefix = f'{kind} in version "{version}" cannot be handled as a {kind}: '
    if err:
        raise errors.BadRequest(prefix + err)
    if unknown and request.args.get("fieldValidation") == "Strict":
        raise errors.BadRequest(prefix + "strict decoding error: "
                                + ", ".join(f'unknown field "{p}"' for p in unknown))
    return obj


def _now() -> str:
    return objects.iso(current_cluster().clock.now())


@bp.post("/apis/authentication.k8s.io/v1/selfsubjectreviews")
def self_subject_review():
    _read("authentication.k8s.io", "v1", "SelfSubjectReview")
    user = current_user()
    info: dict = {"username": user.name}
    if user.uid:
        info["uid"] = user.uid
    info["groups"] = list(user.groups)
    # pkg/registry/authentication/selfsubjectreview: a new object, stamped now, nothing kept
    return _json({"kind": "SelfSubjectReview", "apiVersion": "authentication.k8s.io/v1",
                  "metadata": {"creationTimestamp": _now()}, "status": {"userInfo": info}})


@bp.post("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")
def self_subject_access_review():
    obj = _read("authorization.k8s.io", "v1", "SelfSubjectAccessReview")
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    problems = _validate_access_review(obj, spec)
    if problems:
        raise errors.Invalid("SelfSubjectAccessReview", "authorization.k8s.io", "", problems)
    md = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    # the registry echoes the review with its status filled in
    return _json({"kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
                  "metadata": {**md, "creationTimestamp": md.get("creationTimestamp")},
                  "spec": spec, "status": _decide(current_user(), spec)})


@bp.post("/apis/authorization.k8s.io/v1/subjectaccessreviews")
def subject_access_review():
    obj = _read("authorization.k8s.io", "v1", "SubjectAccessReview")
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    problems = _validate_access_review(obj, spec) + _validate_subject(spec)
    if problems:
        raise errors.Invalid("SubjectAccessReview", "authorization.k8s.io", "", problems)
    return _json({"kind": "SubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
                  "metadata": {"creationTimestamp": None}, "spec": spec, "status": _decide(_subject(spec), spec)})


@bp.post("/apis/authorization.k8s.io/v1/namespaces/<namespace>/localsubjectaccessreviews")
def local_subject_access_review(namespace: str):
    obj = _read("authorization.k8s.io", "v1", "LocalSubjectAccessReview")
    md = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    # the create handler: the object takes the URL's namespace, or must already name it
    if md.get("namespace") and md["namespace"] != namespace:
        raise errors.BadRequest("the namespace of the provided object does not match the namespace sent on the request")
    md = {**md, "namespace": namespace}
    obj["metadata"] = md
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    problems = _validate_access_review(obj, spec, except_namespace=True) + _validate_subject(spec)
    res, nonres = spec.get("resourceAttributes"), spec.get("nonResourceAttributes")
    if isinstance(res, dict) and (res.get("namespace") or "") != namespace:
        problems.append(RenderedFieldError("spec.resourceAttributes.namespace", "Invalid value", res.get("namespace") or "",
                                           "must match metadata.namespace", True, go_quote(str(res.get("namespace") or ""))))
    if nonres is not None:
        problems.append(RenderedFieldError("spec.nonResourceAttributes", "Invalid value", nonres,
                                           "disallowed on this kind of request", True, _non_resource_struct(nonres)))
    if problems:
        raise errors.Invalid("LocalSubjectAccessReview", "authorization.k8s.io", "", problems)
    return _json({"kind": "LocalSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
                  "metadata": {"namespace": namespace, "creationTimestamp": None}, "spec": spec,
                  "status": _decide(_subject(spec), spec)})


def _subject(spec: dict) -> rbac.User:
    """AuthorizationAttributesFrom's user: exactly the spec's user, groups, uid and extra — no
    system:authenticated added, as the apiserver adds none."""
    groups = spec.get("groups") if isinstance(spec.get("groups"), list) else []
    extra = spec.get("extra") if isinstance(spec.get("extra"), dict) else {}
    return rbac.User(str(spec.get("user") or ""), tuple(str(g) for g in groups), str(spec.get("uid") or ""), dict(extra))


def _validate_subject(spec: dict) -> list:
    if not spec.get("user") and not spec.get("groups"):
        return [RenderedFieldError("spec.user", "Invalid value", "", "at least one of user or group must be specified",
                                   True, '""')]
    return []


def _non_resource_struct(nonres) -> str:
    if not isinstance(nonres, dict):
        return '"null"'
    return "&" + _go_struct("authorization.NonResourceAttributes", nonres, [("Path", "path"), ("Verb", "verb")])


def _decide(user: rbac.User, spec: dict) -> dict:
    """The authorizer's answer for a review's attributes (ResourceAttributesFrom /
    NonResourceAttributesFrom): allowed with the RBAC reason, or not allowed (RBAC gives none)."""
    res, nonres = spec.get("resourceAttributes"), spec.get("nonResourceAttributes")
    if isinstance(res, dict):
        attrs = rbac.Attributes(user=user, verb=str(res.get("verb") or ""), resource=str(res.get("resource") or ""),
                                subresource=str(res.get("subresource") or ""), name=str(res.get("name") or ""),
                                namespace=str(res.get("namespace") or ""), api_group=str(res.get("group") or ""),
                                api_version=str(res.get("version") or ""))
    else:
        nonres = nonres if isinstance(nonres, dict) else {}
        attrs = rbac.Attributes(user=user, verb=str(nonres.get("verb") or ""), path=str(nonres.get("path") or ""),
                                resource_request=False)
    allowed, reason = rbac.authorize(current_cluster().store, attrs)
    return {"allowed": True, "reason": reason} if allowed else {"allowed": False}


@bp.post("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
def self_subject_rules_review():
    obj = _read("authorization.k8s.io", "v1", "SelfSubjectRulesReview")
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    if not spec.get("namespace"):
        raise errors.BadRequest("no namespace on request")
    # RulesFor(user, namespace), split as ConvertToResourceRules does
    rules, problems = rbac.rules_for(current_cluster().store, current_user(), str(spec["namespace"]))
    resource_rules, non_resource_rules = [], []
    for r in rules:
        if r.get("nonResourceURLs"):
            non_resource_rules.append({"verbs": list(r.get("verbs") or []),
                                       "nonResourceURLs": list(r["nonResourceURLs"])})
        else:
            out = {"verbs": list(r.get("verbs") or []), "apiGroups": list(r.get("apiGroups") or []),
                   "resources": list(r.get("resources") or [])}
            if r.get("resourceNames"):
                out["resourceNames"] = list(r["resourceNames"])
            resource_rules.append(out)
    status: dict = {"resourceRules": resource_rules, "nonResourceRules": non_resource_rules,
                    "incomplete": bool(problems)}
    if problems:
        status["evaluationError"] = "[" + ", ".join(problems) + "]"
    return _json({"kind": "SelfSubjectRulesReview", "apiVersion": "authorization.k8s.io/v1",
                  "metadata": {"creationTimestamp": None}, "spec": {}, "status": status})


# ---- validation (pkg/apis/authorization/validation) ------------------------------------------


def _validate_access_review(obj: dict, spec: dict, except_namespace: bool = False) -> list:
    out = []
    res, nonres = spec.get("resourceAttributes"), spec.get("nonResourceAttributes")
    if res is not None and nonres is not None:
        out.append(RenderedFieldError("spec.nonResourceAttributes", "Invalid value", nonres,
                                      "cannot be specified in combination with resourceAttributes", True,
                                      _go_struct("authorization.NonResourceAttributes", nonres,
                                                 [("Path", "path"), ("Verb", "verb")])))
    if res is None and nonres is None:
        out.append(RenderedFieldError("spec.resourceAttributes", "Invalid value", None,
                                      "exactly one of nonResourceAttributes or resourceAttributes must be specified",
                                      True, '"null"'))
    if isinstance(res, dict):
        for sel in ("fieldSelector", "labelSelector"):
            out += _validate_selector(res.get(sel), f"spec.resourceAttributes.{sel}")
    md = obj.get("metadata")
    ignored = ("managedFields", "namespace") if except_namespace else ("managedFields",)
    if isinstance(md, dict) and any(v not in (None, "", {}, []) for k, v in md.items() if k not in ignored):
        out.append(RenderedFieldError("metadata", "Invalid value", md,
                                      "must be empty except for namespace" if except_namespace else "must be empty",
                                      True, _go_object_meta(md)))
    return out


def _validate_selector(sel, path: str) -> list:
    if not isinstance(sel, dict):
        return []
    raw, reqs = sel.get("rawSelector") or "", sel.get("requirements") or []
    out = []
    if raw and reqs:
        out.append(RenderedFieldError(f"{path}.rawSelector", "Invalid value", raw,
                                      "may not specified at the same time as requirements", True, go_quote(raw)))
    if not raw and not reqs:
        out.append(errors.required(f"{path}.requirements",
                                   f"when {path} is specified, requirements or rawSelector is required"))
    return out


def _go_struct(type_name: str, value: dict, fields: list[tuple[str, str]]) -> str:
    """Go's %#v of a struct of string fields, as field.Invalid prints a struct value."""
    return type_name + "{" + ", ".join(f"{go}:{go_quote(str(value.get(js) or ''))}" for go, js in fields) + "}"


def _go_object_meta(md: dict) -> str:
    """%#v of a metav1.ObjectMeta holding what a review's metadata usually carries."""
    def strs(key):
        return go_quote(str(md.get(key) or ""))

    def str_map(key):
        v = md.get(key)
        if not isinstance(v, dict):
            return "map[string]string(nil)"
        return "map[string]string{" + ", ".join(f"{go_quote(str(k))}:{go_quote(str(v[k]))}" for k in sorted(v)) + "}"

    fin = md.get("finalizers")
    finalizers = ("[]string{" + ", ".join(go_quote(str(f)) for f in fin) + "}") if isinstance(fin, list) else "[]string(nil)"
    gen = md.get("generation")
    return ("v1.ObjectMeta{"
            f"Name:{strs('name')}, GenerateName:{strs('generateName')}, Namespace:{strs('namespace')}, "
            f"SelfLink:{strs('selfLink')}, UID:{strs('uid')}, ResourceVersion:{strs('resourceVersion')}, "
            f"Generation:{gen if isinstance(gen, int) else 0}, "
            "CreationTimestamp:time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC), DeletionTimestamp:<nil>, "
            "DeletionGracePeriodSeconds:(*int64)(nil), "
            f"Labels:{str_map('labels')}, Annotations:{str_map('annotations')}, "
            f"OwnerReferences:[]v1.OwnerReference(nil), Finalizers:{finalizers}, "
            "ManagedFields:[]v1.ManagedFieldsEntry(nil)}")
