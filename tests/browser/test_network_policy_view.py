"""Issue 13 (NetworkPolicy): the details panel says, for a selected pod, who may reach it and whom it
may reach (the policies selecting it, their rules in words), and a request a policy dropped is
drawn red to the pod it was meant for with the verdict written beside it."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.test_issue9_lab import shot
from tests.browser.test_playground import api

WEB = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
       "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}},
                             "spec": {"containers": [{"name": "web", "image": "nginx:1.27",
                                                      "ports": [{"containerPort": 80}]}]}}}}
SVC = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"},
       "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 80}]}}
CLIENT = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "client", "namespace": "default"},
          "spec": {"containers": [{"name": "c", "image": "curlimages/curl:8.11.1", "command": ["sleep", "infinity"]}]}}
POLICIES = "/apis/networking.k8s.io/v1/namespaces/default/networkpolicies"


def _policy(name, spec):
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": "default"}, "spec": spec}


def test_the_policies_of_a_pod_in_words_and_a_dropped_request_marked(playground, tmp_path):
    p = playground
    p.page.set_viewport_size({"width": 1400, "height": 900})
    for path, body in (("/apis/apps/v1/namespaces/default/deployments", WEB),
                       ("/api/v1/namespaces/default/services", SVC), ("/api/v1/namespaces/default/pods", CLIENT)):
        api(p.server, "POST", path, body)
    expect(p.pods(workload="Deployment/web", status="Running")).to_have_count(1)
    expect(p.page.locator('.service[data-service="default/web"][data-ready="1"]')).to_have_count(1)
    # the web pod, selected before any policy exists: anyone may reach it
    p.pods(workload="Deployment/web", status="Running").first.click()
    policies = p.page.locator("#details .facts.policies")
    ingress = policies.locator('dd[data-direction="ingress"]')
    expect(ingress).to_have_text("anyone (no NetworkPolicy selects it)")
    api(p.server, "POST", POLICIES, _policy("default-deny", {"podSelector": {}}))
    api(p.server, "POST", POLICIES, _policy("web-from-frontend", {
        "podSelector": {"matchLabels": {"app": "web"}},
        "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "frontend"}}}], "ports": [{"port": 80}]}]}))

    # the panel follows: isolated for ingress, reachable from frontends on TCP 80; egress not isolated
    expect(ingress).to_contain_text("web-from-frontend: from pods app=frontend in this namespace on TCP 80")
    expect(ingress).to_contain_text("default-deny")
    expect(policies.locator('dd[data-direction="egress"]')).to_have_text("anyone (no NetworkPolicy selects it)")
    policies.scroll_into_view_if_needed()
    shot(p.page, tmp_path, "netpol-details-1400")

    # the client, isolated by default-deny alone: nobody may reach it
    client = p.page.locator('[data-pod="default/client"][data-status="Running"]')
    client.click()
    expect(policies.locator('dd[data-direction="ingress"]')).to_have_text(
        "nobody — isolated by default-deny, which allows nothing")

    # a request from the client is dropped at web's ingress: red, with the verdict beside web's pod
    p.page.locator("#details").get_by_role("button", name="Shell").click()
    rows = p.page.locator("#pod-console .xterm-rows")
    expect(rows).to_contain_text(re.compile(r"[#$] "))
    p.page.keyboard.type("for i in 1 2 3 4 5 6; do curl --connect-timeout 1 web; done")
    p.page.keyboard.press("Enter")
    note = p.page.locator('.request-dropped[data-client="default/client"]')
    expect(note.first).to_contain_text("dropped by NetworkPolicy default-deny, web-from-frontend (ingress)")
    path = p.page.locator('svg.request-paths .request-path.failed[data-client="default/client"]')
    expect(path.first).to_have_attribute("data-policy", "dropped by NetworkPolicy default-deny, web-from-frontend (ingress)")
    assert path.first.get_attribute("data-endpoint").startswith("default/web-")
    expect(p.page.locator('[data-workload="Deployment/web"].req-dropped')).to_have_count(1)
    expect(rows).to_contain_text("curl: (28) Connection timed out after 1001 milliseconds")
    # the reconcile log says it too, as the playground's view (a real cluster emits no Event)
    logged = p.page.locator('#log [data-controller="network"]')
    expect(logged.first).to_be_attached()
    assert "dropped by NetworkPolicy" in logged.first.text_content()
    shot(p.page, tmp_path, "netpol-dropped-1400")
    # the verdict fades like the other paths; on a smaller screen a new one is placed beside web again
    p.page.keyboard.press("Control+C")
    expect(p.page.locator(".request-dropped, .req-dropped")).to_have_count(0)
    p.page.set_viewport_size({"width": 1024, "height": 700})
    p.page.keyboard.type("curl --connect-timeout 1 web")
    p.page.keyboard.press("Enter")
    expect(note).to_have_count(1)
    expect(note).to_be_visible()
    shot(p.page, tmp_path, "netpol-dropped-1024")
