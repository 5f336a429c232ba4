"""A Job's pods on the page: drawn on their nodes like any other pod, labelled with their Job,
Running while they work and Completed once their command has exited 0 — what `kubectl get pods`
shows. Waits are on what the page shows (Playwright's expect), never sleeps."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_playground import api
from tests.conftest import wait_until

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
    # The Job controller counts the pods after they completed (a write of its own, which may come
    # after the page has drawn them): poll for it.
    wait_until(lambda: api(p.server, "GET", "/apis/batch/v1/namespaces/default/jobs/count")["status"].get("succeeded") == 2,
               message="the Job's status.succeeded")


def test_a_job_s_card_says_how_far_it_got_and_how_it_ended(playground):
    p = playground
    p.set_speed(5)
    api(p.server, "POST", "/apis/batch/v1/namespaces/default/jobs", JOB)
    card = p.page.locator('[data-workload="Job/count"].workload')
    expect(card).to_contain_text("completions 0/2")
    expect(card).to_have_attribute("data-status", "Complete")
    expect(card).to_contain_text("completions 2/2")


CRON = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "hello", "namespace": "default"},
        "spec": {"schedule": "*/1 * * * *", "successfulJobsHistoryLimit": 3, "jobTemplate": {"spec": {"template": {"spec": {
            "containers": [{"name": "hello", "image": "busybox:1.28", "command": ["sh", "-c", "date; echo Hello"]}],
            "restartPolicy": "OnFailure"}}}}}}


def test_a_cronjob_s_card_shows_its_schedule_and_the_jobs_it_made(playground_factory):
    p = playground_factory(speed=20)
    api(p.server, "POST", "/apis/batch/v1/namespaces/default/cronjobs", CRON)
    card = p.page.locator('[data-workload="CronJob/hello"].workload')
    expect(card).to_contain_text("schedule */1 * * * *")
    # Each simulated minute it makes a Job; they appear in its history (not as cards of their own).
    expect(card.locator('.job-chip[data-status="Complete"]')).to_have_count(2, timeout=60_000)
    expect(p.page.locator('.workload[data-workload^="Job/hello-"]')).to_have_count(0)
    expect(card).not_to_contain_text("last never")


WEB = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web", "namespace": "default"},
       "spec": {"serviceName": "nginx", "replicas": 2, "selector": {"matchLabels": {"app": "nginx"}},
                "template": {"metadata": {"labels": {"app": "nginx"}},
                             "spec": {"containers": [{"name": "nginx", "image": "registry.k8s.io/nginx-slim:0.24",
                                                      "volumeMounts": [{"name": "www", "mountPath": "/usr/share/nginx/html"}]}]}},
                "volumeClaimTemplates": [{"metadata": {"name": "www"},
                                          "spec": {"accessModes": ["ReadWriteOnce"],
                                                   "resources": {"requests": {"storage": "1Gi"}}}}]}}


def test_claims_show_beside_their_pods(playground):
    p = playground
    api(p.server, "POST", "/apis/apps/v1/namespaces/default/statefulsets", WEB)
    for i in range(2):
        pod = p.page.locator(f'[data-node] [data-pod="default/web-{i}"]')
        expect(pod).to_have_attribute("data-claims", f"www-web-{i}:Bound")
        expect(pod.locator(".claim-bound")).to_have_text(f"www-web-{i}")
