"""Issue 11 item 7: the node boxes show what each node uses (the metrics API's figures, as
`kubectl top node` shows them) beside what its pods request."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_playground import api

STRESS = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "cpu-demo", "namespace": "default"},
          "spec": {"containers": [{"name": "c", "image": "vish/stress", "args": ["-cpus", "2"],
                                   "resources": {"requests": {"cpu": "500m"}, "limits": {"cpu": "1"}}}]}}


def test_a_node_box_shows_usage_beside_requests(playground):
    p = playground
    api(p.server, "POST", "/api/v1/namespaces/default/pods", STRESS)
    pod = p.page.locator('[data-node] [data-pod="default/cpu-demo"][data-status="Running"]')
    expect(pod).to_have_count(1)
    inside = p.page.locator('[data-pod="default/cpu-demo"]')
    node = p.page.locator("[data-node]").filter(has=inside)
    # 500m requested; a stress that wants 2 cores is held to its 1-core limit, plus the node's own share.
    expect(node.locator(".meter").first).to_contain_text("500m req · ", timeout=30_000)
    p.page.wait_for_function("""(name) => {
        const el = document.querySelector(`[data-node="${name}"]`);
        return el && parseFloat(el.dataset.cpuUsed) >= 1;
    }""", arg=node.get_attribute("data-node"), timeout=30_000)
    idle = p.page.locator("[data-node]").filter(has_not=inside).first
    expect(idle.locator(".meter").first).to_contain_text("0 req · ")
