"""The page's Export YAML button: it downloads the playground's objects as clean manifests, the
same answer `kubeplay export` writes (GET /kubeplay/v1/export), and says how to use the file."""
from __future__ import annotations

import urllib.request

import yaml
from playwright.sync_api import expect

WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
"""


def _cli_answer(server) -> str:
    req = urllib.request.Request(server.url + "/kubeplay/v1/export", headers={"X-Kubeplay-Request": "kubeplay-cli"})
    with server.opener.open(req, timeout=10) as r:
        return r.read().decode()


def test_export_downloads_the_manifests(playground, tmp_path):
    p = playground
    p.server.kubectl("apply", "-f", "-", input=WEB)
    expect(p.pods("Deployment/web", "Running")).to_have_count(2)

    with p.page.expect_download() as caught:
        p.page.get_by_role("button", name="Export YAML").click()
    download = caught.value
    assert download.suggested_filename == "kubeplay-export.yaml"
    saved = tmp_path / "export.yaml"
    download.save_as(saved)
    text = saved.read_text()
    assert text == _cli_answer(p.server)
    docs = list(yaml.safe_load_all(text))
    assert [(d["kind"], d["metadata"]["name"]) for d in docs] == [("Service", "web"), ("Deployment", "web")]
    assert "status" not in docs[1] and "clusterIP" not in docs[0]["spec"]
    expect(p.page.locator("#toast")).to_have_text(
        "exported 2 object(s) to kubeplay-export.yaml: kubectl apply -f kubeplay-export.yaml on a real cluster")

    # Without the page's header (a plain link, or another site's page) the export is refused.
    status = p.page.evaluate("async () => (await fetch('/kubeplay/v1/export')).status")
    assert status == 403
