"""The `kubernetes` Service as a pod reaches it (`curl --cacert .../ca.crt -H "Authorization:
Bearer $TOKEN" https://kubernetes.default.svc/api`): authentication and authorization as a
v1.32 apiserver with kubeadm's default RBAC does them, then the API itself (the web layer hands
its handler in: Cluster.serve_in_cluster_api).

* no token → `system:anonymous`, which may read only the public paths (/healthz, /livez,
  /readyz, /version: system:public-info-viewer); anything else is 403;
* the pod's own ServiceAccount token → `system:serviceaccount:<ns>:<name>`, which may read the
  discovery paths (/api, /apis, /openapi: system:discovery) and nothing else (no RoleBinding
  can grant more here: the playground has no RBAC kinds), so a resource is 403 with the RBAC
  authorizer's words;
* any other token → 401 Unauthorized."""
from __future__ import annotations

import json
import re
from collections.abc import Callable

from .. import objects
from .servers import Request, Response

PUBLIC = ("/healthz", "/livez", "/readyz", "/version")
DISCOVERY = re.compile(r"^/(api|apis)(/[^/]+){0,2}/?$|^/openapi(/.*)?$")

Handler = Callable[[str, str, list, bytes], tuple[int, list, bytes]]


def _status(code: int, reason: str, message: str, details: dict | None) -> Response:
    body: dict[str, object] = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                               "message": message,
            "reason": reason}
    if details is not None:
        body["details"] = details
    body["code"] = code
    data = (json.dumps(body, indent=2) + "\n").encode()   # the apiserver pretty-prints for curl
    return Response(code, [("Audit-Id", "00000000-0000-0000-0000-000000000000"), ("Cache-Control", "no-cache, private"),
                           ("Content-Type", "application/json"), ("X-Content-Type-Options", "nosniff"),
                           ("Content-Length", str(len(data)))], data)


def _user(req: Request, pod: dict, pod_token: bytes) -> str | None:
    auth = req.header("Authorization")
    if not auth:
        return "system:anonymous"
    if auth.startswith("Bearer ") and auth[7:].strip().encode() == pod_token:
        spec = pod.get("spec") or {}
        return f"system:serviceaccount:{objects.namespace_of(pod)}:{spec.get('serviceAccountName') or 'default'}"
    return None


VERBS = {"GET": "get", "HEAD": "get", "POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}


def _forbidden(user: str, method: str, path: str, query: str) -> Response:
    parts = [p for p in path.split("/") if p]
    group = ""
    if parts[:1] == ["api"] and len(parts) >= 3:
        rest = parts[2:]
    elif parts[:1] == ["apis"] and len(parts) >= 4:
        group, rest = parts[1], parts[3:]
    else:
        verb = VERBS.get(method, method.lower())
        return _status(403, "Forbidden", f'forbidden: User "{user}" cannot {verb} path "{path}"', {})
    ns = ""
    if rest[:1] == ["namespaces"] and len(rest) >= 3:
        ns, rest = rest[1], rest[2:]
    resource = rest[0]
    name = rest[1] if len(rest) > 1 else ""
    sub = "/".join(rest[2:3])
    verb = VERBS.get(method, method.lower())
    if not name and verb == "get":
        verb = "watch" if re.search(r"(^|&)watch=(1|true)", query) else "list"
    elif not name and verb == "delete":
        verb = "deletecollection"
    what = f"{resource}/{sub}" if sub else resource
    scope = f'in the namespace "{ns}"' if ns else "at the cluster scope"
    shown = f'{resource} "{name}"' if name else resource
    details: dict = {"name": name, "kind": resource} if name else {"kind": resource}
    if group:
        details["group"] = group
    return _status(403, "Forbidden",
                   f'{shown} is forbidden: User "{user}" cannot {verb} resource "{what}" in API group "{group}" {scope}',
                   details)


def answer(req: Request, pod: dict, pod_token: bytes, handler: Handler | None) -> Response:
    path, _, query = req.path.partition("?")
    user = _user(req, pod, pod_token)
    if user is None:
        return _status(401, "Unauthorized", "Unauthorized", None)
    public = any(path == p or path.startswith(p + "/") for p in PUBLIC)
    allowed = public or (user != "system:anonymous" and DISCOVERY.match(path) is not None)
    if not allowed:
        return _forbidden(user, req.method, path, query)
    if handler is None:
        return _status(503, "ServiceUnavailable", "the API is not being served", {})
    headers = [(k, v) for k, v in req.headers if k.lower() not in ("authorization", "host")]
    status, out_headers, body = handler(req.method, req.path, headers, req.body)
    return Response(status, [(k, v) for k, v in out_headers if k.lower() not in ("content-length",)]
                    + [("Content-Length", str(len(body)))], body)
