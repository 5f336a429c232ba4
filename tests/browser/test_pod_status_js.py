"""The page colours pods by the STATUS column kubectl prints. static/js/podstatus.js ports
kubectl's printPod; here it runs in Chromium on a table of pods, and must agree both with the
expected text and with the server's own port (webapp.api.printers), which kubectl's tests check."""
from __future__ import annotations

import copy

import pytest

from webapp.api import printers


def pod(phase="Running", containers=None, init=None, init_specs=None, conditions=None, reason=None,
        deleting=False, n=1):
    p = {"apiVersion": "v1", "kind": "Pod",
         "metadata": {"name": "p", "namespace": "default", "uid": "u"},
         "spec": {"containers": [{"name": f"c{i}", "image": "nginx"} for i in range(n)]},
         "status": {"phase": phase}}
    if containers is not None:
        p["status"]["containerStatuses"] = containers
    if init is not None:
        p["status"]["initContainerStatuses"] = init
        p["spec"]["initContainers"] = init_specs or [{"name": c["name"], "image": "busybox"} for c in init]
    if conditions is not None:
        p["status"]["conditions"] = conditions
    if reason:
        p["status"]["reason"] = reason
    if deleting:
        p["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    return p


def cs(name="c0", ready=False, restarts=0, **state):
    return {"name": name, "ready": ready, "restartCount": restarts, "state": state}


READY = [{"type": "Ready", "status": "True"}, {"type": "Initialized", "status": "True"}]
CASES = [
    ("Pending", pod("Pending")),
    ("ContainerCreating", pod("Pending", [cs(waiting={"reason": "ContainerCreating"})])),
    ("Running", pod("Running", [cs(ready=True, running={})], conditions=READY)),
    ("CrashLoopBackOff", pod("Running", [cs(restarts=3, waiting={"reason": "CrashLoopBackOff"})])),
    ("ErrImagePull", pod("Pending", [cs(waiting={"reason": "ErrImagePull"})])),
    ("Completed", pod("Succeeded", [cs(terminated={"exitCode": 0, "reason": "Completed"})])),
    ("Error", pod("Failed", [cs(terminated={"exitCode": 1, "reason": "Error"})])),
    ("ExitCode:2", pod("Failed", [cs(terminated={"exitCode": 2})])),
    ("Signal:9", pod("Failed", [cs(terminated={"exitCode": 137, "signal": 9})])),
    ("Terminating", pod("Running", [cs(ready=True, running={})], conditions=READY, deleting=True)),
    ("Unknown", pod("Running", [cs(ready=True, running={})], reason="NodeLost", deleting=True)),
    ("Completed", pod("Succeeded", [cs(terminated={"exitCode": 0, "reason": "Completed"})], deleting=True)),
    ("Evicted", pod("Failed", reason="Evicted")),
    ("SchedulingGated", pod("Pending", conditions=[{"type": "PodScheduled", "status": "False",
                                                    "reason": "SchedulingGated"}])),
    ("Init:0/1", pod("Pending", [cs(waiting={"reason": "PodInitializing"})],
                     init=[cs("init", running={})])),
    ("Init:CrashLoopBackOff", pod("Pending", [cs(waiting={"reason": "PodInitializing"})],
                                  init=[cs("init", restarts=2, waiting={"reason": "CrashLoopBackOff"})])),
    ("Init:Error", pod("Pending", [], init=[cs("init", terminated={"exitCode": 1, "reason": "Error"})])),
    ("Init:ExitCode:3", pod("Pending", [], init=[cs("init", terminated={"exitCode": 3})])),
    ("Running", pod("Running", [cs("c0", ready=True, running={}),
                                cs("c1", terminated={"exitCode": 0, "reason": "Completed"})],
                    conditions=READY, n=2)),
    ("NotReady", pod("Running", [cs("c0", ready=True, running={}),
                                 cs("c1", terminated={"exitCode": 0, "reason": "Completed"})],
                     conditions=[{"type": "Ready", "status": "False"}], n=2)),
    # A started sidecar (restartable init container) is skipped and counts toward READY.
    ("Running", pod("Running", [cs(ready=True, running={})], conditions=READY,
                    init=[dict(cs("side", ready=True, running={}), started=True)],
                    init_specs=[{"name": "side", "image": "envoy", "restartPolicy": "Always"}])),
]


@pytest.fixture
def js_pod_columns(js_page):
    js_page.evaluate("async () => { window.ps = await import('/static/js/podstatus.js'); }")
    return lambda p: js_page.evaluate("p => window.ps.podColumns(p)", p)


@pytest.mark.parametrize("want, p", CASES, ids=[f"{i}-{c[0]}" for i, c in enumerate(CASES)])
def test_pod_status_matches_kubectl(js_pod_columns, want, p):
    got = js_pod_columns(copy.deepcopy(p))
    assert got["status"] == want
    assert got["status"] == printers.pod_status(p)
    assert f'{got["ready"]}/{got["total"]}' == printers.pod_ready(p)
