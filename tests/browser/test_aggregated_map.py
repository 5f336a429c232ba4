"""The cluster map with thousands of pods: each node's box sums its pods up; zooming into a node
shows them. (2,400 pods cross the page's threshold — 2,000, view/cluster.js AGGREGATE_ON — as
10,000 would, in a fraction of the time; bench/browser_frames.py draws the 10,000.)

Above a few thousand pods the map stops drawing one tile per pod (and keeps no element per pod):
each node's box shows how many pods it runs, a bar of their STATUSes and the counts in words.
Zooming into one node shows that node's pods (tiles, each with its hidden button as everywhere
else); the other boxes stay summaries. Correctness only: the timings are bench/browser_frames.py's.
"""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_playground import api

PODS = 2_400
NODES = 8

DEPLOYMENT = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "big", "namespace": "default"},
    "spec": {"replicas": PODS, "selector": {"matchLabels": {"app": "big"}},
             "template": {"metadata": {"labels": {"app": "big"}},
                          "spec": {"containers": [{"name": "app", "image": "nginx"}]}}},
}

# The summaries' counts, read from the page: {node: {status: count}}.
SUMMARIES = """() => Object.fromEntries([...document.querySelectorAll('#nodes [data-node]')].map((n) => {
  const s = n.querySelector('.pod-summary');
  const counts = s ? Object.fromEntries((s.dataset.statuses || '').split(' ').filter(Boolean)
    .map((kv) => { const [k, v] = kv.split('='); return [k, Number(v)]; })) : null;
  return [n.dataset.node, counts];
}))"""

ALL_RUNNING = f"""() => {{
  const boxes = [...document.querySelectorAll('#nodes [data-node]')];
  let running = 0;
  for (const n of boxes) {{
    const s = n.querySelector('.pod-summary');
    if (!s) return false;
    const m = /(?:^| )Running=(\\d+)/.exec(s.dataset.statuses || '');
    if (m) running += Number(m[1]);
  }}
  return boxes.length === {NODES} && running === {PODS};
}}"""


def pods_on(server, node: str) -> set[str]:
    body = api(server, "GET", f"/api/v1/namespaces/default/pods?fieldSelector=spec.nodeName%3D{node}")
    return {p["metadata"]["name"] for p in body["items"]}


def test_thousands_of_pods_are_summed_up_per_node_and_a_node_zooms_in(playground_factory):
    p = playground_factory(speed=100, nodes=NODES,
                           extra_args=("--pods-per-node", "600", "--max-pods", str(PODS + 200)))
    page = p.page
    api(p.server, "POST", "/apis/apps/v1/namespaces/default/deployments", DEPLOYMENT)

    # Every node's box becomes a summary, and their counts reach all the pods Running.
    page.wait_for_function(ALL_RUNNING, timeout=240_000, polling=500)
    expect(page.locator("#nodes .pod-summary")).to_have_count(NODES)
    # No element per pod, no tiles: the map holds counts.
    expect(page.locator("[data-pod]")).to_have_count(0)
    expect(page.locator("#nodes canvas.pod-canvas")).to_have_count(0)

    # The counts are the API's: each box sums up exactly the pods bound to its node.
    summaries = page.evaluate(SUMMARIES)
    node = sorted(summaries)[3]
    names = pods_on(p.server, node)
    assert summaries[node] == {"Running": len(names)}
    box = page.locator(f'#nodes [data-node="{node}"]')
    expect(box.locator(".agg-text")).to_have_text(f"{len(names)} Running")
    expect(box.locator(".pod-summary")).to_have_attribute("aria-label", f"{len(names)} pods: {len(names)} Running")

    # Zoom into that node: its pods appear (tiles, with a button each), the others stay summaries.
    box.get_by_role("button", name=f"show its {len(names)} pods").click()
    expect(box).to_have_attribute("data-zoomed", "true")
    expect(box.locator(".pod-summary")).to_have_count(0)
    expect(box.locator("canvas.pod-canvas")).to_have_count(1)
    expect(box.locator("[data-pod]")).to_have_count(len(names))
    shown = set(box.locator("[data-pod]").evaluate_all("els => els.map((e) => e.dataset.pod.split('/')[1])"))
    assert shown == names
    expect(box.locator('[data-pod][data-status="Running"]')).to_have_count(len(names))
    expect(page.locator("#nodes .pod-summary")).to_have_count(NODES - 1)
    expect(page.locator("[data-pod]")).to_have_count(len(names))

    # A tile is a pod: clicking the first one opens that pod's details.
    box.locator("canvas.pod-canvas").click(position={"x": 4, "y": 4})
    expect(page.locator("#details")).to_be_visible()
    title = page.locator("#details-title").inner_text()
    assert any(name in title for name in names), title

    # Back to all nodes: summaries everywhere again, no element per pod.
    box.get_by_role("button", name="back to all nodes").click()
    expect(box).to_have_attribute("data-zoomed", "false")
    expect(page.locator("#nodes .pod-summary")).to_have_count(NODES)
    expect(page.locator("[data-pod]")).to_have_count(0)

    # Scaled back down to a few hundred pods, the map draws one tile (and button) per pod again.
    api(p.server, "PATCH", "/apis/apps/v1/namespaces/default/deployments/big/scale",
        {"spec": {"replicas": 300}}, "application/merge-patch+json")
    expect(page.locator("#nodes .pod-summary")).to_have_count(0, timeout=240_000)
    expect(page.locator('[data-pod][data-workload="Deployment/big"]')).to_have_count(300, timeout=240_000)
