"""Issue 12 items 6 and 7 through the real kubectl (both versions): PodDisruptionBudgets (status,
`get pdb` columns, describe, validation, the Eviction API's 429), ResourceQuotas and LimitRanges
(get columns, describe, admission's refusals in the apiserver's words), and the kubernetes.io
`admin/resource/*` examples behaving as the docs say."""
from __future__ import annotations

import json
import re
import threading
import urllib.error
import urllib.request

import pytest


def apply(kube, text: str, check: bool = True):
    return kube("apply", "-f", "-", input=text, check=check)


def pdb_status(kube, name: str) -> dict:
    return kube.server.get_json(f"/apis/policy/v1/namespaces/{kube.ns}/poddisruptionbudgets/{name}").get("status") or {}


def quota_status(kube, name: str) -> dict:
    return kube.server.get_json(f"/api/v1/namespaces/{kube.ns}/resourcequotas/{name}").get("status") or {}


def post_eviction(kube, pod: str) -> tuple[int, dict]:
    body = {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": pod, "namespace": kube.ns}}
    req = urllib.request.Request(kube.server.url + f"/api/v1/namespaces/{kube.ns}/pods/{pod}/eviction",
                                 data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with kube.server.opener.open(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


# ---- PodDisruptionBudget ------------------------------------------------------------------------

def test_a_pdb_reports_its_budget_in_get_and_describe_and_the_eviction_api_honours_it(kube_ns):
    kube = kube_ns
    kube("create", "deployment", "web", "--image=nginx", "--replicas=3")
    kube.wait_running("app=web", 3)
    out = kube("create", "pdb", "web-pdb", "--selector=app=web", "--min-available=2")
    assert out.stdout == "poddisruptionbudget.policy/web-pdb created\n"

    def settled():
        st = pdb_status(kube, "web-pdb")
        assert (st.get("currentHealthy"), st.get("desiredHealthy"), st.get("expectedPods"),
                st.get("disruptionsAllowed")) == (3, 2, 3, 1), st
        return st
    st = kube.server.wait_until(settled, 20, message="the PDB's status")
    assert st["observedGeneration"] == 1
    assert [(c["type"], c["status"], c["reason"]) for c in st["conditions"]] == [("DisruptionAllowed", "True", "SufficientPods")]

    header, rows = kube.table("get", "pdb")
    assert header == ["NAME", "MIN AVAILABLE", "MAX UNAVAILABLE", "ALLOWED DISRUPTIONS", "AGE"]
    assert [(r["NAME"], r["MIN AVAILABLE"], r["MAX UNAVAILABLE"], r["ALLOWED DISRUPTIONS"]) for r in rows] == [
        ("web-pdb", "2", "N/A", "1")]
    text = kube("describe", "pdb", "web-pdb").stdout
    assert re.search(r"(?m)^Name:\s+web-pdb$", text), text
    assert re.search(r"(?m)^Min available:\s+2$", text), text
    assert re.search(r"(?m)^Selector:\s+app=web$", text), text
    assert re.search(r"(?m)^\s+Allowed disruptions:\s+1$", text), text
    assert re.search(r"(?m)^\s+Current:\s+3$", text), text
    assert re.search(r"(?m)^\s+Desired:\s+2$", text), text
    assert re.search(r"(?m)^\s+Total:\s+3$", text), text

    # One eviction is allowed: it uses the budget up and marks the pod as disrupted.
    first, second = sorted(p["metadata"]["name"] for p in kube.pods("app=web"))[:2]
    code, body = post_eviction(kube, first)
    assert (code, body["status"]) == (201, "Success"), body
    # The evicted pod is on its way out (disruptedPods and the decremented budget are transient:
    # the engine tests check them on the manual clock).
    gone = [p for p in kube.pods("app=web") if p["metadata"]["name"] == first]
    assert not gone or gone[0]["metadata"].get("deletionTimestamp"), gone
    # The next is refused until the replacement is ready.
    code, body = post_eviction(kube, second)
    if code == 429:
        assert body["reason"] == "TooManyRequests"
        assert body["message"] == "Cannot evict pod as it would violate the pod's disruption budget."
        assert body["details"]["causes"][0]["reason"] == "DisruptionBudget"
        assert re.fullmatch(r"The disruption budget web-pdb needs 2 healthy pods and has \d currently",
                            body["details"]["causes"][0]["message"]), body
    else:                    # the replacement was ready already: the budget allowed it again
        assert code == 201, body

    # A second budget over the same pods: the eviction subresource refuses with a 500 Status.
    kube("create", "pdb", "web-pdb-2", "--selector=app=web", "--max-unavailable=1")
    # (a Running pod: a Pending replacement would be evicted without a look at budgets)
    pod = sorted(p["metadata"]["name"] for p in kube.pods("app=web") if kube.is_running_ready(p))[0]
    code, body = post_eviction(kube, pod)
    assert code == 500, body
    assert body["message"] == ("This pod has more than one PodDisruptionBudget, which the eviction "
                               "subresource does not support.")

    out = kube("delete", "pdb", "web-pdb", "web-pdb-2")
    assert out.stdout == (kube.deleted('poddisruptionbudget.policy "web-pdb"')
                          + kube.deleted('poddisruptionbudget.policy "web-pdb-2"'))


def test_a_pdb_with_both_min_available_and_max_unavailable_is_invalid(kube_ns):
    kube = kube_ns
    out = apply(kube, """
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: both
spec:
  minAvailable: 1
  maxUnavailable: 120%
  selector:
    matchLabels: {app: web}
""", check=False)
    assert out.returncode == 1
    assert 'The PodDisruptionBudget "both" is invalid:' in out.stderr, out.stderr
    assert "minAvailable and maxUnavailable cannot be both set" in out.stderr, out.stderr
    assert 'spec.maxUnavailable: Invalid value: "120%": must not be greater than 100%' in out.stderr, out.stderr


def test_a_percentage_budget_is_scaled_by_the_deployments_replicas(kube_ns):
    kube = kube_ns
    kube("create", "deployment", "api", "--image=nginx", "--replicas=4")
    kube("create", "pdb", "api", "--selector=app=api", "--max-unavailable=25%")
    kube.wait_running("app=api", 4)

    def settled():
        st = pdb_status(kube, "api")
        assert (st.get("expectedPods"), st.get("desiredHealthy"), st.get("disruptionsAllowed")) == (4, 3, 1), st
        return st
    kube.server.wait_until(settled, 20, message="the PDB's status")
    header, rows = kube.table("get", "pdb", "api")
    assert (rows[0]["MIN AVAILABLE"], rows[0]["MAX UNAVAILABLE"]) == ("N/A", "25%")


# ---- ResourceQuota --------------------------------------------------------------------------------

def pod_yaml(name: str, cpu: str | None = None, memory: str | None = None, limits: dict | None = None) -> str:
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v}
    res = {}
    if requests:
        res["requests"] = requests
    if limits:
        res["limits"] = limits
    return json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
                       "spec": {"containers": [{"name": name, "image": "nginx", "resources": res}]}})


def test_a_quota_counts_use_and_refuses_what_goes_past_it_in_the_apiservers_words(kube_ns):
    kube = kube_ns
    out = kube("create", "quota", "q", "--hard=requests.cpu=2,requests.memory=1Gi,pods=3,configmaps=2")
    assert out.stdout == "resourcequota/q created\n"

    # cpu and memory under quota: each container must say what it requests.
    out = kube("run", "bare", "--image=nginx", check=False)
    assert out.returncode == 1
    assert out.stderr == ('Error from server (Forbidden): pods "bare" is forbidden: failed quota: q: '
                          "must specify requests.cpu for: bare; must specify requests.memory for: bare\n")

    apply(kube, pod_yaml("a", "1", "200Mi"))
    apply(kube, pod_yaml("b", "500m", "200Mi"))
    out = apply(kube, pod_yaml("c", "1", "100Mi"), check=False)
    assert out.returncode == 1
    assert out.stderr == ('Error from server (Forbidden): error when creating "STDIN": pods "c" is forbidden: '
                          "exceeded quota: q, requested: requests.cpu=1, used: requests.cpu=1500m, "
                          "limited: requests.cpu=2\n")

    def counted():
        st = quota_status(kube, "q")
        assert st.get("used") == {"requests.cpu": "1500m", "requests.memory": "400Mi", "pods": "2",
                                  "configmaps": "1"}, st          # (kube-root-ca.crt is not made here)
        return st
    # The namespace's own ConfigMap: kube-root-ca.crt, where the cluster makes one.
    cms = kube.server.get_json(f"/api/v1/namespaces/{kube.ns}/configmaps")["items"]
    if not cms:
        kube("create", "configmap", "one", "--from-literal=a=b")
    kube.server.wait_until(counted, 20, message="the quota's status.used")

    header, rows = kube.table("get", "quota")
    assert header == ["NAME", "AGE", "REQUEST", "LIMIT"]
    assert rows[0]["NAME"] == "q"
    assert rows[0]["REQUEST"] == "configmaps: 1/2, pods: 2/3, requests.cpu: 1500m/2, requests.memory: 400Mi/1Gi"
    assert rows[0]["LIMIT"] == ""
    text = kube("describe", "quota", "q").stdout
    assert re.search(r"(?m)^Resource\s+Used\s+Hard$", text), text
    assert re.search(r"(?m)^requests\.cpu\s+1500m\s+2$", text), text
    assert re.search(r"(?m)^pods\s+2\s+3$", text), text

    # A Deployment whose pods the quota refuses: FailedCreate events with the same text.
    kube("delete", "pod", "b", "--wait=false")
    kube("create", "deployment", "big", "--image=nginx", "--replicas=2")

    def failed_create():
        evs = kube.server.get_json(f"/api/v1/namespaces/{kube.ns}/events")["items"]
        msgs = [e["message"] for e in evs if e["reason"] == "FailedCreate"]
        assert any(re.fullmatch(r'Error creating: pods "big-[a-z0-9]+-[a-z0-9]{5}" is forbidden: failed quota: q: '
                                r"must specify requests\.cpu for: nginx; must specify requests\.memory for: nginx", m)
                   for m in msgs), msgs
        return msgs
    kube.server.wait_until(failed_create, 20, message="FailedCreate from the ReplicaSet")

    out = kube("delete", "quota", "q")
    assert out.stdout == kube.deleted('resourcequota "q"')


# ---- LimitRange -----------------------------------------------------------------------------------

def test_a_limitrange_sets_defaults_and_refuses_what_is_out_of_bounds(kube_ns):
    kube = kube_ns
    out = apply(kube, """
apiVersion: v1
kind: LimitRange
metadata:
  name: lr
spec:
  limits:
  - type: Container
    min: {cpu: 100m}
    max: {cpu: 800m}
    default: {cpu: 500m}
    defaultRequest: {cpu: 200m}
""")
    assert out.stdout == "limitrange/lr created\n"
    header, rows = kube.table("get", "limits")
    assert header == ["NAME", "CREATED AT"]
    assert rows[0]["NAME"] == "lr" and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", rows[0]["CREATED AT"]), rows

    kube("run", "x", "--image=nginx")
    pod = kube.pod("x")
    assert pod["spec"]["containers"][0]["resources"] == {"limits": {"cpu": "500m"}, "requests": {"cpu": "200m"}}
    assert pod["metadata"]["annotations"]["kubernetes.io/limit-ranger"] == \
        "LimitRanger plugin set: cpu request for container x; cpu limit for container x"

    out = apply(kube, pod_yaml("small", "50m"), check=False)
    assert out.stderr == ('Error from server (Forbidden): error when creating "STDIN": pods "small" is forbidden: '
                          "minimum cpu usage per Container is 100m, but request is 50m\n")
    out = apply(kube, pod_yaml("large", "500m", limits={"cpu": "1"}), check=False)
    assert out.stderr == ('Error from server (Forbidden): error when creating "STDIN": pods "large" is forbidden: '
                          "maximum cpu usage per Container is 800m, but limit is 1\n")

    text = kube("describe", "limitrange", "lr").stdout
    assert re.search(r"(?m)^Type\s+Resource\s+Min\s+Max\s+Default Request\s+Default Limit\s+Max Limit/Request Ratio$",
                     text), text
    assert re.search(r"(?m)^Container\s+cpu\s+100m\s+800m\s+200m\s+500m\s+-$", text), text
    out = kube("delete", "limits", "lr")
    assert out.stdout == kube.deleted('limitrange "lr"')


# ---- the kubernetes.io admin/resource examples ----------------------------------------------------

CPU_CONSTRAINTS = """
apiVersion: v1
kind: LimitRange
metadata:
  name: cpu-min-max-demo-lr
spec:
  limits:
  - max:
      cpu: "800m"
    min:
      cpu: "200m"
    type: Container
"""


def example_pod(name: str, resources: dict | None) -> str:
    c = {"name": f"{name}-ctr", "image": "nginx"}
    if resources is not None:
        c["resources"] = resources
    return json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": {"containers": [c]}})


def test_the_cpu_constraints_example_behaves_as_the_docs_say(kube_ns):
    """tasks/administer-cluster/manage-resources/cpu-constraint-namespace."""
    kube = kube_ns
    apply(kube, CPU_CONSTRAINTS)
    lr = kube.server.get_json(f"/api/v1/namespaces/{kube.ns}/limitranges/cpu-min-max-demo-lr")
    assert lr["spec"]["limits"] == [{"type": "Container", "max": {"cpu": "800m"}, "min": {"cpu": "200m"},
                                     "default": {"cpu": "800m"}, "defaultRequest": {"cpu": "800m"}}]
    apply(kube, example_pod("constraints-cpu-demo", {"limits": {"cpu": "800m"}, "requests": {"cpu": "500m"}}))
    out = apply(kube, example_pod("constraints-cpu-demo-2", {"limits": {"cpu": "1.5"}, "requests": {"cpu": "500m"}}),
                check=False)
    assert 'pods "constraints-cpu-demo-2" is forbidden: maximum cpu usage per Container is 800m, but limit is 1500m' \
        in out.stderr, out.stderr
    out = apply(kube, example_pod("constraints-cpu-demo-3", {"limits": {"cpu": "800m"}, "requests": {"cpu": "100m"}}),
                check=False)
    assert 'pods "constraints-cpu-demo-3" is forbidden: minimum cpu usage per Container is 200m, but request is 100m' \
        in out.stderr, out.stderr
    apply(kube, example_pod("constraints-cpu-demo-4", None))
    res = kube.pod("constraints-cpu-demo-4")["spec"]["containers"][0]["resources"]
    assert res == {"limits": {"cpu": "800m"}, "requests": {"cpu": "800m"}}


def test_the_memory_defaults_example_behaves_as_the_docs_say(kube_ns):
    """tasks/administer-cluster/manage-resources/memory-default-namespace."""
    kube = kube_ns
    apply(kube, """
apiVersion: v1
kind: LimitRange
metadata:
  name: mem-limit-range
spec:
  limits:
  - default:
      memory: 512Mi
    defaultRequest:
      memory: 256Mi
    type: Container
""")
    apply(kube, example_pod("default-mem-demo", None))
    apply(kube, example_pod("default-mem-demo-2", {"limits": {"memory": "1Gi"}}))
    apply(kube, example_pod("default-mem-demo-3", {"requests": {"memory": "128Mi"}}))
    got = {n: kube.pod(n)["spec"]["containers"][0]["resources"]
           for n in ("default-mem-demo", "default-mem-demo-2", "default-mem-demo-3")}
    assert got == {"default-mem-demo": {"limits": {"memory": "512Mi"}, "requests": {"memory": "256Mi"}},
                   "default-mem-demo-2": {"limits": {"memory": "1Gi"}, "requests": {"memory": "1Gi"}},
                   "default-mem-demo-3": {"limits": {"memory": "512Mi"}, "requests": {"memory": "128Mi"}}}


def test_the_quota_mem_cpu_example_behaves_as_the_docs_say(kube_ns):
    """tasks/administer-cluster/manage-resources/quota-memory-cpu-namespace."""
    kube = kube_ns
    apply(kube, """
apiVersion: v1
kind: ResourceQuota
metadata:
  name: mem-cpu-demo
spec:
  hard:
    requests.cpu: "1"
    requests.memory: 1Gi
    limits.cpu: "2"
    limits.memory: 2Gi
""")
    apply(kube, example_pod("quota-mem-cpu-demo", {"limits": {"memory": "800Mi", "cpu": "800m"},
                                                   "requests": {"memory": "600Mi", "cpu": "400m"}}))

    def used():
        st = quota_status(kube, "mem-cpu-demo")
        assert st.get("used") == {"limits.cpu": "800m", "limits.memory": "800Mi", "requests.cpu": "400m",
                                  "requests.memory": "600Mi"}, st
        return st
    kube.server.wait_until(used, 20, message="the quota's status.used")
    out = apply(kube, example_pod("quota-mem-cpu-demo-2", {"limits": {"memory": "1Gi", "cpu": "800m"},
                                                           "requests": {"memory": "700Mi", "cpu": "400m"}}), check=False)
    assert out.stderr == ('Error from server (Forbidden): error when creating "STDIN": pods "quota-mem-cpu-demo-2" '
                          "is forbidden: exceeded quota: mem-cpu-demo, requested: requests.memory=700Mi, "
                          "used: requests.memory=600Mi, limited: requests.memory=1Gi\n")
    header, rows = kube.table("get", "quota", "mem-cpu-demo")
    assert rows[0]["REQUEST"] == "requests.cpu: 400m/1, requests.memory: 600Mi/1Gi"
    assert rows[0]["LIMIT"] == "limits.cpu: 800m/2, limits.memory: 800Mi/2Gi"


def test_the_quota_pod_example_behaves_as_the_docs_say(kube_ns):
    """tasks/administer-cluster/manage-resources/quota-pod-namespace: 3 replicas, 2 pods."""
    kube = kube_ns
    apply(kube, """
apiVersion: v1
kind: ResourceQuota
metadata:
  name: pod-demo
spec:
  hard:
    pods: "2"
""")
    apply(kube, """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: pod-quota-demo
spec:
  selector:
    matchLabels:
      purpose: quota-demo
  replicas: 3
  template:
    metadata:
      labels:
        purpose: quota-demo
    spec:
      containers:
      - name: pod-quota-demo
        image: nginx
""")
    kube.wait_running("purpose=quota-demo", 2)

    def replica_failure():
        d = kube.deployment("pod-quota-demo")
        st = d.get("status") or {}
        assert (st.get("readyReplicas"), st.get("availableReplicas")) == (2, 2), st
        cond = next(c for c in st.get("conditions") or () if c["type"] == "ReplicaFailure")
        assert cond["status"] == "True" and cond["reason"] == "FailedCreate", cond
        assert re.fullmatch(r'pods "pod-quota-demo-[a-z0-9]+-[a-z0-9]{5}" is forbidden: exceeded quota: pod-demo, '
                            r"requested: pods=1, used: pods=2, limited: pods=2", cond["message"]), cond
        return cond
    kube.server.wait_until(replica_failure, 30, message="the ReplicaFailure condition")
    assert len([p for p in kube.pods("purpose=quota-demo") if kube.is_live(p)]) == 2


def test_the_limit_mem_cpu_container_example_fills_each_containers_gaps(kube_ns):
    """concepts/policy/limit-range: limit-mem-cpu-container.yaml and limit-range-pod-1.yaml."""
    kube = kube_ns
    apply(kube, """
apiVersion: v1
kind: LimitRange
metadata:
  name: limit-mem-cpu-per-container
spec:
  limits:
  - max:
      cpu: "800m"
      memory: "1Gi"
    min:
      cpu: "100m"
      memory: "99Mi"
    default:
      cpu: "700m"
      memory: "900Mi"
    defaultRequest:
      cpu: "110m"
      memory: "111Mi"
    type: Container
""")
    def ctr(n: int, resources: dict | None) -> dict:
        c = {"name": f"busybox-cnt0{n}", "image": "busybox:1.28", "command": ["/bin/sh"],
             "args": ["-c", f"while true; do echo hello from cnt0{n}; sleep 10;done"]}
        if resources:
            c["resources"] = resources
        return c
    apply(kube, json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "busybox1"}, "spec": {"containers": [
        ctr(1, {"requests": {"memory": "100Mi", "cpu": "100m"}, "limits": {"memory": "200Mi", "cpu": "500m"}}),
        ctr(2, {"requests": {"memory": "100Mi", "cpu": "100m"}}),
        ctr(3, {"limits": {"memory": "200Mi", "cpu": "500m"}}),
        ctr(4, None)]}}))
    got = [c["resources"] for c in kube.pod("busybox1")["spec"]["containers"]]
    assert got == [{"limits": {"cpu": "500m", "memory": "200Mi"}, "requests": {"cpu": "100m", "memory": "100Mi"}},
                   {"limits": {"cpu": "700m", "memory": "900Mi"}, "requests": {"cpu": "100m", "memory": "100Mi"}},
                   {"limits": {"cpu": "500m", "memory": "200Mi"}, "requests": {"cpu": "500m", "memory": "200Mi"}},
                   {"limits": {"cpu": "700m", "memory": "900Mi"}, "requests": {"cpu": "110m", "memory": "111Mi"}}]
    assert kube.pod("busybox1")["metadata"]["annotations"]["kubernetes.io/limit-ranger"] == (
        "LimitRanger plugin set: cpu, memory limit for container busybox-cnt02; "
        "cpu, memory request for container busybox-cnt04; cpu, memory limit for container busybox-cnt04")


# ---- drain and the budget --------------------------------------------------------------------------

@pytest.fixture
def drain_kube(kube_factory, kubectl_version, kubectl_session, tmp_path):
    """A server of the test's own (the drain cordons a node), driven by each kubectl in turn."""
    from kubectl_client import Kube
    server = kube_factory().server
    yield Kube(kubectl_session(server, tmp_path / "kubectl", namespace="default", version=kubectl_version),
               "default", kubectl_version)


def _web_node(kube) -> str:
    pods = [p for p in kube.pods("app=web") if kube.is_live(p)]
    return pods[0]["spec"]["nodeName"]


def test_a_drain_blocked_by_a_pdb_times_out_then_goes_through_once_pods_elsewhere_are_ready(drain_kube):
    kube = drain_kube
    kube("create", "deployment", "web", "--image=nginx", "--replicas=2")
    kube.wait_running("app=web", 2)
    kube("create", "pdb", "web", "--selector=app=web", "--min-available=2")
    kube.server.wait_until(lambda: pdb_status(kube, "web").get("currentHealthy") == 2, 20,
                           message="the PDB counts both pods")
    node = _web_node(kube)

    out = kube("drain", node, "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=4s",
               check=False, timeout=60)
    assert out.returncode == 1, out.stdout + out.stderr
    assert re.search(r'error when evicting pods/"web-[a-z0-9]+-[a-z0-9]{5}" -n "default" \(will retry after 5s\): '
                     r"Cannot evict pod as it would violate the pod's disruption budget\.", out.stderr), out.stderr
    assert "global timeout reached: 4s" in out.stderr, out.stderr
    assert len([p for p in kube.pods("app=web") if kube.is_live(p)]) == 2

    # Started again, the drain waits and retries; a third replica (elsewhere: the node is
    # cordoned) lets the budget allow one eviction at a time, and the drain completes.
    proc = kube.server.kubectl_popen("drain", node, "--ignore-daemonsets", "--timeout=90s")
    err_lines: list[str] = []
    reader = threading.Thread(target=lambda: err_lines.extend(proc.stderr), daemon=True)
    reader.start()
    kube.server.wait_until(lambda: any("Cannot evict pod" in ln for ln in err_lines), 30,
                           message="the drain's first refusal")
    kube("scale", "deployment", "web", "--replicas=3")
    stdout = proc.stdout.read()
    assert proc.wait(120) == 0, stdout + "".join(err_lines)
    reader.join(10)
    assert stdout.splitlines()[-1] == f"node/{node} drained", stdout
    assert all(p["spec"]["nodeName"] != node for p in kube.pods("app=web") if kube.is_live(p))
