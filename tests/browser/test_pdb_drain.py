"""The page's drain honours a PodDisruptionBudget (issue 12 item 6): the pods the budget protects
stay on the cordoned node, and the page says why in the apiserver's words."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_playground import LOGIN, api

PDB = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "login"},
       "spec": {"minAvailable": 3, "selector": {"matchLabels": {"app": "login"}}}}


def test_a_drain_from_the_node_panel_leaves_what_the_budget_protects(playground):
    p = playground
    p.type_yaml(LOGIN)
    p.apply()
    expect(p.pods("Deployment/login-app", "Running")).to_have_count(3)
    api(p.server, "POST", "/apis/policy/v1/namespaces/default/poddisruptionbudgets", PDB)
    p.server.wait_until(lambda: (api(p.server, "GET", "/apis/policy/v1/namespaces/default/poddisruptionbudgets/login")
                                 .get("status") or {}).get("currentHealthy") == 3, 20, message="the PDB's status")
    node = p.page.locator("[data-node]").filter(has=p.page.locator("[data-pod]")).first
    name = node.get_attribute("data-node")
    protected = p.pods("Deployment/login-app", node=name).count()
    assert protected >= 1
    node.locator("header").click()
    p.page.locator("#details").get_by_role("button", name="Drain", exact=True).click()
    expect(node).to_have_attribute("data-cordoned", "true")
    expect(p.page.locator("#toast")).to_contain_text(
        f"node/{name}: {protected} pod(s) not evicted: Cannot evict pod as it would violate the pod's disruption budget.")
    expect(p.pods("Deployment/login-app", node=name)).to_have_count(protected)
