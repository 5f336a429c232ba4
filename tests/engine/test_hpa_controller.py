"""The HorizontalPodAutoscaler: admission (defaults, validation) and the controller's algorithm on
the manual clock — the replica calculator with its tolerance, the stabilization window, behavior
policies, min/max, conditions and events with upstream's texts — driven by the usage model
(engine/usage.py) plus traffic (engine/load.py): a Deployment load set directly, or a
load-generator pod sending requests to a Service."""
from fractions import Fraction

import pytest

from engine import errors, objects, resources as kinds
from engine.controllers import replica_calculator as calc

NS = "default"


def php_apache(replicas=1, requests=True):
    resources = {"limits": {"cpu": "500m"}, "requests": {"cpu": "200m"}} if requests else {}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "php-apache", "namespace": NS},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"run": "php-apache"}},
                     "template": {"metadata": {"labels": {"run": "php-apache"}},
                                  "spec": {"containers": [{"name": "php-apache", "image": "registry.k8s.io/hpa-example",
                                                           "ports": [{"containerPort": 80}],
                                                           "resources": resources}]}}}}


def service():
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "php-apache", "namespace": NS},
            "spec": {"selector": {"run": "php-apache"}, "ports": [{"port": 80}]}}


def hpa(name="php-apache", target=50, lo=1, hi=10, **spec):
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": name, "namespace": NS},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "php-apache"},
                     "minReplicas": lo, "maxReplicas": hi,
                     "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                         "type": "Utilization", "averageUtilization": target}}}], **spec}}


def load_generator(name="load-generator", url="http://php-apache"):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": NS},
            "spec": {"restartPolicy": "Never", "containers": [{
                "name": name, "image": "busybox:1.28",
                "command": ["/bin/sh", "-c", f"while sleep 0.01; do wget -q -O- {url}; done"]}]}}


def replicas(cluster) -> int:
    return cluster.store.get(kinds.DEPLOYMENT, NS, "php-apache")["spec"]["replicas"]


def status(cluster, name="php-apache") -> dict:
    return cluster.store.get(kinds.HPA, NS, name).get("status") or {}


def condition(cluster, ctype, name="php-apache") -> dict:
    return next(c for c in status(cluster, name).get("conditions") or [] if c["type"] == ctype)


def events(cluster, reason):
    return [e["message"] for e in cluster.store.iter(kinds.EVENT, NS)
            if e.get("reason") == reason and e["involvedObject"]["kind"] == "HorizontalPodAutoscaler"]


def run_for(cluster, seconds, step=15.0):
    t = 0.0
    while t < seconds:
        cluster.advance(step)
        t += step


@pytest.fixture
def walkthrough(cluster):
    cluster.store.create(php_apache())
    cluster.store.create(service())
    cluster.advance(30)
    return cluster


# ---- admission ------------------------------------------------------------------------------------

def test_defaults_min_replicas_and_the_cpu_metric_and_leaves_behavior_absent(cluster):
    obj = hpa()
    del obj["spec"]["minReplicas"], obj["spec"]["metrics"]
    made = cluster.store.create(obj)
    assert made["spec"]["minReplicas"] == 1
    assert made["spec"]["metrics"] == [{"type": "Resource", "resource": {"name": "cpu", "target": {
        "type": "Utilization", "averageUtilization": 80}}}]
    assert "behavior" not in made["spec"]
    assert made["status"] == {"currentMetrics": None, "desiredReplicas": 0}


def test_a_given_behavior_gets_upstreams_default_rules(cluster):
    made = cluster.store.create(hpa(behavior={"scaleDown": {"stabilizationWindowSeconds": 60}}))
    assert made["spec"]["behavior"] == {
        "scaleUp": {"stabilizationWindowSeconds": 0, "selectPolicy": "Max",
                    "policies": [{"type": "Pods", "value": 4, "periodSeconds": 15},
                                 {"type": "Percent", "value": 100, "periodSeconds": 15}]},
        "scaleDown": {"stabilizationWindowSeconds": 60, "selectPolicy": "Max",
                      "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}}


def test_validation_texts(cluster):
    bad = hpa(lo=5, hi=3)
    bad["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] = 0
    bad["spec"]["behavior"] = {"scaleUp": {"policies": [{"type": "Pods", "value": 0, "periodSeconds": 1801}]}}
    with pytest.raises(errors.Invalid) as e:
        cluster.store.create(bad)
    text = e.value.message
    assert text.startswith('HorizontalPodAutoscaler.autoscaling "php-apache" is invalid: ')
    assert "spec.maxReplicas: Invalid value: 3: must be greater than or equal to `minReplicas`" in text
    assert "spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0" in text
    assert "spec.behavior.scaleUp.policies[0].value: Invalid value: 0: must be greater than zero" in text
    assert "spec.behavior.scaleUp.policies[0].periodSeconds: Invalid value: 1801: must be less than or equal to 1800" in text
    with pytest.raises(errors.Invalid) as e:
        cluster.store.create(hpa(lo=0))
    assert "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1" in e.value.message


# ---- the replica calculator -----------------------------------------------------------------------

def test_the_tolerance_keeps_the_count_within_ten_percent():
    assert calc._utilization_ratio({"a": calc.PodMetric(109, 0, 15)}, {"a": 200}, 50)[1] == 54
    now = 10_000.0
    pod = {"metadata": {"name": "a", "uid": "u"}, "status": {
        "phase": "Running", "startTime": objects.iso(now - 1000),
        "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": objects.iso(now - 900)}]},
        "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "200m"}}}]}}
    pods = [pod, objects.clone(pod) | {"metadata": {"name": "b", "uid": "v"}}]
    near = {"a": calc.PodMetric(108, now, 15), "b": calc.PodMetric(108, now, 15)}       # 54% of 50%: within 10 %
    assert calc.resource_replicas(2, 50, "cpu", pods, near, now).replicas == 2
    far = {"a": calc.PodMetric(300, now, 15), "b": calc.PodMetric(300, now, 15)}        # 150%: ×3
    assert calc.resource_replicas(2, 50, "cpu", pods, far, now).replicas == 6
    low = {"a": calc.PodMetric(20, now, 15), "b": calc.PodMetric(20, now, 15)}          # 10%: ceil(2×0.2)
    assert calc.resource_replicas(2, 50, "cpu", pods, low, now).replicas == 1


def test_a_pod_without_a_cpu_request_makes_the_metric_fail_with_upstreams_texts(cluster):
    cluster.store.create(php_apache(requests=False))
    cluster.store.create(hpa())
    cluster.advance(40)
    pod = next(p for p in cluster.store.iter(kinds.POD, NS) if objects.name_of(p).startswith("php-apache"))
    missing = f"missing request for cpu in container php-apache of Pod {objects.name_of(pod)}"
    active = condition(cluster, "ScalingActive")
    assert (active["status"], active["reason"]) == ("False", "FailedGetResourceMetric")
    assert active["message"] == f"the HPA was unable to compute the replica count: failed to get cpu utilization: {missing}"
    assert f"failed to get cpu utilization: {missing}" in events(cluster, "FailedGetResourceMetric")
    assert (f"invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: "
            f"failed to get cpu utilization: {missing}") in events(cluster, "FailedComputeMetricsReplicas")
    assert status(cluster)["currentReplicas"] == 1
    assert status(cluster)["currentMetrics"] is None


# ---- the controller -------------------------------------------------------------------------------

def test_idle_it_reports_its_metric_and_keeps_the_count(walkthrough):
    c = walkthrough
    c.store.create(hpa())
    c.advance(14)
    assert status(c) == {"currentMetrics": None, "desiredReplicas": 0}      # first sync after 15 s
    c.advance(2)
    st = status(c)
    assert st["currentReplicas"] == 1 and st["desiredReplicas"] == 1
    metric = st["currentMetrics"][0]["resource"]
    assert metric["name"] == "cpu" and metric["current"]["averageUtilization"] <= 1     # idle apache
    # idle at 0% the metrics ask for 0 pods and the window's first recommendation (1) holds; at 1%
    # they ask for ceil(1 × 0.02) = 1
    want_able = ("True", "ScaleDownStabilized" if metric["current"]["averageUtilization"] == 0 else "ReadyForNewScale")
    assert {t: (condition(c, t)["status"], condition(c, t)["reason"]) for t in
            ("AbleToScale", "ScalingActive", "ScalingLimited")} == {
        "AbleToScale": want_able, "ScalingActive": ("True", "ValidMetricFound"),
        "ScalingLimited": ("False", "DesiredWithinRange")}
    assert condition(c, "ScalingActive")["message"] == \
        "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)"
    # a sync that finds the same figures writes nothing (the metrics wobble between windows)
    seen = set()
    for _ in range(8):
        before = c.store.get(kinds.HPA, NS, "php-apache")
        c.advance(15)
        after = c.store.get(kinds.HPA, NS, "php-apache")
        if after["status"] == before["status"]:
            seen.add(after["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"])
    assert seen == {True}


def test_load_scales_out_at_most_doubling_per_sync_then_back_in_after_the_window(walkthrough):
    c = walkthrough
    c.store.create(hpa())
    c.load.set_deployment_load(NS, "php-apache", Fraction(3))
    c.advance(16)
    # one pod held to its 500m limit: 250% of its 200m request → 5 wanted, at most max(2×1, 4) = 4
    assert replicas(c) == 4
    assert events(c, "SuccessfulRescale") == [
        "New size: 4; reason: cpu resource utilization (percentage of request) above target"]
    assert condition(c, "ScalingLimited")["reason"] == "ScaleUpLimit"
    assert status(c)["lastScaleTime"]
    run_for(c, 120)
    high = replicas(c)
    assert 4 < high <= 10
    decisions = [d["message"] for d in c.decisions.since(0)[0] if d["controller"] == "horizontal-pod-autoscaler-controller"]
    assert any("cpu at 250% of request (target 50%)" in m and "from 1 to 4" in m for m in decisions)
    c.load.set_deployment_load(NS, "php-apache", Fraction(0))
    run_for(c, 240)
    assert replicas(c) == high                                 # held by the 300 s window
    assert condition(c, "AbleToScale")["reason"] == "ScaleDownStabilized"
    run_for(c, 120)
    assert replicas(c) == 1
    assert events(c, "SuccessfulRescale")[-1] == "New size: 1; reason: All metrics below target"


def test_max_replicas_limits_and_says_so(walkthrough):
    c = walkthrough
    c.store.create(hpa(hi=3))
    c.load.set_deployment_load(NS, "php-apache", Fraction(3))
    c.advance(16)
    assert replicas(c) == 3
    limited = condition(c, "ScalingLimited")
    assert (limited["status"], limited["reason"], limited["message"]) == (
        "True", "TooManyReplicas", "the desired replica count is more than the maximum replica count")


def test_below_min_replicas_it_scales_up_to_the_minimum(walkthrough):
    c = walkthrough
    c.store.create(hpa(lo=2))
    c.advance(16)
    assert replicas(c) == 2
    assert events(c, "SuccessfulRescale") == ["New size: 2; reason: Current number of replicas below Spec.MinReplicas"]


def test_behavior_pods_policy_limits_the_rate_and_a_short_window_scales_in_soon(walkthrough):
    c = walkthrough
    c.store.create(hpa(behavior={"scaleUp": {"policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}]},
                                 "scaleDown": {"stabilizationWindowSeconds": 30}}))
    c.load.set_deployment_load(NS, "php-apache", Fraction(3))
    c.advance(16)
    assert replicas(c) == 2
    assert condition(c, "ScalingLimited")["reason"] == "ScaleUpLimit"
    c.advance(15)
    assert replicas(c) == 2                  # one pod per 60 s
    c.advance(60)
    assert replicas(c) == 3
    c.load.set_deployment_load(NS, "php-apache", Fraction(0))
    run_for(c, 60)
    assert replicas(c) == 1


def test_a_load_generator_loads_the_pods_behind_its_service(walkthrough):
    c = walkthrough
    c.store.create(hpa())
    c.store.create(load_generator())
    c.advance(16)
    pod = next(p for p in c.store.iter(kinds.POD, NS) if objects.name_of(p).startswith("php-apache"))
    assert c.extra_cpu()[objects.uid_of(pod)] > 0
    run_for(c, 90)
    assert replicas(c) > 1
    c.store.delete(kinds.POD, NS, "load-generator", grace_period_seconds=0)
    run_for(c, 420)
    assert replicas(c) == 1


def test_a_missing_target_is_reported(cluster):
    cluster.store.create(hpa())
    cluster.advance(16)
    able = condition(cluster, "AbleToScale")
    assert (able["status"], able["reason"]) == ("False", "FailedGetScale")
    assert able["message"] == ('the HPA controller was unable to get the target\'s current scale: '
                               'deployments.apps "php-apache" not found')
    assert events(cluster, "FailedGetScale") == ['deployments.apps "php-apache" not found']


def _pod(name, now, *, ready=True, started_ago=1000.0, ready_ago=900.0, phase="Running", request="200m"):
    cond = {"type": "Ready", "status": "True" if ready else "False", "lastTransitionTime": objects.iso(now - ready_ago)}
    return {"metadata": {"name": name, "uid": name}, "spec": {"containers": [
        {"name": "c", "resources": {"requests": {"cpu": request}}}]},
        "status": {"phase": phase, "startTime": objects.iso(now - started_ago), "conditions": [cond]}}


def test_unready_and_missing_pods_damp_a_scale_up_as_upstream():
    now = 10_000.0
    pods = [_pod("a", now), _pod("b", now), _pod("new", now, ready=False, started_ago=5, ready_ago=5),
            _pod("pending", now, phase="Pending")]
    metrics = {"a": calc.PodMetric(200, now, 15), "b": calc.PodMetric(200, now, 15),
               "new": calc.PodMetric(0, now, 15)}
    # 100% of request on the two ready pods against 50%: ×2 of 2 ready = 4 ... but the two starting
    # pods count as using nothing: 400m over 4 pods' 800m is 50%, within tolerance → no change
    assert calc.resource_replicas(4, 50, "cpu", pods, metrics, now).replicas == 4
    # against 25%: even so ×2 → ceil(2 × 4) = 8
    assert calc.resource_replicas(4, 25, "cpu", pods, metrics, now).replicas == 8
    # a pod that became ready within the last metrics window is left out too
    fresh = [_pod("a", now), _pod("late", now, started_ago=60, ready_ago=5)]
    assert calc.group_pods(fresh, {"a": calc.PodMetric(1, now - 10, 15), "late": calc.PodMetric(1, now - 10, 15)},
                           "cpu", now)[:2] == (1, {"late"})


def test_pods_missing_metrics_count_as_using_their_request_on_a_scale_down():
    now = 10_000.0
    pods = [_pod("a", now), _pod("b", now), _pod("quiet", now)]
    metrics = {"a": calc.PodMetric(20, now, 15), "b": calc.PodMetric(20, now, 15)}
    # 10% on two pods → 1 wanted; with the third at 100% of its request: 240m/600m = 40% → ceil(3×0.8)=3
    assert calc.resource_replicas(3, 50, "cpu", pods, metrics, now).replicas == 3
    assert calc.resource_replicas(3, 50, "cpu", pods[:2], metrics, now).replicas == 1


def test_average_value_targets_use_the_raw_average():
    now = 10_000.0
    pods = [_pod("a", now), _pod("b", now)]
    mib = 1024 * 1024 * 1000
    metrics = {"a": calc.PodMetric(300 * mib, now, 15), "b": calc.PodMetric(300 * mib, now, 15)}
    p = calc.raw_resource_replicas(2, 100 * mib, "memory", pods, metrics, now)
    assert p.replicas == 6 and p.raw == 300 * mib


def test_policies_select_min_and_percent_and_disabled(walkthrough):
    c = walkthrough
    c.store.patch(kinds.DEPLOYMENT, NS, "php-apache", "merge", {"spec": {"replicas": 2}})
    c.advance(30)
    c.store.create(hpa(behavior={"scaleUp": {"selectPolicy": "Min", "policies": [
        {"type": "Pods", "value": 3, "periodSeconds": 15}, {"type": "Percent", "value": 50, "periodSeconds": 15}]},
        "scaleDown": {"selectPolicy": "Disabled"}}))
    c.load.set_deployment_load(NS, "php-apache", Fraction(3))
    c.advance(16)
    assert replicas(c) == 3                  # min(2 + 3, ceil(2 × 1.5)) = 3
    c.load.set_deployment_load(NS, "php-apache", Fraction(0))
    run_for(c, 120)
    assert replicas(c) == 3                  # within the 300 s window: held, and never raised by it
    assert condition(c, "AbleToScale")["reason"] == "ScaleDownStabilized"
    run_for(c, 300)
    assert replicas(c) == 3                  # past it: scale down is disabled
    limited = condition(c, "ScalingLimited")
    assert (limited["status"], limited["reason"]) == ("True", "ScaleDownLimit")


def test_v1_and_v2_views_of_one_object_round_trip():
    from engine import hpa_versions
    stored = hpa(behavior={"scaleDown": {"stabilizationWindowSeconds": 60, "selectPolicy": "Max",
                                         "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}]}})
    stored["spec"]["metrics"].append({"type": "Resource", "resource": {"name": "memory", "target": {
        "type": "AverageValue", "averageValue": "100Mi"}}})
    stored["status"] = {"currentReplicas": 2, "desiredReplicas": 3, "currentMetrics": [
        {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 70, "averageValue": "140m"}}}],
        "conditions": [{"type": "AbleToScale", "status": "True", "reason": "SucceededRescale",
                        "message": "the HPA controller was able to update the target scale to 3",
                        "lastTransitionTime": "2026-01-01T00:00:00Z"}]}
    v1 = hpa_versions.to_v1(stored)
    assert v1["apiVersion"] == "autoscaling/v1"
    assert v1["spec"]["targetCPUUtilizationPercentage"] == 50
    assert v1["status"] == {"currentReplicas": 2, "desiredReplicas": 3, "currentCPUUtilizationPercentage": 70}
    notes = v1["metadata"]["annotations"]
    assert notes["autoscaling.alpha.kubernetes.io/metrics"] == \
        '[{"type":"Resource","resource":{"name":"memory","targetAverageValue":"100Mi"}}]'
    back = hpa_versions.from_v1(v1, strict=True)
    assert "annotations" not in back["metadata"]
    assert back["spec"]["metrics"] == [stored["spec"]["metrics"][1], stored["spec"]["metrics"][0]]
    assert back["spec"]["behavior"] == stored["spec"]["behavior"]
    assert back["status"]["conditions"] == stored["status"]["conditions"]
    with pytest.raises(errors.BadRequest) as e:
        hpa_versions.from_v1(dict(v1, spec=dict(v1["spec"], maxReplicas="ten")), strict=False)
    assert e.value.message.startswith('HorizontalPodAutoscaler in version "v1" cannot be handled as a '
                                      "HorizontalPodAutoscaler: json: cannot unmarshal string into Go struct field")
