"""Who is asking, and may they: the apiserver's authentication, impersonation and RBAC
authorization filters in front of the Kubernetes API (k8s.io/apiserver pkg/endpoints/filters,
pkg/endpoints/request/requestinfo.go), and the RBAC registry's escalation check on writes of
Roles and bindings (k/k pkg/registry/rbac/*/policybased).

Authentication:
* no bearer token, or the server's own `--token` (webapp/auth.py): the kubeconfig's user, the
  client certificate kind hands out — `kubernetes-admin` in `kubeadm:cluster-admins`. The page's
  requests are this user too;
* a ServiceAccount token (TokenRequest, a token Secret's, the one mounted in a pod):
  `system:serviceaccount:NS:NAME` in system:serviceaccounts, system:serviceaccounts:NS,
  system:authenticated; any other token is 401 Unauthorized.

Impersonation (`Impersonate-User`/`-Group`/`-Uid`, kubectl `--as`/`--as-group`): each asked-for
identity needs the `impersonate` verb for the real user; then the request runs as the
impersonated user.

Authorization: the request's attributes (RequestInfoResolver: list vs get vs watch,
deletecollection, subresources, non-resource paths) checked with engine's RBAC authorizer; a
denial is the apiserver's 403 Status. The un-impersonated admin skips the check, as
cluster-admin passes it: its path is the one it always was, and a learner cannot lock the page
out by deleting a binding."""
from __future__ import annotations

import hmac

from flask import Flask, g, request

from engine import errors, rbac, tokens
from webapp.extension import current_cluster

from . import bodies

ADMIN = rbac.User("kubernetes-admin", ("kubeadm:cluster-admins", "system:authenticated"))
ANONYMOUS = "system:anonymous"
# The paths the apiserver serves (everything else is the page and its own endpoints).
API_PREFIXES = ("/api", "/apis", "/version", "/openapi", "/healthz", "/livez", "/readyz", "/metrics",
                "/.well-known", "/openid")
RBAC_GROUP = rbac.GROUP
_ROLE_KINDS = {"roles": "Role", "clusterroles": "ClusterRole", "rolebindings": "RoleBinding",
               "clusterrolebindings": "ClusterRoleBinding"}
_FULL_AUTHORITY = [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}, {"nonResourceURLs": ["*"], "verbs": ["*"]}]


class Unauthorized(errors.ApiError):
    code, reason = 401, "Unauthorized"


def current_user() -> rbac.User:
    """The user this request runs as (the admin for the page's own requests)."""
    return getattr(g, "kubeplay_user", None) or ADMIN


def _is_api(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in API_PREFIXES)


def _bearer() -> str | None:
    auth = request.headers.get("Authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    return None


def service_account_token_user(token: str) -> rbac.User | None:
    cluster = current_cluster()
    who = tokens.authenticate(cluster.store, token, cluster.clock.now())
    return None if who is None else rbac.service_account_user(*who)


def _authenticate(server_token: str | None) -> rbac.User:
    token = _bearer()
    if token is None or (server_token and hmac.compare_digest(token.encode(), server_token.encode())):
        return ADMIN
    user = service_account_token_user(token)
    if user is None:
        raise Unauthorized("Unauthorized")
    return user


# ---- impersonation (filters/impersonation.go) ----------------------------------------------------

def _impersonate(real: rbac.User) -> rbac.User | None:
    username = request.headers.get("Impersonate-User")
    groups = request.headers.getlist("Impersonate-Group")
    uid = request.headers.get("Impersonate-Uid")
    if username is None and not groups and uid is None:
        return None
    if username is None:
        asked = [f'{{Kind:"Group" Name:"{grp}"}}' for grp in groups] + ([f'{{UID:"{uid}"}}'] if uid else [])
        raise errors.BadRequest(f"requested [{' '.join(asked)}] without impersonating a user")
    store = current_cluster().store
    checks: list[rbac.Attributes] = []
    sa = rbac.split_service_account(username)
    if sa is not None:
        checks.append(rbac.Attributes(user=real, verb="impersonate", resource="serviceaccounts",
                                      namespace=sa[0], name=sa[1]))
    else:
        checks.append(rbac.Attributes(user=real, verb="impersonate", resource="users", name=username))
    checks += [rbac.Attributes(user=real, verb="impersonate", resource="groups", name=grp) for grp in groups]
    if uid is not None:
        checks.append(rbac.Attributes(user=real, verb="impersonate", resource="uids", name=uid,
                                      api_group="authentication.k8s.io"))
    if real is not ADMIN:
        for attrs in checks:
            allowed, reason = rbac.authorize(store, attrs)
            if not allowed:
                raise rbac.forbidden(attrs, reason)
    out = list(groups)
    if not groups and sa is not None:
        out = ["system:serviceaccounts", f"system:serviceaccounts:{sa[0]}"]
    extra = "system:unauthenticated" if username == ANONYMOUS else "system:authenticated"
    if extra not in out:
        out.append(extra)
    return rbac.User(username, tuple(out), uid or "")


# ---- escalation (pkg/registry/rbac/{role,clusterrole,rolebinding,clusterrolebinding}/policybased) -

def _written_object(attrs: rbac.Attributes) -> dict | None:
    """What a create/update/patch of a Role or binding would store, or None when the write is bad
    anyway (the handler then refuses it with its own words)."""
    ctype = (request.headers.get("Content-Type") or "").split(";")[0].strip()
    try:
        if attrs.verb in ("create", "update") or ctype == "application/apply-patch+yaml":
            obj = bodies.read_json_like(request.get_data(cache=True), request.headers.get("Content-Type"))
            return obj if isinstance(obj, dict) else None
        ptype = {"application/strategic-merge-patch+json": "strategic", "application/merge-patch+json": "merge",
                 "application/json-patch+json": "json"}.get(ctype)
        if ptype is None:
            return None
        body = bodies.read_json_like(request.get_data(cache=True), "application/json")
        kind_rt = {"roles": rbac.ROLE, "clusterroles": rbac.CLUSTERROLE, "rolebindings": rbac.ROLEBINDING,
                   "clusterrolebindings": rbac.CLUSTERROLEBINDING}[attrs.resource]
        return current_cluster().store.patch(kind_rt, attrs.namespace or None, attrs.name, ptype, body, dry_run=True)
    except errors.ApiError:
        return None


def _check_escalation(attrs: rbac.Attributes) -> None:
    user = attrs.user
    if rbac.PRIVILEGED_GROUP in user.groups:
        return
    obj = _written_object(attrs)
    if obj is None:
        return
    store = current_cluster().store
    name = attrs.name or str((obj.get("metadata") or {}).get("name") or "")
    if attrs.resource in ("roles", "clusterroles"):
        escalate = rbac.Attributes(user=user, verb="escalate", resource=attrs.resource, api_group=RBAC_GROUP,
                                   namespace=attrs.namespace, name=name)
        if rbac.authorize(store, escalate)[0]:
            return
        rules = [r for r in obj.get("rules") or () if isinstance(r, dict)]
        if attrs.resource == "clusterroles" and obj.get("aggregationRule") is not None:
            if rbac.escalation_error(store, user, "", _FULL_AUTHORITY) is not None:
                raise rbac.forbidden_error(RBAC_GROUP, attrs.resource, name,
                                           "must have cluster-admin privileges to use the aggregationRule")
        why = rbac.escalation_error(store, user, attrs.namespace, rules)
        if why is not None:
            raise rbac.forbidden_error(RBAC_GROUP, attrs.resource, name, why)
        return
    ref = obj.get("roleRef") if isinstance(obj.get("roleRef"), dict) else {}
    role_resource = "roles" if ref.get("kind") == "Role" else "clusterroles"
    bind = rbac.Attributes(user=user, verb="bind", resource=role_resource, api_group=RBAC_GROUP,
                           namespace=attrs.namespace, name=str(ref.get("name") or ""))
    if rbac.authorize(store, bind)[0]:
        return
    try:
        rules = rbac.role_reference_rules(store, ref, attrs.namespace)
    except errors.ApiError as e:
        raise rbac.forbidden_error(RBAC_GROUP, attrs.resource, name, e.message) from None
    why = rbac.escalation_error(store, user, attrs.namespace, rules)
    if why is not None:
        raise rbac.forbidden_error(RBAC_GROUP, attrs.resource, name, why)


# ---- the filter chain ------------------------------------------------------------------------------

def init_app(app: Flask) -> None:
    @app.before_request
    def authenticate_and_authorize():
        if not _is_api(request.path):
            return None
        real = _authenticate(app.config.get("KUBEPLAY_TOKEN"))
        user = _impersonate(real) or real
        g.kubeplay_user = user
        if user is ADMIN:
            return None
        attrs = rbac.request_attributes(user, request.method, request.path, request.query_string.decode("latin-1"))
        allowed, reason = rbac.authorize(current_cluster().store, attrs)
        if not allowed:
            raise rbac.forbidden(attrs, reason)
        if attrs.resource_request and attrs.api_group == RBAC_GROUP and attrs.resource in _ROLE_KINDS \
                and not attrs.subresource and attrs.verb in ("create", "update", "patch"):
            _check_escalation(attrs)
        return None
