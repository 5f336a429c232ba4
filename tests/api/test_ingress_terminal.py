"""Ingresses in the page's terminal, on the kind-like cluster with ingress-nginx: `kubectl create
ingress --rule` (Prefix for a trailing `*`, Exact otherwise, `,tls=secret`), its refusal of a
malformed rule, `kubectl describe ingress` with the backends' endpoints and the controller's Sync
events, `describe ingressclass`, and the page's Send-request endpoint (the route taken, and its
refusal of a malformed host)."""
import pytest

from engine import resources
from engine.clock import ManualClock
from engine.cluster import Cluster
from engine.store import Store


@pytest.fixture
def cluster():
    c = Cluster(store=Store(), clock=ManualClock(), nodes=2, control_plane=True)
    c.run_until_idle()
    yield c
    c.stop()


def settle(cluster, seconds=30):
    for _ in range(seconds):
        cluster.advance(1)


def test_create_and_describe_ingress_in_the_terminal(cluster, client, k):
    assert k("kubectl create deployment web --image=nginx:1.27")[1] == 0
    assert k("kubectl expose deployment web --port=80")[1] == 0
    out, code = k("kubectl create ingress web --rule=web.example/*=web:80 --rule=secure.example/exact=web:80,tls=web-tls")
    assert (out, code) == ("ingress.networking.k8s.io/web created\n", 0)
    out, code = k("kubectl create ingress bad --rule=web.example=web:80")
    assert code == 1 and out == ("error: rule web.example=web:80 is invalid and should be in format "
                                 "host/path=svcname:svcport[,tls[=secret]]\n")
    settle(cluster)
    spec = cluster.store.get(resources.INGRESS, "default", "web")["spec"]
    assert spec["rules"] == [
        {"host": "web.example", "http": {"paths": [
            {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}},
        {"host": "secure.example", "http": {"paths": [
            {"path": "/exact", "pathType": "Exact", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]
    assert spec["tls"] == [{"hosts": ["secure.example"], "secretName": "web-tls"}]
    out, code = k("kubectl get ingress")
    assert code == 0 and out.splitlines()[1].split()[:5] == ["web", "nginx", "web.example,secure.example", "localhost", "80,"]
    pod_ip = next(p for p in cluster.store.iter(resources.POD, "default"))["status"]["podIP"]
    out, code = k("kubectl describe ingress web")
    assert code == 0
    lines = out.splitlines()
    assert lines[:6] == ["Name:             web", "Labels:           <none>", "Namespace:        default",
                         "Address:          localhost", "Ingress Class:    nginx", "Default backend:  <default>"]
    assert "  web-tls terminates secure.example" in lines
    # (Go's tabwriter: each path line is a column block of its own, as in kubectl's output)
    rules = lines[lines.index("Rules:"):lines.index("Annotations:      <none>")]
    assert rules == ["Rules:", "  Host            Path  Backends", "  ----            ----  --------",
                     "  web.example     ", f"                  /   web:80 ({pod_ip}:80)",
                     "  secure.example  ", f"                  /exact   web:80 ({pod_ip}:80)"]
    assert any("Sync" in ln and "nginx-ingress-controller" in ln and "Scheduled for sync" in ln for ln in lines)
    out, code = k("kubectl describe ingressclass nginx")
    assert code == 0 and "Controller:   k8s.io/ingress-nginx" in out.splitlines()

    r = client.post("/kubeplay/v1/ingress/request", json={"host": "secure.example", "path": "/exact"})
    body = r.get_json()
    assert r.status_code == 200 and body["status"] == 308        # a TLS host: http is redirected
    r = client.post("/kubeplay/v1/ingress/request", json={"host": "web.example", "path": "/index.html"})
    body = r.get_json()
    assert body["status"] == 200 and "Welcome to nginx!" in body["body"]
    assert body["route"] == {"server": "web.example", "ingress": "default/web", "path": "/", "pathType": "Prefix",
                             "service": "web", "port": 80}
    assert body["endpoint"].startswith("default/web-") and body["address"] == f"{pod_ip}:80"
    r = client.post("/kubeplay/v1/ingress/request", json={"host": "bad host", "path": "/"})
    assert r.status_code == 400 and r.get_json()["reason"] == "BadRequest"
    r = client.post("/kubeplay/v1/ingress/request", data="host=x", content_type="text/plain")
    assert r.status_code in (400, 415)
