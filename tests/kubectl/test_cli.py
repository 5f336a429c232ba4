"""`kubeplay serve` / `kubeplay kubeconfig` as a user meets them: the printed kubeconfig is what
points kubectl at the server, a --token server refuses anonymous requests, and binding beyond
loopback needs a token."""
from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.request

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_serve_prints_the_url_and_the_kubectl_line_and_writes_the_kubeconfig(kube):
    log = kube.server.log()
    assert f"kubeplay is running at {kube.server.url}/" in log
    assert f"export KUBECONFIG={kube.server.kubeconfig}" in log
    cfg = yaml.safe_load(kube.server.kubeconfig.read_text())
    assert cfg["clusters"][0]["cluster"]["server"] == kube.server.url
    assert cfg["contexts"][0]["context"]["namespace"] == "default"
    assert (kube.server.kubeconfig.stat().st_mode & 0o077) == 0, "the kubeconfig is private to its owner"
    assert kube("config", "current-context").stdout.strip() == cfg["current-context"]
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    for path in ("/healthz", "/readyz"):
        with opener.open(kube.server.url + path, timeout=5) as r:
            assert r.read().strip() == b"ok"


def test_kubeplay_kubeconfig_prints_a_kubeconfig_for_the_running_server(kube):
    out = subprocess.run([sys.executable, "-m", "webapp", "kubeconfig"], cwd=REPO, capture_output=True, text=True,
                         env=dict(os.environ, HOME=str(kube.server.home)), timeout=30)
    assert out.returncode == 0, out.stderr
    assert yaml.safe_load(out.stdout) == yaml.safe_load(kube.server.kubeconfig.read_text())


def test_a_token_server_needs_the_token_that_its_kubeconfig_carries(kube_factory):
    kube = kube_factory(extra_args=("--token", "s3cret-token"))
    # NB client-go reads a kubeconfig's credentials only for a TLS transport ("only try to read the
    # auth information if we are secure", clientcmd/client_config.go): over http:// the token is
    # never sent, so a token server must serve https for kubectl to use it.
    cfg = yaml.safe_load(kube.server.kubeconfig.read_text())
    assert cfg["users"][0]["user"] == {"token": "s3cret-token"}
    got = kube("get", "pods")
    assert (got.stdout, got.stderr) == ("", "No resources found in default namespace.\n")
    assert kube("create", "deployment", "web", "--image=nginx").stdout == "deployment.apps/web created\n"

    assert kube.server.url.startswith("https://")
    opener = kube.server.opener
    try:
        opener.open(kube.server.url + "/api/v1/namespaces/default/pods", timeout=5)
        raise AssertionError("an anonymous request was served")
    except urllib.error.HTTPError as e:
        assert e.code == 401
    with opener.open(kube.server.url + "/healthz", timeout=5) as r:
        assert r.read().strip() == b"ok"
    # kubectl with the wrong token: the real 401 rendering.
    cfg["users"][0]["user"] = {"token": "wrong"}
    bad = kube.server.root / "bad-kubeconfig"
    bad.write_text(yaml.safe_dump(cfg))
    out = kube("--kubeconfig", str(bad), "get", "pods", check=False)
    assert out.returncode == 1
    assert "error: You must be logged in to the server" in out.stderr, out.stderr


def test_binding_beyond_loopback_without_a_token_is_refused(tmp_path):
    out = subprocess.run([sys.executable, "-m", "webapp", "serve", "--host", "0.0.0.0", "--port", "0",
                          "--in-memory", "--no-browser"], cwd=REPO, capture_output=True, text=True,
                         env=dict(os.environ, HOME=str(tmp_path)), timeout=30)
    assert out.returncode == 2
    assert "--token" in out.stderr
