"""HorizontalPodAutoscalers with the real kubectl (both versions): `kubectl autoscale` (1.32 posts
autoscaling/v1, served from the stored v2 by conversion; 1.37 posts autoscaling/v2), `get hpa`
columns and `describe hpa`, a v1 manifest applied and re-applied, and the kubernetes.io HPA
walkthrough: php-apache scales out while a busybox load generator runs and back in once it is
deleted and the 300 s scale-down stabilization window has passed (the shared server runs at
20× speed; everything is polled for, nothing timed)."""
from __future__ import annotations

import json
import re
import urllib.error

import pytest

PHP_APACHE = {  # kubernetes.io application/php-apache.yaml
    "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "php-apache"},
    "spec": {"selector": {"matchLabels": {"run": "php-apache"}},
             "template": {"metadata": {"labels": {"run": "php-apache"}},
                          "spec": {"containers": [{"name": "php-apache", "image": "registry.k8s.io/hpa-example",
                                                   "ports": [{"containerPort": 80}],
                                                   "resources": {"limits": {"cpu": "500m"},
                                                                 "requests": {"cpu": "200m"}}}]}}}}
SERVICE = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "php-apache", "labels": {"run": "php-apache"}},
           "spec": {"ports": [{"port": 80}], "selector": {"run": "php-apache"}}}


def _apply(kube, *objs):
    for obj in objs:
        kube("apply", "-f", "-", input=json.dumps(obj))


def _php_apache(kube):
    _apply(kube, PHP_APACHE, SERVICE)
    kube.wait_running("run=php-apache", 1, timeout=60)


def _hpa_row(kube, name="php-apache") -> dict:
    header, rows = kube.table("get", "hpa")
    assert header == ["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"]
    return next(r for r in rows if r["NAME"] == name)


def _replicas(kube) -> int:
    return kube.deployment("php-apache")["spec"]["replicas"]


def test_kubectl_autoscale_then_get_and_describe(kube_ns):
    kube = kube_ns
    _php_apache(kube)
    cp = kube("autoscale", "deployment", "php-apache", "--cpu-percent=50", "--min=1", "--max=10", "-v=6")
    assert "horizontalpodautoscaler.autoscaling/php-apache autoscaled" in cp.stdout
    posted = re.search(r'(?:POST |verb="POST" url=")\S*/apis/autoscaling/(v\d)/namespaces/', cp.stdout + cp.stderr)
    assert posted is not None
    assert posted.group(1) == ("v2" if kube.new else "v1")

    # both versions show the one stored object
    v2 = kube.server.get_json(f"/apis/autoscaling/v2/namespaces/{kube.ns}/horizontalpodautoscalers/php-apache")
    assert v2["spec"]["metrics"] == [{"type": "Resource", "resource": {"name": "cpu", "target": {
        "type": "Utilization", "averageUtilization": 50}}}]
    assert v2["spec"]["minReplicas"] == 1 and v2["spec"]["maxReplicas"] == 10
    v1 = json.loads(kube("get", "--raw", f"/apis/autoscaling/v1/namespaces/{kube.ns}/horizontalpodautoscalers/php-apache").stdout)
    assert v1["apiVersion"] == "autoscaling/v1"
    assert v1["spec"] == {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "php-apache"},
                          "minReplicas": 1, "maxReplicas": 10, "targetCPUUtilizationPercentage": 50}
    assert v1["metadata"]["uid"] == v2["metadata"]["uid"]

    def measured():
        row = _hpa_row(kube)
        assert re.fullmatch(r"cpu: [01]%/50%", row["TARGETS"]), row
        return row
    row = kube.server.wait_until(measured, 60, message="the HPA measures php-apache")
    assert (row["REFERENCE"], row["MINPODS"], row["MAXPODS"], row["REPLICAS"]) == ("Deployment/php-apache", "1", "10", "1")

    v1 = json.loads(kube("get", "--raw", f"/apis/autoscaling/v1/namespaces/{kube.ns}/horizontalpodautoscalers/php-apache").stdout)
    assert v1["status"]["currentReplicas"] == 1 and v1["status"]["currentCPUUtilizationPercentage"] in (0, 1)
    conditions = json.loads(v1["metadata"]["annotations"]["autoscaling.alpha.kubernetes.io/conditions"])
    assert [c["type"] for c in conditions] == ["AbleToScale", "ScalingActive", "ScalingLimited"]

    out = kube("describe", "hpa", "php-apache").stdout
    assert re.search(r"^Reference:\s+Deployment/php-apache$", out, re.M)
    assert re.search(r"^  resource cpu on pods  \(as a percentage of request\):\s+[01]% \(\d+m\) / 50%$", out, re.M)
    assert re.search(r"^Deployment pods:\s+1 current / 1 desired$", out, re.M)
    # idle, the metrics ask for 0 pods; the window's earlier recommendation (1) holds, as upstream's would
    assert re.search(r"^  AbleToScale\s+True\s+(ReadyForNewScale\s+recommended size matches current size|"
                     r"ScaleDownStabilized\s+recent recommendations were higher than current one, applying the "
                     r"highest recent recommendation)$", out, re.M)
    assert re.search(r"^  ScalingActive\s+True\s+ValidMetricFound\s+the HPA was able to successfully calculate a "
                     r"replica count from cpu resource utilization \(percentage of request\)$", out, re.M)
    assert re.search(r"^  ScalingLimited\s+False\s+DesiredWithinRange\s+the desired count is within the acceptable range$",
                     out, re.M)

    # the page's terminal prints what kubectl prints (up to the Events, whose ages kubectl computes
    # from its own clock); the HPA syncs meanwhile, so poll for a pair read between two syncs
    def same():
        real = kube("describe", "hpa", "php-apache").stdout.split("Events:")[0]
        mine = kube.server.post_json("/kubeplay/v1/terminal", {"command": "kubectl describe hpa php-apache",
                                                               "namespace": kube.ns})["output"].split("Events:")[0]
        assert mine == real, (mine, real)
        return True
    kube.server.wait_until(same, 30, message="the terminal's describe hpa matches kubectl's")


def test_a_v1_manifest_applies_and_reapplies_through_conversion(kube_ns):
    kube = kube_ns
    _php_apache(kube)
    hpa = {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "php-apache"},
           "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "php-apache"},
                    "minReplicas": 1, "maxReplicas": 5, "targetCPUUtilizationPercentage": 60}}
    assert "horizontalpodautoscaler.autoscaling/php-apache created" in kube("apply", "-f", "-", input=json.dumps(hpa)).stdout
    hpa["spec"]["targetCPUUtilizationPercentage"] = 70
    assert "horizontalpodautoscaler.autoscaling/php-apache configured" in kube("apply", "-f", "-", input=json.dumps(hpa)).stdout
    v2 = kube.server.get_json(f"/apis/autoscaling/v2/namespaces/{kube.ns}/horizontalpodautoscalers/php-apache")
    assert v2["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] == 70
    assert v2["spec"]["maxReplicas"] == 5
    # server-side apply at v1 too
    hpa["spec"]["targetCPUUtilizationPercentage"] = 65
    out = kube("apply", "--server-side", "--force-conflicts", "-f", "-", input=json.dumps(hpa)).stdout
    assert "horizontalpodautoscaler.autoscaling/php-apache serverside-applied" in out
    v2 = kube.server.get_json(f"/apis/autoscaling/v2/namespaces/{kube.ns}/horizontalpodautoscalers/php-apache")
    assert v2["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] == 65
    hpa["spec"]["targetCPUUtilizationPercentage"] = 70
    kube("apply", "--server-side", "--force-conflicts", "-f", "-", input=json.dumps(hpa))
    # listed and watched at v1 too, from the same storage
    base = f"/apis/autoscaling/v1/namespaces/{kube.ns}/horizontalpodautoscalers"
    listed = json.loads(kube("get", "--raw", base).stdout)
    assert listed["kind"] == "HorizontalPodAutoscalerList" and listed["apiVersion"] == "autoscaling/v1"
    assert [i["spec"]["targetCPUUtilizationPercentage"] for i in listed["items"]] == [70]
    watched = kube("get", "--raw", f"{base}?watch=1&timeoutSeconds=1").stdout.splitlines()
    first = json.loads(watched[0])
    assert first["type"] == "ADDED" and first["object"]["apiVersion"] == "autoscaling/v1"
    assert {"autoscaling/v1", "autoscaling/v2"} <= set(kube("api-versions").stdout.split())
    # v1 has no `behavior`: the strict decoder refuses it as the apiserver does
    hpa["spec"]["behavior"] = {}
    cp = kube("create", "-f", "-", input=json.dumps(dict(hpa, metadata={"name": "other"})), check=False)
    assert cp.returncode != 0
    assert ('HorizontalPodAutoscaler in version "v1" cannot be handled as a HorizontalPodAutoscaler: '
            'strict decoding error: unknown field "spec.behavior"') in cp.stderr


def test_the_walkthrough_scales_out_under_load_and_back_in_after_the_window(kube_ns):
    kube = kube_ns
    _php_apache(kube)
    kube("autoscale", "deployment", "php-apache", "--cpu-percent=50", "--min=1", "--max=10")
    kube.server.wait_until(lambda: re.fullmatch(r"cpu: [01]%/50%", _hpa_row(kube)["TARGETS"]), 60,
                           message="the HPA measures idle php-apache")
    kube("run", "load-generator", "--image=busybox:1.28", "--restart=Never", "--",
         "/bin/sh", "-c", "while sleep 0.01; do wget -q -O- http://php-apache; done")

    def scaled_out():
        n = _replicas(kube)
        assert n >= 4, f"{n} replicas"
        return n
    kube.server.wait_until(scaled_out, 90, message="php-apache scales out under load")

    def top_shows_load():
        _, rows = kube.table("top", "pods", "-l", "run=php-apache")
        cpu = [int(r["CPU(cores)"].rstrip("m")) for r in rows]
        assert cpu and all(c >= 40 for c in cpu), rows
        return True
    kube.server.wait_until(top_shows_load, 60, message="kubectl top shows the load on php-apache")

    def settled():
        row = _hpa_row(kube)
        assert int(row["REPLICAS"]) >= 5 and re.fullmatch(r"cpu: \d+%/50%", row["TARGETS"]), row
        return row
    kube.server.wait_until(settled, 90, message="php-apache settles with more replicas")
    events = kube("get", "events", "--field-selector", "involvedObject.kind=HorizontalPodAutoscaler",
                  "-o", "jsonpath={range .items[*]}{.reason}: {.message}{\"\\n\"}{end}").stdout
    assert "SuccessfulRescale: New size: 4; reason: cpu resource utilization (percentage of request) above target" in events

    kube("delete", "pod", "load-generator", "--grace-period=0", "--force")

    def scaled_in():
        n = _replicas(kube)
        assert n == 1, f"{n} replicas"
        return n
    kube.server.wait_until(scaled_in, 180, message="php-apache scales back in after the stabilization window")
    events = kube("get", "events", "--field-selector", "involvedObject.kind=HorizontalPodAutoscaler",
                  "-o", "jsonpath={range .items[*]}{.reason}: {.message}{\"\\n\"}{end}").stdout
    assert "SuccessfulRescale: New size: 1; reason: All metrics below target" in events


def test_the_page_load_control_loads_a_deployment(kube_shared):
    kube = kube_shared
    _php_apache(kube)
    path = f"/kubeplay/v1/deployments/{kube.ns}/php-apache/load"
    assert kube.server.get_json(path)["cpu"] == "0"
    assert kube.server.post_json(path, {"cpu": "1500m"})["cpu"] == "1500m"

    def loaded():
        _, rows = kube.table("top", "pods", "-l", "run=php-apache")
        assert [r["CPU(cores)"] for r in rows] == ["500m"], rows        # held to its limit
        return True
    kube.server.wait_until(loaded, 60, message="kubectl top shows the set load")
    for bad in ({"cpu": "lots"}, {"cpu": "-1"}, {}):
        with pytest.raises(urllib.error.HTTPError) as e:
            kube.server.post_json(path, bad)
        e.value.close()
        assert e.value.code == 400
    with pytest.raises(urllib.error.HTTPError) as e:
        kube.server.post_json(f"/kubeplay/v1/deployments/{kube.ns}/nothing/load", {"cpu": "1"})
    e.value.close()
    assert e.value.code == 404
    assert kube.server.post_json(path, {"cpu": "0"})["cpu"] == "0"


def test_describe_shows_behavior_and_average_value_metrics_as_the_terminal_does(kube_ns):
    kube = kube_ns
    _php_apache(kube)
    hpa = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "php-apache"},
           "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "php-apache"},
                    "minReplicas": 1, "maxReplicas": 4,
                    "metrics": [{"type": "Resource", "resource": {"name": "memory", "target": {
                        "type": "AverageValue", "averageValue": "100Mi"}}}],
                    "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60,
                                               "policies": [{"type": "Pods", "value": 1, "periodSeconds": 30}]}}}}
    _apply(kube, hpa)
    kube.server.wait_until(lambda: re.fullmatch(r"memory: \d+(Ki|Mi|k|M)?/100Mi|memory: \d+/100Mi",
                                                _hpa_row(kube)["TARGETS"]), 60, message="memory measured")
    out = kube("describe", "hpa", "php-apache").stdout
    assert re.search(r"^  resource memory on pods:\s+\S+ / 100Mi$", out, re.M)
    assert "Behavior:\n  Scale Up:\n    Stabilization Window: 0 seconds\n    Select Policy: Max\n    Policies:\n" in out
    assert re.search(r"^      - Type: Pods\s+Value: 4\s+Period: 15 seconds$", out, re.M)
    assert re.search(r"^  Scale Down:\n    Stabilization Window: 60 seconds\n    Select Policy: Max\n    Policies:\n"
                     r"      - Type: Pods\s+Value: 1\s+Period: 30 seconds$", out, re.M)

    def same():
        real = kube("describe", "hpa", "php-apache").stdout.split("Events:")[0]
        mine = kube.server.post_json("/kubeplay/v1/terminal", {"command": "kubectl describe hpa php-apache",
                                                               "namespace": kube.ns})["output"].split("Events:")[0]
        assert mine == real, (mine, real)
        return True
    kube.server.wait_until(same, 30, message="the terminal's describe hpa matches kubectl's")
