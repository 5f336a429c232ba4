"""A Job's pods on the page: drawn on their nodes like any other pod, labelled with their Job,
Running while they work and Completed once their command has exited 0 — what `kubectl get pods`
shows. Waits are on what the page shows (Playwright's expect), never sleeps."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_playground import api

JOB = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "count", "namespace": "default"},
       "spec": {"completions": 2, "parallelism": 2, "template": {"spec": {
           "containers": [{"name": "c", "image": "busybox:1.36", "command": ["sh", "-c", "echo hi; sleep 3"]}],
           "restartPolicy": "Never"}}}}


def test_a_job_s_pods_show_on_their_nodes_running_then_completed(playground):
    p = playground
    p.set_speed(5)
    api(p.server, "POST", "/apis/batch/v1/namespaces/default/jobs", JOB)
    expect(p.pods("Job/count", node=None)).to_have_count(2)
    expect(p.page.locator('[data-node] [data-pod][data-workload="Job/count"][data-status="Completed"]')
           ).to_have_count(2)
    job = api(p.server, "GET", "/apis/batch/v1/namespaces/default/jobs/count")
    assert job["status"]["succeeded"] == 2
