"""`kubectl top` against the metrics API (metrics.k8s.io/v1beta1), with both kubectls: figures
follow from what each image does, held to the container's limits — the kubernetes.io resource
examples (`polinux/stress --vm-bytes 150M` holds ~150Mi; `vish/stress -cpus 2` under a 1-CPU
limit is throttled to 1000m)."""
from __future__ import annotations

import json
import re

MEMORY_DEMO = {  # kubernetes.io pods/resource/memory-request-limit.yaml
    "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "memory-demo"},
    "spec": {"containers": [{
        "name": "memory-demo-ctr", "image": "polinux/stress",
        "resources": {"requests": {"memory": "100Mi"}, "limits": {"memory": "200Mi"}},
        "command": ["stress"], "args": ["--vm", "1", "--vm-bytes", "150M", "--vm-hang", "1"]}]}}
CPU_DEMO = {  # kubernetes.io pods/resource/cpu-request-limit.yaml
    "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "cpu-demo", "labels": {"app": "cpu"}},
    "spec": {"containers": [{
        "name": "cpu-demo-ctr", "image": "vish/stress",
        "resources": {"limits": {"cpu": "1"}, "requests": {"cpu": "0.5"}},
        "args": ["-cpus", "2"]}]}}


def _apply(kube, *objs):
    for obj in objs:
        kube("apply", "-f", "-", input=json.dumps(obj))


def _mi(text: str) -> float:
    assert text.endswith("Mi"), text
    return float(text[:-2])


def test_top_pods_reports_what_each_container_does_within_its_limits(kube_ns):
    kube = kube_ns
    _apply(kube, MEMORY_DEMO, CPU_DEMO)
    kube.wait_running("", 2, timeout=60)

    def top():
        cp = kube("top", "pod", check=False)
        assert cp.returncode == 0, cp.stderr
        return cp.stdout
    out = kube.server.wait_until(top, 30, message="kubectl top pod answers")
    header, rows = kube.parse_table(out)
    assert header == ["NAME", "CPU(cores)", "MEMORY(bytes)"]
    by_name = {r["NAME"]: r for r in rows}
    assert sorted(by_name) == ["cpu-demo", "memory-demo"]
    assert by_name["cpu-demo"]["CPU(cores)"] == "1000m"           # asks for 2 cores, throttled to its limit
    assert 140 <= _mi(by_name["memory-demo"]["MEMORY(bytes)"]) <= 160   # --vm-bytes 150M, a window's wobble

    header, rows = kube.table("top", "pod", "--containers", "-l", "app=cpu")
    assert header == ["POD", "NAME", "CPU(cores)", "MEMORY(bytes)"]
    assert [(r["POD"], r["NAME"], r["CPU(cores)"]) for r in rows] == [("cpu-demo", "cpu-demo-ctr", "1000m")]

    raw = json.loads(kube("get", "--raw", f"/apis/metrics.k8s.io/v1beta1/namespaces/{kube.ns}/pods/cpu-demo").stdout)
    assert raw["kind"] == "PodMetrics" and raw["window"] == "15s"
    assert raw["metadata"]["labels"] == {"app": "cpu"}
    assert raw["containers"][0]["usage"]["cpu"] == "1000000000n"
    assert re.fullmatch(r"\d+Ki", raw["containers"][0]["usage"]["memory"])


def test_top_of_a_pod_without_samples_says_not_found(kube_ns):
    kube = kube_ns
    cp = kube("top", "pod", "nosuch", check=False)
    assert cp.returncode == 1
    assert f'podmetrics.metrics.k8s.io "{kube.ns}/nosuch" not found' in cp.stderr


def test_top_nodes_adds_the_pods_on_each_node_to_its_own_overhead(kube_ns):
    kube = kube_ns
    header, rows = kube.table("top", "node")
    assert header[:5] == ["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"]
    nodes = json.loads(kube("get", "nodes", "-o", "json").stdout)["items"]
    assert sorted(r["NAME"] for r in rows) == sorted(n["metadata"]["name"] for n in nodes)
    for r in rows:
        assert re.fullmatch(r"\d+m", r["CPU(cores)"]) and re.fullmatch(r"\d+%", r["CPU(%)"])
        assert _mi(r["MEMORY(bytes)"]) >= 280        # the kubelet's and runtime's own share at least
