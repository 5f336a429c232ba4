"""Issue 11 item 8: a pod's Shell (xterm.js on `exec`, v5.channel.k8s.io) and its Logs following
live, from the pod's details in the page — at 1400×900 and 1024×700."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_issue9_lab import SIZES, shot
from tests.browser.test_playground import api

POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "default"},
       "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}


def _open_pod(p):
    api(p.server, "POST", "/api/v1/namespaces/default/pods", POD)
    pod = p.page.locator('[data-pod="default/web"][data-status="Running"]')
    expect(pod).to_have_count(1)
    pod.click()
    expect(p.page.locator("#details")).to_be_visible()


@pytest.mark.parametrize("size", SIZES)
def test_a_pods_shell_runs_commands_inside_the_container(playground, size, tmp_path):
    p = playground
    p.page.set_viewport_size({"width": size[0], "height": size[1]})
    _open_pod(p)
    p.page.locator("#details").get_by_role("button", name="Shell").click()
    console = p.page.locator("#pod-console")
    expect(console).to_be_visible()
    rows = console.locator(".xterm-rows")
    expect(rows).to_contain_text("# ")                     # the shell's prompt
    p.page.keyboard.type("hostname")
    p.page.keyboard.press("Enter")
    expect(rows).to_contain_text("web")
    p.page.keyboard.type("cat /usr/share/nginx/html/index.html | grep -c Welcome")
    p.page.keyboard.press("Enter")
    expect(rows).to_contain_text("Welcome")
    shot(p.page, tmp_path, f"pod-shell-{size[0]}x{size[1]}")
    p.page.keyboard.type("exit 3")
    p.page.keyboard.press("Enter")
    expect(rows).to_contain_text("command terminated with exit code 3")
    console.get_by_role("button", name="Close the pod console").click()
    expect(console).to_be_hidden()


def test_a_pods_logs_follow_live(playground):
    p = playground
    _open_pod(p)
    p.page.locator("#details").get_by_role("button", name="Logs").click()
    console = p.page.locator("#pod-console")
    expect(console).to_have_attribute("data-mode", "logs")
    expect(console.locator(".xterm-rows")).to_contain_text("Configuration complete; ready for start up")
    # Deleting the pod stops its container: the followed log ends, as `kubectl logs -f` does.
    api(p.server, "DELETE", "/api/v1/namespaces/default/pods/web")
    expect(console.locator(".xterm-rows")).to_contain_text("end of log")
