"""A request from the learner's machine to the ingress controller — what `curl -H 'Host: foo.example'
http://localhost/path` does on kind, where the control-plane node's port 80 is published on the
laptop and the controller's pod listens on it (hostPort 80). The page's "Send request" control
uses it to show the route a request takes: Ingress → rule → Service → pod.

The request enters the controller's pod as kind's port mapping delivers it (from the Docker
network's gateway), so from there on it is exactly what a pod's curl to the controller gets
(engine/kubelet/ingress_proxy.py): the same routing, the same connection to the backend pod. It
is recorded in the cluster's request log like the others, so the page draws it."""
from __future__ import annotations

from . import ingress_nginx_install as install, objects, resources as kinds
from .kubelet.servers import Request
from .pod_conditions import is_pod_ready

# kind's nodes sit on the Docker network 172.18.0.0/16; traffic published from the host arrives
# from its gateway
LEARNER_IP = "172.18.0.1"
MAX_BODY = 4000


def controller_pod(store) -> dict | None:
    pods = [p for p in store.iter(kinds.POD, install.NAMESPACE)
            if install.is_controller_pod(p) and is_pod_ready(p) and not objects.is_terminating(p)]
    return min(pods, key=objects.name_of) if pods else None


def send(cluster, host: str, path: str, *, method: str = "GET") -> dict:
    """Send one request; returns {status, reason, body, route, controller, endpoint, address}
    or {error} when nothing listens (no ready controller pod: curl's connection refused)."""
    network = cluster.controller("kubelet").network
    pod = controller_pod(cluster.store)
    if pod is None:
        return {"error": "refused", "message": "Failed to connect to localhost port 80: Connection refused "
                                               "(no ingress-nginx controller pod is ready)"}
    req = Request(method, path, host, [("Host", host), ("User-Agent", "curl/8.11.1"), ("Accept", "*/*")],
                  client_ip=LEARNER_IP)
    seq = network.requests.last_seq
    resp, error = network.answer(pod, 80, req)
    controller = objects.key_of(pod)
    hop = next((i for i in network.requests.since(seq)[0] if i["client"] == controller), None)
    network.requests.record(client="", target=f"{host}:80", service=f"{install.NAMESPACE}/{install.SERVICE_NAME}",
                            endpoint=controller, status=resp.status if resp is not None else None, error=error,
                            ingress=req.ingress)
    if resp is None:
        return {"error": error or "refused", "controller": controller}
    out = {"status": resp.status, "reason": resp.reason, "route": req.ingress or {}, "controller": controller,
           "body": resp.body[:MAX_BODY].decode("utf-8", "replace"), "headers": [list(h) for h in resp.headers]}
    if hop is not None:
        out["endpoint"], out["address"] = hop.get("endpoint"), hop.get("target")
        if hop.get("error"):
            out["backendError"] = hop["error"]
    return out
