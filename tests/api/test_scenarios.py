"""Scenario checks (webapp/page/scenarios.py) against a real in-memory cluster on a manual clock:
each is open until the learner's action, done after it, and the memory the page keeps carries
what a check must remember."""
from __future__ import annotations

import pytest

from engine import resources as kinds
from test_yamlapply import page_client


@pytest.fixture
def cluster():
    from engine.clock import ManualClock
    from engine.cluster import Cluster
    from engine.store import Store
    c = Cluster(store=Store(), clock=ManualClock(), nodes=3)
    c.run_until_idle()
    yield c


@pytest.fixture
def client(cluster):
    from webapp import create_app
    return page_client(create_app(cluster))


def settle(cluster, seconds=60):
    for _ in range(seconds // 5):
        cluster.run_until_idle()
        cluster.clock.advance(5)
    cluster.run_until_idle()


class Run:
    def __init__(self, client, cluster, sid):
        self.client, self.cluster, self.sid = client, cluster, sid
        r = client.post(f"/kubeplay/v1/scenarios/{sid}/start", json={})
        assert r.status_code == 200, r.get_json()
        self.memory = r.get_json()["memory"]
        settle(cluster)

    def check(self):
        r = self.client.post(f"/kubeplay/v1/scenarios/{self.sid}/check", json={"memory": self.memory})
        body = r.get_json()
        self.memory = body["memory"]
        return body["done"], body["progress"]


def test_the_list_is_the_data_file(client):
    ids = [s["id"] for s in client.get("/kubeplay/v1/scenarios").get_json()["scenarios"]]
    assert ids[:6] == ["declarative", "self-healing", "scaling", "rollback", "pending", "no-endpoints"]


def test_declarative_needs_a_scale_then_an_apply(client, cluster):
    run = Run(client, cluster, "declarative")
    assert run.check() == (False, "login-app has 3 replicas, as declared: now scale it imperatively")
    cluster.store.patch(kinds.DEPLOYMENT, "default", "login-app", "merge", {"spec": {"replicas": 5}})
    settle(cluster)
    assert run.check() == (False, "login-app is at 5 replicas; the file says 3")
    client.post("/kubeplay/v1/scenarios/declarative/start", json={})     # the setup is the file
    settle(cluster)
    assert run.check() == (True, "back at 3 replicas, as the file declares, all Ready")


def test_a_pending_pod_is_done_when_a_pod_of_that_name_runs(client, cluster):
    run = Run(client, cluster, "pending")
    assert run.check() == (False, "pod greedy is Pending")
    cluster.store.delete(kinds.POD, "default", "greedy", grace_period_seconds=0)
    settle(cluster)
    cluster.store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "greedy", "namespace": "default"},
                          "spec": {"containers": [{"name": "greedy", "image": "nginx",
                                                   "resources": {"requests": {"cpu": "100m"}}}]}})
    settle(cluster)
    assert run.check() == (True, "pod greedy is Running")


def test_a_rollback_needs_the_bad_image_first(client, cluster):
    run = Run(client, cluster, "rollback")
    assert run.check()[0] is False

    def image(name):
        cluster.store.patch(kinds.DEPLOYMENT, "default", "web", "strategic",
                            {"spec": {"template": {"spec": {"containers": [{"name": "web", "image": name}]}}}})
        settle(cluster)
    image("nginx:1.27-typo")
    assert run.check() == (False, "web is on nginx:1.27-typo: roll it back to nginx")
    image("nginx")
    assert run.check() == (True, "rolled back to nginx, every pod Ready")


def test_an_unknown_scenario_is_a_404_and_a_check_needs_its_memory(client):
    assert client.post("/kubeplay/v1/scenarios/nope/start", json={}).status_code == 404
    assert client.post("/kubeplay/v1/scenarios/scaling/check", json={}).status_code == 400


def test_the_ten_scenarios_of_the_issue_are_there(client):
    ids = {s["id"] for s in client.get("/kubeplay/v1/scenarios").get_json()["scenarios"]}
    assert ids == {"declarative", "self-healing", "scaling", "rollback", "pending", "no-endpoints", "node-failure",
                   "crashloop", "daemonset-new-node", "statefulset-identity"}


def test_a_statefulset_pod_comes_back_with_its_name(client, cluster):
    run = Run(client, cluster, "statefulset-identity")
    assert run.check() == (False, "db-0 is running: delete it")
    cluster.store.delete(kinds.POD, "default", "db-0")
    cluster.run_until_idle()
    assert run.check()[0] is False
    settle(cluster)
    assert run.check() == (True, "a new pod with the same name, db-0, is Running")


def test_a_failed_node_and_the_pods_elsewhere(client, cluster):
    run = Run(client, cluster, "node-failure")
    assert run.check() == (False, "every node is Ready: fail one that runs web's pods")
    node = cluster.store.get(kinds.POD, "default", [p for p in cluster.store.list(kinds.POD, "default")[0]
                                                    if p["metadata"]["name"].startswith("web-")][0]["metadata"]["name"])
    cluster.fail_node(node["spec"]["nodeName"])
    settle(cluster, 120)
    done, text = run.check()
    assert done, text
    assert text.startswith(node["spec"]["nodeName"] + " went NotReady")


def test_a_crashing_pod_is_open_until_a_pod_of_that_name_stays_up(client, cluster):
    run = Run(client, cluster, "crashloop")
    assert run.check()[0] is False


def test_a_daemonset_pod_on_a_node_that_joined(client, cluster):
    run = Run(client, cluster, "daemonset-new-node")
    assert run.check() == (False, "no new node yet: add one")
    cluster.add_node("node-4")
    settle(cluster)
    done, text = run.check()
    assert done and text.endswith("runs on the new node node-4"), text


@pytest.mark.parametrize("sid, memory", [("self-healing", {"seen": 5}), ("statefulset-identity", {"seen": "x"}),
                                         ("daemonset-new-node", {"nodes": 3}), ("declarative", {"generation": "a"})])
def test_a_memory_that_is_not_the_checks_is_a_400_not_a_500(client, cluster, sid, memory):
    Run(client, cluster, sid)
    r = client.post(f"/kubeplay/v1/scenarios/{sid}/check", json={"memory": memory})
    assert r.status_code == 400, r.get_json()
    assert "start it again" in r.get_json()["message"]
