"""Issue 11 item 5: the page draws a request between pods as it happens — curl run in a pod's
Shell through a Service lights up the client pod, the Service's card with the endpoint chip
kube-proxy chose, and the serving pod, joined by an arrow client → Service → endpoint."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.test_issue9_lab import shot
from tests.browser.test_playground import api

WEB = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
       "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}},
                             "spec": {"containers": [{"name": "web", "image": "registry.k8s.io/e2e-test-images/agnhost:2.53",
                                                      "args": ["netexec", "--http-port=8080"]}]}}}}
SVC = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"},
       "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]}}
CLIENT = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "client", "namespace": "default"},
          "spec": {"containers": [{"name": "c", "image": "curlimages/curl:8.11.1", "command": ["sleep", "infinity"]}]}}


def test_a_request_through_a_service_is_drawn(playground, tmp_path):
    p = playground
    for path, body in (("/apis/apps/v1/namespaces/default/deployments", WEB),
                       ("/api/v1/namespaces/default/services", SVC), ("/api/v1/namespaces/default/pods", CLIENT)):
        api(p.server, "POST", path, body)
    expect(p.pods(workload="Deployment/web", status="Running")).to_have_count(2)
    expect(p.page.locator('.service[data-service="default/web"][data-ready="2"]')).to_have_count(1)
    client = p.page.locator('[data-pod="default/client"][data-status="Running"]')
    expect(client).to_have_count(1)
    client.click()
    p.page.locator("#details").get_by_role("button", name="Shell").click()
    rows = p.page.locator("#pod-console .xterm-rows")
    expect(rows).to_contain_text(re.compile(r"[#$] "))   # the shell's prompt
    p.page.keyboard.type("while true; do curl -s web/hostname; echo; sleep 1; done")
    p.page.keyboard.press("Enter")
    expect(rows).to_contain_text("web-")
    # the arrow: client → the Service → one of its pods, with the answer's status
    path = p.page.locator('svg.request-paths .request-path[data-client="default/client"][data-service="default/web"]')
    expect(path.first).to_be_attached()
    assert path.first.get_attribute("data-endpoint").startswith("default/web-")
    assert path.first.get_attribute("data-status") == "200"
    expect(p.page.locator('[data-pod="default/client"].req-client')).to_have_count(1)
    expect(p.page.locator('.service[data-service="default/web"].req-service')).to_have_count(1)
    expect(p.page.locator('[data-workload="Deployment/web"].req-endpoint')).to_have_count(1)
    expect(p.page.locator('.service[data-service="default/web"] .endpoint.req-chosen')).to_have_count(1)
    shot(p.page, tmp_path, "request-path")
    # and it fades: with the loop stopped, nothing stays lit
    p.page.keyboard.press("Control+C")
    expect(p.page.locator(".req-client, .req-service, .req-endpoint, .request-path")).to_have_count(0)
    # a Service with no ready endpoint refuses: the client and the Service flash red, no pod serves
    api(p.server, "POST", "/api/v1/namespaces/default/services",
        {**SVC, "metadata": {"name": "empty", "namespace": "default"}, "spec": {**SVC["spec"], "selector": {"app": "none"}}})
    expect(p.page.locator('.service[data-service="default/empty"]')).to_have_count(1)
    p.page.keyboard.type("for i in 1 2 3 4 5; do curl -s empty; echo $?; sleep 1; done")
    p.page.keyboard.press("Enter")
    expect(p.page.locator('.service[data-service="default/empty"].req-service.req-failed')).to_have_count(1)
    expect(p.page.locator('[data-pod="default/client"].req-client.req-failed')).to_have_count(1)
    expect(p.page.locator(".req-endpoint")).to_have_count(0)
    expect(rows).to_contain_text("7")
