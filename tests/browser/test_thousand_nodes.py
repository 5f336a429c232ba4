"""The page on the largest cluster `kubeplay serve` makes: 1,000 nodes (issue 16's scale).

Each node gets its box, Ready, in the API's order; a Deployment's pods land on some of them and
show there; failing one node of a thousand marks that box alone. Correctness only: how fast the
page draws is bench/browser_frames.py's business.
"""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_playground import LOGIN, api

NODES = 1_000


def test_a_thousand_nodes_each_get_a_ready_box_and_pods_land_on_them(playground_factory):
    # 1×: at 10× a thousand nodes' status writes kept a loaded machine's page too busy to find
    # the details panel's buttons within the click's 30 s (seen once in a full run).
    p = playground_factory(nodes=NODES, speed=1)
    page = p.page
    boxes = page.locator("#nodes [data-node]")
    expect(boxes).to_have_count(NODES, timeout=60_000)
    expect(page.locator("#nodes [data-node] .badge.ok")).to_have_count(NODES)

    # The boxes are the API's worker nodes, in the API's (name) order, as `kubectl get nodes`.
    listed = [n["metadata"]["name"] for n in api(p.server, "GET", "/api/v1/nodes")["items"]
              if "node-role.kubernetes.io/control-plane" not in n["metadata"].get("labels", {})]
    shown = boxes.evaluate_all("els => els.map((e) => e.dataset.node)")
    assert shown == listed and len(shown) == NODES

    # A Deployment's pods are drawn on the nodes the scheduler picked.
    p.type_yaml(LOGIN)
    p.apply()
    expect(p.pods("Deployment/login-app", "Running")).to_have_count(3, timeout=60_000)
    pods = api(p.server, "GET", "/api/v1/namespaces/default/pods?labelSelector=app%3Dlogin")["items"]
    for pod in pods:
        node = pod["spec"]["nodeName"]
        expect(page.locator(f'#nodes [data-node="{node}"] [data-pod="default/{pod["metadata"]["name"]}"]')).to_have_count(1)

    # Failing one node of the thousand marks its box and no other.
    name = shown[500]
    box = page.locator(f'#nodes [data-node="{name}"]')
    box.locator("header").click()
    expect(page.locator("#details-title")).to_have_text(f"Node {name}")
    page.get_by_role("button", name="Fail", exact=True).click()
    expect(box).to_have_attribute("data-failed", "true")
    expect(page.locator('#nodes [data-node][data-failed="true"]')).to_have_count(1)
