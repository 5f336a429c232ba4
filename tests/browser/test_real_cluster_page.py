"""The page over a real cluster (issue 14): a second `kubeplay serve --kubeconfig` in front of a
first kubeplay server that plays the real cluster. The page shows the first's pods; a kill in the
page is a delete there and its ReplicaSet replaces the pod; a drain respects a PDB; the controls
that only a simulation has are disabled with the reason, all of them with --read-only; and the
kubeconfig's token and certificate appear in nothing the browser receives."""
from __future__ import annotations

import base64
import json
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Playground
from tests.conftest import wait_until
from tests.realcluster import FORBIDDEN, RemoteKubeplay, viewer_kubeconfig

TOKEN = "real-cluster-token-7b2e4a"


@pytest.fixture
def real(kubeplay_factory):
    return kubeplay_factory(extra_args=("--token", TOKEN), speed=5)


@pytest.fixture
def remote_factory(tmp_path, real):
    made: list[RemoteKubeplay] = []

    def make(*args, kubeconfig=None) -> RemoteKubeplay:
        r = RemoteKubeplay(tmp_path / f"remote{len(made)}", kubeconfig or real.kubeconfig, *args)
        made.append(r)
        r.start()
        r.nodes = real.nodes            # what Playground.open waits to see drawn
        return r
    yield make
    for r in made:
        r.close()


def _get(real, path: str):
    return json.loads(real.kubectl("get", "--raw", path).stdout)


def _live_pods(real, selector: str) -> list[dict]:
    return [p for p in _get(real, f"/api/v1/namespaces/default/pods?labelSelector={selector}")["items"]
            if not p["metadata"].get("deletionTimestamp")]


def _shoot(page, name: str) -> None:
    """With KUBEPLAY_SCREENSHOTS=DIR (docs/screenshots for the committed ones), the page as it is,
    once the log has lines and no entry animation is still running."""
    folder = os.environ.get("KUBEPLAY_SCREENSHOTS")
    if not folder:
        return
    expect(page.locator("#log-list li:not([hidden])").first).to_be_visible()
    page.wait_for_function("document.getAnimations().every((a) => a.playState !== 'running')")
    page.screenshot(path=str(Path(folder) / name))


def _secrets(real) -> list[str]:
    """What must never reach the browser: the token, the CA certificate's base64 and its PEM body."""
    text = real.kubeconfig.read_text()
    ca_b64 = re.search(r"certificate-authority-data: (\S+)", text).group(1)
    pem = base64.b64decode(ca_b64).decode()
    body = "".join(pem.strip().splitlines()[1:-1])
    return [TOKEN, ca_b64, body[:40], body[-40:]]


class Capture:
    """Every HTTP response body and WebSocket frame the page receives. The stream's socket is
    read in a worker (static/js/stream-worker.js), whose sockets Playwright does not report:
    what the worker hands the page is captured instead (every message text)."""

    def __init__(self, page):
        self.responses: list = []
        self.frames: list[str] = []
        page.on("response", lambda r: self.responses.append(r))
        page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: self.frames.append(
            payload if isinstance(payload, str) else payload.decode("utf-8", "replace"))))
        page.expose_function("__captureFrame", lambda text: self.frames.append(text))
        page.add_init_script("""(() => {
          const W = window.Worker;
          window.Worker = class extends W {
            constructor(...args) {
              super(...args);
              this.addEventListener("message", (e) => { if (typeof e.data === "string") window.__captureFrame(e.data); });
            }
          };
        })()""")

    def texts(self) -> list[str]:
        out = []
        for r in self.responses:
            try:
                out.append(r.text())
            except Exception:          # a streamed or aborted body has nothing to read
                out.append("")
            out.append(json.dumps(dict(r.headers)))
        return out + self.frames


def test_the_page_draws_the_real_cluster_and_a_kill_is_a_delete_there(page, real, remote_factory):
    real.kubectl("create", "deployment", "web", "--image=nginx", "--replicas=3")
    wait_until(lambda: sum(1 for p in _live_pods(real, "app=web") if p["status"].get("phase") == "Running") == 3)
    names = {p["metadata"]["name"] for p in _live_pods(real, "app=web")}
    remote = remote_factory()
    capture = Capture(page)
    p = Playground(page, remote).open()
    for n in names:
        expect(page.locator(f'[data-pod="default/{n}"]')).to_have_count(1)
    banner = page.locator("#remote-banner")
    expect(banner).to_contain_text(f"Real cluster: context kubeplay at {real.url}")

    # What only the simulation has is off, saying why.
    expect(page.locator("#pizza-demo")).to_be_disabled()
    expect(page.locator("#add-node")).to_be_disabled()
    expect(page.locator("#pause")).to_be_disabled()
    expect(page.locator("#terminal-input")).to_be_disabled()
    node = page.locator("[data-node]").filter(has=page.locator("[data-pod]")).first
    node.locator("header").click()
    fail = page.locator("#details").get_by_role("button", name="Fail", exact=True)
    expect(fail).to_be_disabled()
    assert "kubelet" in fail.get_attribute("title")
    page.set_viewport_size({"width": 1400, "height": 900})
    _shoot(page, "real-cluster-1400x900.png")

    # Kill: a DELETE on the real cluster; its ReplicaSet makes a new pod, and the page draws it.
    victim = sorted(names)[0]
    page.locator(f'[data-pod="default/{victim}"]').click()
    page.locator("#details").get_by_role("button", name="Kill", exact=True).click()
    expect(page.locator("#toast")).to_contain_text(f'pod "{victim}" deleted')
    wait_until(lambda: victim not in {p["metadata"]["name"] for p in _live_pods(real, "app=web")}
               and len(_live_pods(real, "app=web")) == 3, message="the ReplicaSet did not replace the pod")
    replacement = ({p["metadata"]["name"] for p in _live_pods(real, "app=web")} - names).pop()
    expect(page.locator(f'[data-pod="default/{replacement}"]')).to_have_count(1)
    expect(page.locator(f'[data-pod="default/{victim}"]')).to_have_count(0)

    # The log: the request the page sent, and the story read off the ReplicaSet's status.
    log = page.locator("#log-list")
    expect(log).to_contain_text(f"kill pod default/{victim}")
    expect(log.locator('[data-inferred="true"]').first).to_contain_text("inferred")
    page.set_viewport_size({"width": 1024, "height": 700})
    _shoot(page, "real-cluster-1024x700.png")

    # The credentials stayed in the server: not in any response, header or frame the page got.
    texts = capture.texts()
    assert len(capture.frames) > 3 and len(capture.responses) > 5
    for secret in _secrets(real):
        leaks = [t[:200] for t in texts if secret in t]
        assert not leaks, f"{secret[:12]}… reached the browser: {leaks}"
    assert TOKEN not in remote.log()
    p.check_clean()


def test_a_drain_in_the_page_respects_a_pod_disruption_budget(page, real, remote_factory):
    real.kubectl("create", "deployment", "guarded", "--image=nginx", "--replicas=2")
    real.kubectl("create", "poddisruptionbudget", "guarded", "--selector=app=guarded", "--min-available=2")
    wait_until(lambda: (_get(real, "/apis/policy/v1/namespaces/default/poddisruptionbudgets/guarded")
                        .get("status") or {}).get("currentHealthy") == 2, 30, message="the PDB's status")
    remote = remote_factory()
    p = Playground(page, remote).open()
    pod = _live_pods(real, "app=guarded")[0]
    name = pod["spec"]["nodeName"]
    protected = sum(1 for q in _live_pods(real, "app=guarded") if q["spec"]["nodeName"] == name)
    node = page.locator(f'[data-node="{name}"]')
    node.locator("header").click()
    page.locator("#details").get_by_role("button", name="Drain", exact=True).click()
    expect(node).to_have_attribute("data-cordoned", "true")
    expect(page.locator("#toast")).to_contain_text(
        f"node/{name}: {protected} pod(s) not evicted: Cannot evict pod as it would violate the pod's disruption budget.")
    assert sum(1 for q in _live_pods(real, "app=guarded") if q["spec"]["nodeName"] == name) == protected
    expect(page.locator("#log-list")).to_contain_text(f"drain node {name}")
    p.check_clean()


def test_read_only_disables_every_action_in_the_page(page, real, remote_factory):
    real.kubectl("create", "deployment", "web", "--image=nginx", "--replicas=1")
    wait_until(lambda: len(_live_pods(real, "app=web")) == 1)
    pod = _live_pods(real, "app=web")[0]["metadata"]["name"]
    remote = remote_factory("--read-only")
    p = Playground(page, remote).open()
    expect(page.locator("#remote-banner")).to_contain_text("read-only: no action is sent to the cluster")
    expect(page.locator("#apply")).to_be_disabled()
    expect(page.locator("#delete")).to_be_disabled()
    expect(page.locator('.workload button.scale').first).to_be_disabled()
    page.locator(f'[data-pod="default/{pod}"]').wait_for()
    page.locator(f'[data-pod="default/{pod}"]').click()
    kill = page.locator("#details").get_by_role("button", name="Kill", exact=True)
    expect(kill).to_be_disabled()
    assert "--read-only" in kill.get_attribute("title")
    # Reading is not an action: the pod's log comes from the cluster, followed.
    page.locator("#details").get_by_role("button", name="Logs", exact=True).click()
    expect(page.locator("#pod-console .xterm-rows")).to_contain_text("Configuration complete; ready for start up")
    page.locator("#pod-console-close").click()
    page.locator('.workload .wl-title').first.click()
    expect(page.locator("#details").get_by_role("button", name="Restart", exact=True)).to_be_disabled()
    p.check_clean()


def test_a_user_who_may_not_list_nodes_gets_the_namespace_view_and_is_told_why(page, real, remote_factory, tmp_path):
    real.kubectl("create", "namespace", "other")
    real.kubectl("create", "deployment", "mine", "--image=nginx", "--replicas=2")
    real.kubectl("create", "deployment", "theirs", "--image=nginx", "-n", "other")
    wait_until(lambda: len(_live_pods(real, "app=mine")) == 2)
    mine = {p["metadata"]["name"] for p in _live_pods(real, "app=mine")}
    kubeconfig, viewer_token = viewer_kubeconfig(real, tmp_path / "viewer")      # `view` in default only
    remote = remote_factory(kubeconfig=kubeconfig)
    capture = Capture(page)
    page.goto(remote.url + "/")
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    banner = page.locator("#remote-banner")
    expect(banner.locator(".hidden-kind")).to_have_text(
        f"Not shown: Nodes (the cluster said: {FORBIDDEN.format(kind='nodes', group='')})")
    narrowed = banner.locator('.remote-scope[data-kinds~="Pod"]')
    expect(narrowed).to_contain_text("Only namespace default for ")
    expect(narrowed).to_contain_text("Pods")
    expect(narrowed).to_contain_text(FORBIDDEN.format(kind="pods", group=""))
    expect(page.locator("#nodes-empty")).to_contain_text("Nodes are not shown")
    for n in mine:
        expect(page.locator(f'[data-pod="default/{n}"]')).to_have_count(1)
    expect(page.locator('[data-pod^="other/"]')).to_have_count(0)
    expect(page.locator("[data-node]")).to_have_count(0)
    page.set_viewport_size({"width": 1400, "height": 900})
    _shoot(page, "real-cluster-namespace-view-1400x900.png")
    for secret in _secrets(real) + [viewer_token]:
        assert not [t for t in capture.texts() if secret in t]


CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  color: {color}\n"


def test_apply_from_the_editor_is_server_side_and_a_conflict_offers_force(page, real, remote_factory):
    remote = remote_factory()
    p = Playground(page, remote).open()
    p.type_yaml(CM.format(color="blue"))
    p.apply()
    expect(p.message()).to_contain_text("configmap/settings serverside-applied")
    live = _get(real, "/api/v1/namespaces/default/configmaps/settings")
    assert live["data"] == {"color": "blue"} and live["metadata"]["managedFields"][0]["manager"] == "kubeplay"
    real.kubectl("apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", "-",
                 input=CM.format(color="red"))
    p.type_yaml(CM.format(color="green"))
    page.get_by_role("button", name="Apply", exact=True).click()
    panel = page.locator("#editor-panel")
    expect(panel).to_have_attribute("data-apply", "error")
    expect(p.message()).to_contain_text('conflict with "other"')
    assert _get(real, "/api/v1/namespaces/default/configmaps/settings")["data"] == {"color": "red"}
    page.locator("#editor-notice").get_by_role("button", name="Force apply").click()
    expect(p.message()).to_contain_text("configmap/settings serverside-applied")
    wait_until(lambda: _get(real, "/api/v1/namespaces/default/configmaps/settings")["data"] == {"color": "green"})
    expect(page.locator("#log-list")).to_contain_text("apply configmap default/settings: server-side apply "
                                                      "(field manager kubeplay, forced): configured")
    p.check_clean()
