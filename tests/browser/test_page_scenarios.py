"""Scenarios that check themselves (issue 9 item 5), in real Chromium: started in the page, done
by acting with the real kubectl, checked against the live cluster, and still done after a reload
(progress in localStorage). Scenarios are data: webapp/scenarios/scenarios.yaml."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import expect

DATA = Path(__file__).resolve().parents[2] / "webapp" / "scenarios" / "scenarios.yaml"


def shot(page, tmp_path, name: str) -> None:
    out = Path(os.environ.get("KUBEPLAY_SHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out / f"{name}.png"))


def start(p, sid: str):
    p.page.locator("#scenarios summary").click()
    item = p.page.locator(f'[data-scenario="{sid}"]')
    item.get_by_role("button", name="Start scenario").click()
    expect(item).to_have_attribute("data-active", "true")
    expect(item).to_have_attribute("data-state", "open")
    return item


def test_every_scenario_is_listed_open_with_its_hook(playground):
    ids = [s["id"] for s in yaml.safe_load(DATA.read_text())]
    assert len(ids) >= 10 and len(set(ids)) == len(ids)
    for sid in ids:
        expect(playground.page.locator(f'[data-scenario="{sid}"]')).to_have_attribute("data-state", "open")


@pytest.mark.parametrize("size", [pytest.param((1400, 900), id="1400x900"), pytest.param((1024, 700), id="1024x700")])
def test_scaling_done_with_kubectl_and_kept_across_a_reload(playground, size, tmp_path):
    p = playground
    p.page.set_viewport_size({"width": size[0], "height": size[1]})
    item = start(p, "scaling")
    expect(p.pods("Deployment/web")).to_have_count(2)          # the setup applied web.yaml
    expect(item.locator(".sc-progress")).to_contain_text("desired 2")
    item.get_by_role("button", name="Hint").click()
    expect(item.locator(".sc-hints li")).to_have_count(1)
    p.server.kubectl("scale", "deployment", "web", "--replicas=5")
    expect(item).to_have_attribute("data-state", "done")
    expect(item.locator(".sc-progress")).to_have_text("Done: 5 replicas, all Ready")
    expect(p.page.locator("#scenarios-done")).to_have_text("1/" + str(len(yaml.safe_load(DATA.read_text()))))
    shot(p.page, tmp_path, f"lab-scenario-done-{size[0]}x{size[1]}")
    p.page.reload()
    expect(p.page.locator("#conn")).to_have_attribute("data-state", "live")
    expect(p.page.locator('[data-scenario="scaling"]')).to_have_attribute("data-state", "done")
    expect(p.page.locator('[data-scenario="self-healing"]')).to_have_attribute("data-state", "open")


def test_a_service_with_no_endpoints_is_fixed_with_kubectl(playground):
    p = playground
    item = start(p, "no-endpoints")
    expect(item.locator(".sc-progress")).to_contain_text("Service shop has no Ready endpoints")
    p.server.kubectl("patch", "service", "shop", "-p", '{"spec":{"selector":{"app":"shop"}}}')
    expect(item).to_have_attribute("data-state", "done")


def test_self_healing_is_done_by_killing_a_pod_in_the_page(playground):
    p = playground
    item = start(p, "self-healing")
    expect(p.pods("Deployment/login-app", "Running")).to_have_count(3)
    expect(item.locator(".sc-progress")).to_contain_text("3 Ready pods: kill one")
    pod = p.pods("Deployment/login-app", "Running").first.get_attribute("data-pod")
    p.page.locator(f'[data-pod="{pod}"]').click()
    p.page.locator("#details").get_by_role("button", name="Kill", exact=False).first.click()
    expect(item).to_have_attribute("data-state", "done")
    expect(item.locator(".sc-progress")).to_contain_text("a pod went and was replaced")
