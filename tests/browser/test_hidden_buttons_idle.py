"""Pods drawn as tiles: their hidden buttons are made and patched in idle time, and end up right.

Above 200 pods the map draws each node's pods as a canvas of tiles, and every pod keeps a hidden
button (data-pod, data-status, data-workload: what tests and assistive tools read). A scale-up's
draw used to make and patch hundreds of those buttons in one frame; the view now draws the tiles
at once and brings the buttons up to date when the page is idle (view/cluster.js `_later`). These
tests check the end state, not when it is reached: every pod has exactly one button, in its
node's box, with the pod's final STATUS and owner; and when the map goes back to buttons the
visible buttons are up to date.
"""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.test_playground import api

PODS = 300
NODES = 6

DEPLOYMENT = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "many", "namespace": "default"},
    "spec": {"replicas": PODS, "selector": {"matchLabels": {"app": "many"}},
             "template": {"metadata": {"labels": {"app": "many"}},
                          "spec": {"containers": [{"name": "app", "image": "nginx"}]}}},
}
SCALE = "/apis/apps/v1/namespaces/default/deployments/many/scale"

# {pod name: [node of its box, data-status, data-workload]} for every pod button on the map.
BUTTONS = """() => {
  const out = {};
  for (const b of document.querySelectorAll('#nodes [data-pod], #pending-pods [data-pod]')) {
    const box = b.closest('[data-node]');
    (out[b.dataset.pod] = out[b.dataset.pod] || []).push([box ? box.dataset.node : null, b.dataset.status,
                                                         b.dataset.workload]);
  }
  return out;
}"""


def running_pods(server) -> dict[str, str]:
    body = api(server, "GET", "/api/v1/namespaces/default/pods?labelSelector=app%3Dmany")
    return {f"default/{p['metadata']['name']}": p["spec"].get("nodeName") for p in body["items"]
            if p["status"].get("phase") == "Running" and not p["metadata"].get("deletionTimestamp")}


def wait_until_drawn(page, n: int) -> None:
    """Until the view holds n pods Running and no hidden button is behind."""
    page.wait_for_function(
        f"""() => {{ const v = window.kubeplay.clusterView; let r = 0;
            for (const p of v.pods.values()) if (p.status === 'Running') r++;
            return r === {n} && v.pods.size === {n} && !v.catchingUp; }}""",
        timeout=180_000, polling=250)


def test_tiles_hidden_buttons_end_in_each_pods_final_state(playground_factory):
    p = playground_factory(speed=20, nodes=NODES, extra_args=("--max-pods", str(PODS + 100)))
    page = p.page
    api(p.server, "POST", "/apis/apps/v1/namespaces/default/deployments", DEPLOYMENT)
    wait_until_drawn(page, PODS)
    # The map is tiles (canvas per node), and every pod has its one hidden button in its node's
    # box, Running, owned by the Deployment.
    expect(page.locator("#nodes .pods.dense")).to_have_count(NODES)
    want = running_pods(p.server)
    assert len(want) == PODS
    shown = page.evaluate(BUTTONS)
    assert shown == {key: [[node, "Running", "Deployment/many"]] for key, node in want.items()}
    # A tile's tooltip is drawn from the view's record: its columns, owner and revision.
    canvas = page.locator("#nodes .pod-canvas").first
    canvas.hover(position={"x": 5, "y": 5})
    expect(canvas).to_have_attribute("title", re.compile(r"STATUS Running\n.*owner Deployment/many\n"
                                                         r"ReplicaSet many-\w+ \(revision 1\)", re.S))

    # Back below the threshold: each box shows visible buttons again, up to date.
    api(p.server, "PATCH", SCALE, {"spec": {"replicas": 3}}, content_type="application/merge-patch+json")
    wait_until_drawn(page, 3)
    expect(page.locator("#nodes .pods.dense")).to_have_count(0)
    want = running_pods(p.server)
    assert len(want) == 3
    page.wait_for_function(f"() => document.querySelectorAll('#nodes [data-pod]').length === {len(want)}",
                           timeout=60_000, polling=250)
    shown = page.evaluate(BUTTONS)
    assert shown == {key: [[node, "Running", "Deployment/many"]] for key, node in want.items()}
    for key, node in want.items():
        button = page.locator(f'#nodes [data-pod="{key}"]')
        expect(button).to_be_visible()
        title = button.get_attribute("title").split("\n")
        assert title[:5] == [key, "STATUS Running", "READY 1/1", "RESTARTS 0", "owner Deployment/many"]
        assert title[-1] == f"node {node}"
