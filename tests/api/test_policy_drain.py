"""The page's drain and the in-page terminal's `kubectl drain` honour PodDisruptionBudgets (issue
12 item 6): they evict through the Eviction API, so a pod its budget protects stays on the node
and the refusal is reported in the apiserver's words."""
from __future__ import annotations


from engine import resources as kinds

REFUSAL = "Cannot evict pod as it would violate the pod's disruption budget."


def budgeted_web(cluster, replicas: int = 2) -> str:
    """A Deployment whose every pod the budget needs; returns a node one of them runs on."""
    s = cluster.store
    s.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
              "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                       "template": {"metadata": {"labels": {"app": "web"}},
                                    "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})
    s.create({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web"},
              "spec": {"minAvailable": replicas, "selector": {"matchLabels": {"app": "web"}}}})
    cluster.advance(10)
    assert s.get(kinds.PODDISRUPTIONBUDGET, "default", "web")["status"]["currentHealthy"] == replicas
    return next(p["spec"]["nodeName"] for p in s.iter(kinds.POD, "default"))


def web_on(cluster, node: str) -> list[str]:
    return sorted(p["metadata"]["name"] for p in cluster.store.iter(kinds.POD, "default")
                  if p["spec"].get("nodeName") == node and not p["metadata"].get("deletionTimestamp"))


def test_the_pages_drain_leaves_what_the_budget_protects_and_says_why(cluster, client):
    node = budgeted_web(cluster)
    protected = web_on(cluster, node)
    r = client.post(f"/kubeplay/v1/nodes/{node}/drain", json={})
    assert r.status_code == 200
    body = r.get_json()
    assert body["evicted"] == [] or all(not k.startswith("default/web-") for k in body["evicted"])
    assert sorted(b["pod"] for b in body["blocked"]) == [f"default/{n}" for n in protected]
    assert {b["message"] for b in body["blocked"]} == {REFUSAL}
    assert all(b["causes"][0].startswith("The disruption budget web needs 2 healthy pods") for b in body["blocked"])
    assert web_on(cluster, node) == protected
    assert cluster.store.get(kinds.NODE, "", node)["spec"]["unschedulable"] is True
    # One more replica (elsewhere: the node is cordoned) and the next drain goes through, one
    # budgeted eviction at a time.
    cluster.store.patch(kinds.DEPLOYMENT, "default", "web", "merge", {"spec": {"replicas": 3}})
    for _ in range(len(protected)):
        cluster.advance(10)
        body = client.post(f"/kubeplay/v1/nodes/{node}/drain", json={}).get_json()
    cluster.advance(10)
    assert web_on(cluster, node) == []


def test_the_terminals_drain_reports_the_refusal_as_kubectl_does(cluster, client):
    node = budgeted_web(cluster)
    pods = web_on(cluster, node)
    r = client.post("/kubeplay/v1/terminal", json={"command": f"kubectl drain {node} --ignore-daemonsets"})
    out, code = r.get_json()["output"], r.get_json()["exitCode"]
    assert code == 1, out
    for name in pods:
        assert (f'error when evicting pods/"{name}" -n "default" (will retry after 5s): {REFUSAL}') in out, out
    assert f'There are pending pods in node "{node}" when an error occurred: ' in out, out
    assert out.rstrip("\n").endswith(f'error when evicting pods/"{pods[-1]}" -n "default": {REFUSAL}'
                                     if len(pods) == 1 else "]"), out
    assert web_on(cluster, node) == pods
    # --disable-eviction deletes without asking the budget, as kubectl's does.
    r = client.post("/kubeplay/v1/terminal",
                    json={"command": f"kubectl drain {node} --ignore-daemonsets --disable-eviction"})
    assert r.get_json()["exitCode"] == 0, r.get_json()["output"]
    assert web_on(cluster, node) == []


def test_an_eviction_before_the_budget_is_processed_is_429_with_retry_after(cluster, client):
    s = cluster.store
    s.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
              "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                       "template": {"metadata": {"labels": {"app": "web"}},
                                    "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})
    cluster.advance(10)
    # The budget is stored but the disruption controller has not looked at it yet.
    s.create({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web"},
              "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"app": "web"}}}})
    name = next(p["metadata"]["name"] for p in s.iter(kinds.POD, "default"))
    r = client.post(f"/api/v1/namespaces/default/pods/{name}/eviction",
                    json={"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": name}})
    assert r.status_code == 429 and r.headers["Retry-After"] == "10"
    assert r.get_json() == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": REFUSAL,
        "reason": "TooManyRequests", "code": 429,
        "details": {"causes": [{"reason": "DisruptionBudget",
                                "message": "The disruption budget web is still being processed by the server."}],
                    "retryAfterSeconds": 10}}
    cluster.run_until_idle()
    r = client.post(f"/api/v1/namespaces/default/pods/{name}/eviction",
                    json={"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "other"}})
    assert r.status_code == 400 and r.get_json()["message"] == "name in URL does not match name in Eviction object"
    r = client.post(f"/api/v1/namespaces/default/pods/{name}/eviction",
                    json={"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": name}})
    assert r.status_code == 201 and r.get_json()["status"] == "Success"
