"""Issue 11 item 7: the node boxes show what each node uses (the metrics API's figures, as
`kubectl top node` shows them) beside what its pods request."""
from __future__ import annotations

from playwright.sync_api import expect

from engine.quantity import parse_quantity
from tests.browser.test_playground import api

STRESS = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "cpu-demo", "namespace": "default"},
          "spec": {"containers": [{"name": "c", "image": "vish/stress", "args": ["-cpus", "2"],
                                   "resources": {"requests": {"cpu": "500m"}, "limits": {"cpu": "1"}}}]}}

# A node box as drawn, read at one moment (usage is read again every few seconds): the figures it
# carries (data-cpu-used, ...), and each meter's words and its bar's two shares as the bar's
# background reads them (view/meter.js: --fill what is requested, --used what is used; "" unset).
BOX = """(name) => {
    const box = document.querySelector(`[data-node="${name}"]`);
    const meters = Object.fromEntries([...box.querySelectorAll(".meter")].map((m) => {
        const bar = m.querySelector(".bar"), style = getComputedStyle(bar);
        return [m.querySelector(".meter-label").textContent, {
            text: m.querySelector(".meter-text").textContent,
            fill: style.getPropertyValue("--fill").trim(), used: style.getPropertyValue("--used").trim(),
            image: style.backgroundImage, children: bar.children.length }];
    }));
    return [{ ...box.dataset }, meters];
}"""


def share(value, of) -> float:
    return float(100 * parse_quantity(value) / parse_quantity(of))


def percent(css: str) -> float:
    assert css.endswith("%"), css
    return float(css[:-1])


def check_bar(meter: dict, requested, used, of) -> None:
    """The bar is filled to what is requested of `of`, and marks what is used (None: no mark)."""
    assert meter["children"] == 0, "the bar is painted by its background, not by child elements"
    assert meter["image"].count("linear-gradient") == 2, meter["image"]
    assert abs(percent(meter["fill"]) - share(requested, of)) < 0.01, (meter, requested, of)
    assert meter["fill"] in meter["image"], meter        # the fill's stop is that share
    if used is None:
        assert meter["used"] == "", meter
        return
    # The bar is drawn from the metrics' exact figure, `used` is the box's figure in words, rounded
    # (to a hundredth of a core: an eighth of a percent of a 4-core node).
    assert abs(percent(meter["used"]) - share(used, of)) < 0.2, (meter, used, of)
    # The background is drawn from that share: the mark's stops sit on it.
    assert meter["used"] in meter["image"], meter


def test_a_node_box_shows_usage_beside_requests(playground):
    p = playground
    api(p.server, "POST", "/api/v1/namespaces/default/pods", STRESS)
    pod = p.page.locator('[data-node] [data-pod="default/cpu-demo"][data-status="Running"]')
    expect(pod).to_have_count(1)
    inside = p.page.locator('[data-pod="default/cpu-demo"]')
    node = p.page.locator("[data-node]").filter(has=inside)
    name = node.get_attribute("data-node")
    expect(node.locator(".meter").first).to_contain_text("500m req · ", timeout=30_000)
    # A stress that wants 2 cores is held to its 1-core limit, plus the node's own share: at least
    # a core once the metrics show it running, and less than the two it asks for. (The page
    # writes millicores below a core, "46m": read as a quantity, not as a number.)
    p.page.wait_for_function("""(name) => {
        const q = document.querySelector(`[data-node="${name}"]`)?.dataset.cpuUsed || "";
        return (q.endsWith("m") ? parseFloat(q) / 1000 : parseFloat(q)) >= 1;
    }""", arg=name, timeout=30_000)
    alloc = api(p.server, "GET", f"/api/v1/nodes/{name}")["status"]["allocatable"]
    figures, meters = p.page.evaluate(BOX, name)
    assert 1 <= parse_quantity(figures["cpuUsed"]) < 2, figures
    check_bar(meters["cpu"], "500m", figures["cpuUsed"], alloc["cpu"])
    check_bar(meters["memory"], "0", figures["memoryUsed"], alloc["memory"])
    check_bar(meters["pods"], "1", None, alloc["pods"])

    idle = p.page.locator("[data-node]").filter(has_not=inside).first
    expect(idle.locator(".meter").first).to_contain_text("0 req · ")
    idle_name = idle.get_attribute("data-node")
    figures, meters = p.page.evaluate(BOX, idle_name)
    alloc = api(p.server, "GET", f"/api/v1/nodes/{idle_name}")["status"]["allocatable"]
    assert parse_quantity(figures["cpuUsed"]) < 1, figures       # the node's own share only
    check_bar(meters["cpu"], "0", figures["cpuUsed"], alloc["cpu"])
    check_bar(meters["pods"], "0", None, alloc["pods"])
