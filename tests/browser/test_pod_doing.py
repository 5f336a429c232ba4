"""Issue 11 item 1: the pod's details say what each container is doing, from the image catalog
(GET /kubeplay/v1/doing/<ns>/<pod>): the docs' init-containers example shows its init container's
fetch and nginx serving, the agnhost liveness example its /healthz turning 500."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_issue9_lab import shot
from tests.browser.test_playground import api

# kubernetes.io pods/init-containers.yaml: the init container writes into the emptyDir nginx serves.
INIT_DEMO = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "init-demo", "namespace": "default"},
             "spec": {"containers": [{"name": "nginx", "image": "nginx", "ports": [{"containerPort": 80}],
                                      "volumeMounts": [{"name": "workdir", "mountPath": "/usr/share/nginx/html"}]}],
                      "initContainers": [{"name": "install", "image": "busybox:1.28",
                                          "command": ["wget", "-O", "/work-dir/index.html", "http://info.cern.ch"],
                                          "volumeMounts": [{"name": "workdir", "mountPath": "/work-dir"}]}],
                      "dnsPolicy": "Default", "volumes": [{"name": "workdir", "emptyDir": {}}]}}


def doing_of(p, pod: dict, status: str):
    """Create the pod, open its details once the map shows it in `status`: the Doing list."""
    api(p.server, "POST", "/api/v1/namespaces/default/pods", pod)
    card = p.page.locator(f'[data-pod="default/{pod["metadata"]["name"]}"][data-status="{status}"]')
    expect(card).to_have_count(1)
    card.click()
    return p.page.locator("#details dl.doing")


def test_the_details_say_what_each_container_is_doing(playground):
    doing = doing_of(playground, INIT_DEMO, "Running")
    expect(doing).to_contain_text("install (init)")
    expect(doing).to_contain_text("finished (exit 0, Completed): runs 1 s, then exits 0")
    expect(doing).to_contain_text("serving on :80")


@pytest.mark.parametrize("size", [(1400, 900), (1024, 700)])
def test_a_pending_pod_is_not_said_to_be_serving(playground, tmp_path, size):
    """A pod no node can hold stays Pending: its details say the container has not started,
    and what it will do once it runs."""
    p = playground
    p.page.set_viewport_size({"width": size[0], "height": size[1]})
    huge = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "huge", "namespace": "default"},
            "spec": {"containers": [{"name": "web", "image": "nginx", "resources": {"requests": {"cpu": "500"}}}]}}
    doing = doing_of(p, huge, "Pending")
    expect(doing).to_contain_text("not started: the pod is not on a node yet; when it runs: serving on :80")
    shot(p.page, tmp_path, f"doing-pending-{size[0]}x{size[1]}")
