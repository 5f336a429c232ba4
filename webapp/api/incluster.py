"""The API as pods reach it through the `kubernetes` Service (curl in a container to
https://kubernetes.default.svc/api). The engine authenticates and authorizes the pod's request
as the apiserver would (engine/kubelet/in_cluster_api.py) and hands what passes to this handler,
which runs it through this same app — the answers are the ones kubectl gets. It presents the
server's own token and a loopback Host; the engine has authenticated and authorized the pod's
request already and sends it with `Impersonate-User` set to the pod's account, so the API's own
checks (webapp/api/authz.py) run it as that account."""
from __future__ import annotations

from flask import Flask

from engine import Cluster


def register(app: Flask, cluster: Cluster) -> None:
    def handle(method: str, path: str, headers: list, body: bytes) -> tuple[int, list, bytes]:
        sent = {k: v for k, v in headers if k.lower() not in ("authorization", "host", "content-length", "connection")}
        sent.setdefault("User-Agent", "curl")
        token = app.config.get("KUBEPLAY_TOKEN")
        if token:
            sent["Authorization"] = f"Bearer {token}"
        resp = app.test_client().open(path, method=method, headers=sent, data=body or None,
                                      base_url="http://127.0.0.1")
        return resp.status_code, list(resp.headers.items()), resp.get_data()

    cluster.serve_in_cluster_api(handle)
