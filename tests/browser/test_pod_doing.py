"""Issue 11 item 1: the pod's details say what each container is doing, from the image catalog
(GET /kubeplay/v1/doing/<ns>/<pod>): the docs' init-containers example shows its init container's
fetch and nginx serving, the agnhost liveness example its /healthz turning 500."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_playground import api

# kubernetes.io pods/init-containers.yaml: the init container writes into the emptyDir nginx serves.
INIT_DEMO = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "init-demo", "namespace": "default"},
             "spec": {"containers": [{"name": "nginx", "image": "nginx", "ports": [{"containerPort": 80}],
                                      "volumeMounts": [{"name": "workdir", "mountPath": "/usr/share/nginx/html"}]}],
                      "initContainers": [{"name": "install", "image": "busybox:1.28",
                                          "command": ["wget", "-O", "/work-dir/index.html", "http://info.cern.ch"],
                                          "volumeMounts": [{"name": "workdir", "mountPath": "/work-dir"}]}],
                      "dnsPolicy": "Default", "volumes": [{"name": "workdir", "emptyDir": {}}]}}


def test_the_details_say_what_each_container_is_doing(playground):
    p = playground
    api(p.server, "POST", "/api/v1/namespaces/default/pods", INIT_DEMO)
    pod = p.page.locator('[data-pod="default/init-demo"][data-status="Running"]')
    expect(pod).to_have_count(1)
    pod.click()
    doing = p.page.locator("#details dl.doing")
    expect(doing).to_contain_text("install (init)")
    expect(doing).to_contain_text("runs 1 s, then exits 0")
    expect(doing).to_contain_text("serving on :80")
