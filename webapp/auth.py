"""Bearer-token check for servers bound beyond loopback (`kubeplay serve --host 0.0.0.0 --token T`).

kubectl sends `Authorization: Bearer T` (from the printed kubeconfig); the browser opens the page
once with `?token=T`, which sets a same-site cookie for the rest of its requests."""
from __future__ import annotations

import hmac

from flask import Flask, Response, json, request

OPEN_PATHS = ("/healthz", "/readyz", "/livez")
COOKIE = "kubeplay_token"


def _presented() -> str:
    auth = request.headers.get("Authorization", "")
    if auth.startswith("Bearer "):
        return auth[7:].strip()
    return request.args.get("token") or request.cookies.get(COOKIE) or ""


def _service_account_token() -> bool:
    """A ServiceAccount's token is a credential of its own: its requests run as that account."""
    from .api import authz
    auth = request.headers.get("Authorization", "")
    return auth.startswith("Bearer ") and authz.service_account_token_user(auth[7:].strip()) is not None


def init_app(app: Flask) -> None:
    @app.before_request
    def check_token():
        token = app.config.get("KUBEPLAY_TOKEN")
        if not token or request.path in OPEN_PATHS:
            return None
        if hmac.compare_digest(_presented().encode(), token.encode()):
            return None
        if _service_account_token():
            return None             # authenticated (and authorized) by webapp/api/authz.py
        body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": "Unauthorized", "reason": "Unauthorized", "code": 401}
        return Response(json.dumps(body), status="401 Unauthorized", mimetype="application/json")

    @app.after_request
    def remember_token(resp):
        token = app.config.get("KUBEPLAY_TOKEN")
        if token and request.args.get("token") == token:
            resp.set_cookie(COOKIE, token, httponly=True, samesite="Strict")
        return resp
