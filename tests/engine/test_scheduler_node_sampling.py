"""The scheduler stops filtering once it has found numFeasibleNodesToFind feasible nodes, and
the next pod's search starts where the last one stopped (pkg/scheduler/schedule_one.go): on a
1,000-node cluster a pod is filtered and scored on 420 nodes, not all of them."""
import random

from engine import resources as kinds
from engine.clock import ManualClock
from engine.cluster import Cluster
from engine.scheduler.scheduler import feasible_nodes_to_find
from engine.store import Store


def test_the_number_of_feasible_nodes_to_find_is_upstreams_adaptive_percentage():
    assert [feasible_nodes_to_find(n) for n in (1, 6, 99, 100, 200, 1000, 5000, 6000, 10000)] == \
        [1, 6, 99, 100, 100, 420, 500, 300, 500]


def test_a_large_cluster_spreads_pods_over_the_nodes_it_searches():
    store = Store()
    c = Cluster(store=store, clock=ManualClock(), nodes=120, pods_per_node=10)
    # Ties between equally scored nodes are drawn at random (selectHost): unseeded, a draw now and
    # then leaves a window of 100 nodes with no empty node while one outside it is (one node ends
    # with 3 pods, one with 1 — upstream's sampling does the same). Seeded, the run is one fixed run.
    c.controller("default-scheduler")._rng = random.Random(7)
    c.run_until_idle()
    store.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
                  "spec": {"replicas": 240, "selector": {"matchLabels": {"app": "web"}},
                           "template": {"metadata": {"labels": {"app": "web"}},
                                        "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}}})
    for _ in range(20):
        c.advance(0.5)
    pods = [p for p in store.iter(kinds.POD, "default") if p["metadata"]["name"].startswith("web-")]
    assert len(pods) == 240 and all(p["spec"].get("nodeName") for p in pods)
    per_node: dict[str, int] = {}
    for p in pods:
        per_node[p["spec"]["nodeName"]] = per_node.get(p["spec"]["nodeName"], 0) + 1
    # 100 of the 120 nodes are searched a pod, from where the last search stopped: without the
    # rotation the last 20 would never be found; with it every node gets its share, 2 each.
    assert len(per_node) == 120 and set(per_node.values()) == {2}
