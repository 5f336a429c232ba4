"""The Ingresses panel: a card per Ingress (class, the controller's published address, its rules),
and "Send request" — a request to ingress-nginx as from the learner's machine — showing the route
taken (controller → Ingress → rule → Service → pod → answer) and the body, while the map lights
the Ingress card, the backend Service and the pod that answered. An unknown host shows nginx's
404 from the default backend; the controller's own objects stay in the control-plane strip."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_issue9_lab import shot
from tests.browser.test_playground import api


def _echo(name):
    labels = {"app": name}
    return ({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "default"},
             "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                      "template": {"metadata": {"labels": labels}, "spec": {"containers": [{
                          "name": "echo", "image": "hashicorp/http-echo:1.0", "args": [f"-text=this is {name}"],
                          "ports": [{"containerPort": 5678}]}]}}}},
            {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "default"},
             "spec": {"selector": labels, "ports": [{"port": 80, "targetPort": 5678}]}})


INGRESS = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "shop", "namespace": "default"},
           "spec": {"rules": [
               {"host": "shop.example", "http": {"paths": [
                   {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "front", "port": {"number": 80}}}},
                   {"path": "/api", "pathType": "Prefix", "backend": {"service": {"name": "api", "port": {"number": 80}}}}]}}]}}


@pytest.mark.parametrize("size", [(1400, 900), (1024, 700)])
def test_send_request_shows_the_route_through_the_ingress(playground, tmp_path, size):
    p = playground
    p.page.set_viewport_size({"width": size[0], "height": size[1]})
    for name in ("front", "api"):
        dep, svc = _echo(name)
        api(p.server, "POST", "/apis/apps/v1/namespaces/default/deployments", dep)
        api(p.server, "POST", "/api/v1/namespaces/default/services", svc)
    panel = p.page.locator("#ingresses")
    expect(panel.locator("#ingresses-empty")).to_be_visible()
    api(p.server, "POST", "/apis/networking.k8s.io/v1/namespaces/default/ingresses", INGRESS)
    card = panel.locator('.ingress-card[data-ingress="default/shop"]')
    expect(card).to_have_attribute("data-address", "localhost")       # ingress-nginx published it
    expect(card.locator(".ing-rule")).to_have_count(2)
    expect(card).to_contain_text("class nginx")
    expect(card.locator('.ing-rule[data-path="/api"]')).to_contain_text("api:80")
    expect(panel.locator("#ingresses-empty")).to_be_hidden()
    # the controller is the cluster's machinery: not a workload or Service card on the map
    expect(p.page.locator('.service[data-service="ingress-nginx/ingress-nginx-controller"]')).to_have_count(0)
    expect(p.page.locator("#control-plane .cp-ingress")).to_have_text("ingress-nginx: ingress-nginx-controller 1/1")
    expect(p.page.locator('.service[data-service="default/api"][data-ready="1"]')).to_have_count(1)
    expect(p.page.locator('.service[data-service="default/front"][data-ready="1"]')).to_have_count(1)

    expect(p.page.locator("#ingress-host")).to_have_value("shop.example")    # offered from the rules
    p.page.locator("#ingress-path").fill("/api/orders")
    panel.get_by_role("button", name="Send request").click()
    route = panel.locator("#ingress-route")
    expect(route).to_have_attribute("data-status", "200")
    # the map lights the way: the Ingress card, the backend Service with its chosen chip, the pod
    # (first: the marks fade after 1.8 s, traffic.js FLASH_MS, and the checks below take a while
    # on a busy machine)
    expect(card).to_have_class("ingress-card req-ingress")
    expect(p.page.locator('.service[data-service="default/api"].req-service')).to_have_count(1)
    expect(p.page.locator('[data-workload="Deployment/api"].req-endpoint')).to_have_count(1)
    steps = route.locator(".route-step")
    expect(steps).to_have_count(7)
    assert steps.evaluate_all("els => els.map(e => e.dataset.step)") == [
        "request", "controller", "ingress", "rule", "service", "pod", "answer"]
    expect(route.locator('[data-step="ingress"]')).to_have_text("Ingress default/shop")
    expect(route.locator('[data-step="rule"]')).to_have_text("rule shop.example · /api (Prefix)")
    expect(route.locator('[data-step="service"]')).to_have_text("Service default/api:80")
    expect(route.locator('[data-step="pod"]')).to_contain_text("Pod default/api-")
    expect(route.locator('[data-step="answer"]')).to_have_text("200 OK")
    expect(panel.locator("#ingress-answer")).to_have_text("this is api\n")
    shot(p.page, tmp_path, f"ingress-route-{size[0]}x{size[1]}")
    panel.scroll_into_view_if_needed()
    shot(p.page, tmp_path, f"ingress-panel-{size[0]}x{size[1]}")

    # an unknown host: no rule, the controller's default backend answers nginx's 404
    p.page.locator("#ingress-host").fill("nobody.example")
    p.page.locator("#ingress-path").fill("/")
    panel.get_by_role("button", name="Send request").click()
    expect(route).to_have_attribute("data-status", "404")
    expect(route.locator('[data-step="ingress"]')).to_have_text(
        "no Ingress rule matches: the controller's default backend")
    expect(panel.locator("#ingress-answer")).to_contain_text("404 Not Found")
    expect(panel.locator("#ingress-answer")).to_contain_text("nginx")
