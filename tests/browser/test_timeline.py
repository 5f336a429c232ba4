"""Issue 9 item 6: time you can rewind — the timeline slider shows the cluster as it was, the
page comes back to live on release, and Replay plays the past again. At 1400×900 and 1024×700.

Waits are on what the page shows (Playwright's expect), never sleeps."""
from __future__ import annotations

import json
import math
import urllib.error

import pytest
from playwright.sync_api import expect

from tests.browser.test_issue9_lab import SIZES, WEB, shot
from tests.browser.test_playground import api

WEB_PODS = '[data-node] [data-pod^="default/web-"]'


def _scale(server, replicas: int) -> None:
    api(server, "PATCH", "/apis/apps/v1/namespaces/default/deployments/web/scale",
        {"spec": {"replicas": replicas}}, "application/merge-patch+json")


def _two_then_four(p) -> float:
    """web runs 2 pods, then is scaled to 4; returns a moment (cluster seconds) when it had 2."""
    api(p.server, "POST", "/apis/apps/v1/namespaces/default/deployments", WEB)
    expect(p.page.locator(WEB_PODS + '[data-status="Running"]')).to_have_count(2)
    two = api(p.server, "GET", "/kubeplay/v1/timeline")["now"]
    # The slider moves in whole seconds: let a second pass before the scale, so the second
    # holding `two` has two pods only.
    p.server.wait_until(lambda: api(p.server, "GET", "/kubeplay/v1/timeline")["now"] >= two + 1.5)
    _scale(p.server, 4)
    expect(p.page.locator(WEB_PODS + '[data-status="Running"]')).to_have_count(4)
    return two


@pytest.mark.parametrize("size", SIZES)
def test_dragging_the_timeline_back_shows_the_earlier_cluster_and_release_returns_to_live(playground, size, tmp_path):
    p = playground
    p.page.set_viewport_size({"width": size[0], "height": size[1]})
    two = _two_then_four(p)
    slider = p.page.get_by_role("slider", name="Timeline")
    expect(slider).to_be_visible()
    # Wait for the slider to know the present (it polls the span while live).
    p.page.wait_for_function(f"() => window.kubeplay.timeline.now > {two}")

    # Move it to the moment web had two pods, as a drag's input events do: the map shows 2.
    span = api(p.server, "GET", "/kubeplay/v1/timeline")
    live_count = int(p.page.locator("#pod-count").inner_text())
    slider.evaluate("(el, v) => { el.value = String(v); el.dispatchEvent(new Event('input')); }",
                    math.floor(two - span["start"]))
    expect(p.page.locator("#timeline")).to_have_attribute("data-mode", "past")
    expect(p.page.locator(WEB_PODS)).to_have_count(2)
    expect(p.page.locator("#pod-count")).to_have_text(str(live_count - 2))    # the header counts the past too
    expect(p.page.get_by_role("button", name="Back to live")).to_be_visible()
    # The log stops at that moment too, also inside a group that went on later.
    expect(p.page.locator("#log-list .line:visible").filter(has_text="desired 4")).to_have_count(0)
    shot(p.page, tmp_path, f"timeline-past-{size[0]}x{size[1]}")
    # The cluster went on meanwhile: back to live shows the 4 pods again.
    p.page.get_by_role("button", name="Back to live").click()
    expect(p.page.locator("#timeline")).to_have_attribute("data-mode", "live")
    expect(p.page.locator(WEB_PODS)).to_have_count(4)
    expect(p.page.locator("#log-list .line:visible").filter(has_text="desired 4").first).to_be_visible()

    # A real drag with the mouse: held at the start there is no web pod; released, live again.
    box = slider.bounding_box()
    assert box
    p.page.mouse.move(box["x"] + box["width"] - 3, box["y"] + box["height"] / 2)
    p.page.mouse.down()
    p.page.mouse.move(box["x"] + 2, box["y"] + box["height"] / 2, steps=5)
    expect(p.page.locator("#timeline")).to_have_attribute("data-mode", "past")
    expect(p.page.locator(WEB_PODS)).to_have_count(0)
    p.page.mouse.up()
    expect(p.page.locator("#timeline")).to_have_attribute("data-mode", "live")
    expect(p.page.locator(WEB_PODS)).to_have_count(4)


def test_the_log_hides_what_happened_after_the_moment_shown(playground):
    p = playground
    _two_then_four(p)
    scaled = p.page.locator("#log-list li.group:visible").filter(has_text="replica set web-")
    expect(scaled.first).to_be_visible()
    p.page.get_by_role("slider", name="Timeline").focus()
    p.page.keyboard.press("Home")
    expect(p.page.locator("#timeline")).to_have_attribute("data-mode", "past")
    expect(p.page.locator("#log-list li.group:visible").filter(has_text="replica set web-")).to_have_count(0)
    p.page.keyboard.press("Escape")
    expect(p.page.locator("#timeline")).to_have_attribute("data-mode", "live")
    expect(scaled.first).to_be_visible()


def test_replay_plays_the_past_again_and_ends_live(playground):
    p = playground
    _two_then_four(p)
    p.page.get_by_role("combobox", name="Replay speed").select_option("16")
    p.page.get_by_role("button", name="Replay").click()
    expect(p.page.locator("#timeline")).to_have_attribute("data-mode", "replay")
    expect(p.page.locator("#timeline")).to_have_attribute("data-mode", "live")
    expect(p.page.locator(WEB_PODS)).to_have_count(4)


def test_the_timeline_endpoints_refuse_bad_times(playground):
    for path in ("/kubeplay/v1/timeline/state", "/kubeplay/v1/timeline/state?at=abc",
                 "/kubeplay/v1/timeline/changes?after=nan"):
        with pytest.raises(urllib.error.HTTPError) as e:
            api(playground.server, "GET", path)
        assert e.value.code == 400
        body = json.loads(e.value.read())
        e.value.close()
        assert body["kind"] == "Status" and body["code"] == 400, body
