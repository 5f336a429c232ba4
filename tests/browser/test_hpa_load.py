"""The page's load control on a Deployment (issue 13 item 3): set CPU load in the Deployment's
details panel, watch its HorizontalPodAutoscaler scale it out to maxReplicas, remove the load
and watch it come back in once the scale-down stabilization window has passed.

Real Chromium against a real server; the server starts at 20× so the 300 s window passes in
seconds; waits are on what the page shows."""
from __future__ import annotations

from playwright.sync_api import expect

PHP_APACHE = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: php-apache
spec:
  selector:
    matchLabels:
      run: php-apache
  template:
    metadata:
      labels:
        run: php-apache
    spec:
      containers:
      - name: php-apache
        image: registry.k8s.io/hpa-example
        resources:
          limits:
            cpu: 500m
          requests:
            cpu: 200m
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: php-apache
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: php-apache
  minReplicas: 1
  maxReplicas: 5
  metrics:
  - type: Resource
    resource:
      name: cpu
      target:
        type: Utilization
        averageUtilization: 50
"""


def test_the_load_control_makes_the_hpa_scale_out_and_back_in(playground_factory):
    p = playground_factory(speed=20)
    p.type_yaml(PHP_APACHE)
    p.apply()
    expect(p.pods("Deployment/php-apache", "Running")).to_have_count(1)
    p.page.locator('[data-workload="Deployment/php-apache"].workload .wl-name').click()
    expect(p.page.locator("#details-title")).to_have_text("Deployment default/php-apache")
    status = p.page.locator("#details .load-status")
    expect(status).to_have_text("no extra load")
    p.page.get_by_label("CPU load on this Deployment").fill("2")
    p.page.get_by_role("button", name="Set load", exact=True).click()
    expect(status).to_have_text("load: 2 CPU")
    expect(p.pods("Deployment/php-apache", "Running")).to_have_count(5, timeout=60_000)
    # the reconcile log says why each step was taken
    log = p.page.locator("#log-list")
    expect(log).to_contain_text("scaling Deployment php-apache from 1 to 4")
    expect(log).to_contain_text("the desired replica count is increasing faster than the maximum scale rate")
    expect(log).to_contain_text("Deployment default/php-apache: load set to 2 CPU")
    p.page.get_by_role("button", name="Remove load", exact=True).click()
    expect(p.page.locator("#details .load-status")).to_have_text("no extra load")
    expect(p.pods("Deployment/php-apache", "Running")).to_have_count(1, timeout=90_000)
    expect(log).to_contain_text("scaling Deployment php-apache from 5 to 1 (All metrics below target)")
