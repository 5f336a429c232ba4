"""`kubectl autoscale` in the page's terminal (webapp/kubectl/autoscale.py): kubectl 1.32's
generated HorizontalPodAutoscaler (an autoscaling/v1 object, stored through the v1 → v2
conversion), its flag checks with kubectl's texts, and `get hpa` after it."""
from __future__ import annotations

import pytest

from engine import resources as kinds
import webapp.kubectl as terminal


def run(cluster, line):
    return terminal.run(cluster, line)


def test_autoscale_makes_the_hpa_kubectl_would(cluster):
    assert run(cluster, "kubectl create deployment php-apache --image=registry.k8s.io/hpa-example").exit_code == 0
    r = run(cluster, "kubectl autoscale deployment php-apache --cpu-percent=50 --min=1 --max=10")
    assert (r.exit_code, r.output) == (0, "horizontalpodautoscaler.autoscaling/php-apache autoscaled\n")
    hpa = cluster.store.get(kinds.HPA, "default", "php-apache")
    assert hpa["spec"] == {"scaleTargetRef": {"kind": "Deployment", "name": "php-apache", "apiVersion": "apps/v1"},
                           "maxReplicas": 10, "minReplicas": 1,
                           "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                               "type": "Utilization", "averageUtilization": 50}}}]}
    assert hpa["metadata"]["managedFields"][0]["manager"] == "kubectl-autoscale"
    out = run(cluster, "kubectl get hpa").output.splitlines()
    assert out[0].split() == ["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"]
    assert out[1].split()[:7] == ["php-apache", "Deployment/php-apache", "cpu:", "<unknown>/50%", "1", "10", "0"]
    r = run(cluster, "kubectl autoscale deployment/php-apache --max=3 --name=second")
    assert r.exit_code == 0
    second = cluster.store.get(kinds.HPA, "default", "second")["spec"]
    assert second["minReplicas"] == 1 and second["metrics"][0]["resource"]["target"]["averageUtilization"] == 80


@pytest.mark.parametrize("line, message", [
    ("kubectl autoscale deployment php-apache", "error: --max=MAXPODS is required and must be at least 1, max: -1\n"),
    ("kubectl autoscale deployment php-apache --max=3 --min=5",
     "error: --max=MAXPODS must be larger or equal to --min=MINPODS, max: 3, min: 5\n"),
])
def test_autoscale_flag_checks(cluster, line, message):
    run(cluster, "kubectl create deployment php-apache --image=registry.k8s.io/hpa-example")
    r = run(cluster, line)
    assert (r.exit_code, r.output) == (1, message)
