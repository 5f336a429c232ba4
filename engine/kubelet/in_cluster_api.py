"""The `kubernetes` Service as a pod reaches it (`curl --cacert .../ca.crt -H "Authorization:
Bearer $TOKEN" https://kubernetes.default.svc/api`): authentication and authorization as a
v1.32 apiserver with kubeadm's default RBAC does them, then the API itself (the web layer hands
its handler in: Cluster.serve_in_cluster_api).

* no token → `system:anonymous` (group system:unauthenticated), a ServiceAccount token (the pod's
  own, or any other this cluster issued) → `system:serviceaccount:<ns>:<name>`, any other token →
  401 Unauthorized;
* the request is authorized from the stored RBAC rules (engine/rbac.py) as the apiserver's RBAC
  authorizer does: the bootstrap policy lets anyone read /healthz, /livez, /readyz, /version and an
  authenticated account the discovery paths; a RoleBinding grants the rest. A denial is the
  apiserver's 403 Status;
* what passes goes to the API (the web layer's handler) impersonating that user, so the API's own
  checks see the same identity. A pod's own Impersonate-* headers are dropped."""
from __future__ import annotations

import json
from collections.abc import Callable

from .. import rbac, tokens
from .servers import Request, Response

Handler = Callable[[str, str, list, bytes], tuple[int, list, bytes]]


def _status(status: dict) -> Response:
    # metav1.Status's field order: details (when there are any) before code
    body = {k: v for k, v in status.items() if k != "code"}
    body["code"] = status.get("code")
    data = (json.dumps(body, indent=2) + "\n").encode()   # the apiserver pretty-prints for curl
    code = int(body.get("code") or 500)
    return Response(code, [("Audit-Id", "00000000-0000-0000-0000-000000000000"), ("Cache-Control", "no-cache, private"),
                           ("Content-Type", "application/json"), ("X-Content-Type-Options", "nosniff"),
                           ("Content-Length", str(len(data)))], data)


_UNAUTHORIZED = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": "Unauthorized",
                 "reason": "Unauthorized", "code": 401}
ANONYMOUS = rbac.User("system:anonymous", ("system:unauthenticated",))


def _user(req: Request, store, now: float) -> rbac.User | None:
    auth = req.header("Authorization")
    if not auth:
        return ANONYMOUS
    if not auth.startswith("Bearer "):
        return None
    who = tokens.authenticate(store, auth[7:].strip(), now)
    return None if who is None else rbac.service_account_user(*who)


def answer(req: Request, store, now: float, handler: Handler | None) -> Response:
    path, _, query = req.path.partition("?")
    user = _user(req, store, now)
    if user is None:
        return _status(dict(_UNAUTHORIZED))
    attrs = rbac.request_attributes(user, req.method, path, query)
    allowed, reason = rbac.authorize(store, attrs)
    if not allowed:
        return _status(rbac.forbidden(attrs, reason).status())
    if handler is None:
        return _status({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                        "message": "the API is not being served", "reason": "ServiceUnavailable", "details": {},
                        "code": 503})
    headers = [(k, v) for k, v in req.headers if k.lower() not in ("authorization", "host")
               and not k.lower().startswith("impersonate-")]
    headers.append(("Impersonate-User", user.name))
    status, out_headers, body = handler(req.method, req.path, headers, req.body)
    return Response(status, [(k, v) for k, v in out_headers if k.lower() not in ("content-length",)]
                    + [("Content-Length", str(len(body)))], body)
