"""Ingress through the real kubectl (both versions), as on kind with ingress-nginx: `kubectl create
ingress --rule` for two hosts onto two Services, kubectl get's columns (the ADDRESS the controller
publishes), `kubectl describe ingress` with its backends' endpoints and the controller's Sync
events, the IngressClass, and requests through the controller — from a pod's curl with a Host
header (each host answered by its own pods, nginx's 404 for an unknown host, 503 once a backend
has no endpoint) and from the learner's machine through `kubectl port-forward` to its Service."""
from __future__ import annotations

import http.client
import json
import re

from test_port_forward import Forward

NGINX_404 = ("<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n"
             "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
CONTROLLER = "http://ingress-nginx-controller.ingress-nginx"


def _echo(name: str) -> list[dict]:
    labels = {"app": name}
    return [
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
         "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                  "template": {"metadata": {"labels": labels}, "spec": {"containers": [{
                      "name": "echo", "image": "hashicorp/http-echo:1.0", "args": [f"-text=this is {name}"],
                      "ports": [{"containerPort": 5678}]}]}}}},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
         "spec": {"selector": labels, "ports": [{"port": 80, "targetPort": 5678}]}},
    ]


def _curl(kube, host: str, path: str = "/") -> str:
    return kube("exec", "client", "--", "curl", "-s", "-H", f"Host: {host}", f"{CONTROLLER}{path}").stdout


def test_an_ingress_routes_two_hosts_to_their_services(kube_ns):
    kube = kube_ns
    foo, bar = f"foo.{kube.ns}.example", f"bar.{kube.ns}.example"
    kube("apply", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "List", "items": _echo("foo") + _echo("bar")}))
    kube("run", "client", "--image=curlimages/curl:8.11.1", "--", "sleep", "infinity")
    out = kube("create", "ingress", "two-hosts", f"--rule={foo}/*=foo:80", f"--rule={bar}/*=bar:80").stdout
    assert out == "ingress.networking.k8s.io/two-hosts created\n"
    (foo_pod,) = kube.wait_running("app=foo", 1)
    kube.wait_running("app=bar", 1)
    kube.server.wait_until(lambda: kube.is_running_ready(kube.pod("client")) or None, 40, message="client ready")

    def published():
        head, rows = kube.table("get", "ingress")
        assert head == ["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"]
        assert rows[0]["ADDRESS"] == "localhost", rows
        return rows[0]
    row = kube.server.wait_until(published, 40, message="the controller publishes its address")
    assert (row["NAME"], row["CLASS"], row["HOSTS"], row["PORTS"]) == ("two-hosts", "nginx", f"{foo},{bar}", "80")
    head, rows = kube.table("get", "ingressclass")
    assert head == ["NAME", "CONTROLLER", "PARAMETERS", "AGE"]
    assert (rows[0]["NAME"], rows[0]["CONTROLLER"], rows[0]["PARAMETERS"]) == ("nginx", "k8s.io/ingress-nginx", "<none>")

    def answered():
        assert _curl(kube, foo) == "this is foo\n"
        return True
    kube.server.wait_until(answered, 40, message="foo answers through the ingress")
    assert _curl(kube, bar, "/some/path") == "this is bar\n"
    assert _curl(kube, f"nobody.{kube.ns}.example") == NGINX_404.replace("\r\n", "\n")   # (kubectl's text mode)

    pod_ip = kube.pod(foo_pod)["status"]["podIP"]
    described = kube("describe", "ingress", "two-hosts").stdout
    assert re.search(r"^Address:\s+localhost$", described, re.M), described
    assert re.search(r"^Ingress Class:\s+nginx$", described, re.M), described
    assert re.search(rf"^\s+/\s+foo:80 \({re.escape(pod_ip)}:5678\)$", described, re.M), described
    assert re.search(r"Normal\s+Sync\s+.*nginx-ingress-controller\s+Scheduled for sync", described), described

    # from the learner's machine: port-forward to the controller's Service, then plain HTTP
    fwd = Forward(kube, "-n", "ingress-nginx", "svc/ingress-nginx-controller", ":80")
    try:
        conn = http.client.HTTPConnection("127.0.0.1", fwd.local, timeout=15)
        conn.request("GET", "/", headers={"Host": bar})
        resp = conn.getresponse()
        assert (resp.status, resp.read()) == (200, b"this is bar\n")
        conn.request("GET", "/", headers={"Host": "unknown.example"})
        resp = conn.getresponse()
        assert resp.status == 404 and resp.read().decode() == NGINX_404
        conn.close()
    finally:
        fwd.stop()

    # a backend without endpoints: nginx answers 503 itself
    kube("scale", "deployment/bar", "--replicas=0")

    def unavailable():
        out = kube("exec", "client", "--", "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                   "-H", f"Host: {bar}", CONTROLLER).stdout
        assert out == "503", out
        return True
    kube.server.wait_until(unavailable, 40, message="503 once bar has no endpoint")
    body = _curl(kube, bar)
    assert "<center><h1>503 Service Temporarily Unavailable</h1></center>" in body
    assert _curl(kube, foo) == "this is foo\n"
