"""InterPodAffinity and PodTopologySpread in the default-scheduler, on the manual clock: required
(anti-)affinity on hostname and zone, existing pods' anti-affinity, preferred terms as scores,
DoNotSchedule and ScheduleAnyway spread constraints, the exact FitError texts, retries when
bound pods change, and no writes once settled."""
import collections

import pytest

from engine import objects, resources as kinds
from engine.clock import ManualClock
from engine.cluster import Cluster
from engine.store import Store

ZONE = "topology.kubernetes.io/zone"
HOST = "kubernetes.io/hostname"


@pytest.fixture
def zoned():
    """node-1, node-2 in zone-a; node-3 in zone-b."""
    c = Cluster(store=Store(), clock=ManualClock(), nodes=0)
    for name, zone in (("node-1", "zone-a"), ("node-2", "zone-a"), ("node-3", "zone-b")):
        c.add_node(name, labels={ZONE: zone})
    c.run_until_idle()
    yield c
    c.stop()


def pod(name, labels=None, *, ns="default", node_selector=None, affinity=None, spread=None, **spec):
    spec["containers"] = [{"name": "c", "image": "nginx:1.27"}]
    if node_selector:
        spec["nodeSelector"] = node_selector
    if affinity:
        spec["affinity"] = affinity
    if spread:
        spec["topologySpreadConstraints"] = spread
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": ns, "labels": dict(labels or {})}, "spec": spec}


def term(labels, key=HOST, **extra):
    return dict({"labelSelector": {"matchLabels": dict(labels)}, "topologyKey": key}, **extra)


def anti(*terms):
    return {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": list(terms)}}


def affine(*terms):
    return {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": list(terms)}}


def deployment(name, replicas, labels, **podspec):
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": dict(labels)},
                     "template": {"metadata": {"labels": dict(labels)},
                                  "spec": dict(podspec, containers=[{"name": "nginx", "image": "nginx:1.27"}])}}}


def get(c, name, ns="default"):
    return c.store.get(kinds.POD, ns, name)


def node_of(c, name, ns="default"):
    return get(c, name, ns)["spec"].get("nodeName")


def message(c, name):
    cond = objects.get_condition(get(c, name).get("status"), "PodScheduled")
    assert cond["status"] == "False" and cond["reason"] == "Unschedulable"
    return cond["message"]


def pods_with(c, labels):
    return [p for p in c.store.iter(kinds.POD, "default") if all(objects.labels_of(p).get(k) == v for k, v in labels.items())]


def zone_of(c, node):
    return objects.labels_of(c.store.get(kinds.NODE, "", node))[ZONE]


def set_node(c, name, fn):
    node = objects.clone(c.store.get(kinds.NODE, "", name))
    fn(node)
    c.store.update(node)


# ---- required anti-affinity ------------------------------------------------------------------------

def test_anti_affinity_spreads_three_replicas_over_three_nodes_and_the_fourth_stays_pending(cluster):
    labels = {"app": "web"}
    cluster.store.create(deployment("web", 4, labels, affinity=anti(term(labels))))
    cluster.advance(10)
    pods = pods_with(cluster, labels)
    bound = [p for p in pods if p["spec"].get("nodeName")]
    assert len(pods) == 4 and sorted(p["spec"]["nodeName"] for p in bound) == ["node-1", "node-2", "node-3"]
    pending = [p for p in pods if not p["spec"].get("nodeName")][0]
    text = ("0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. preemption: "
            "0/3 nodes are available: 3 No preemption victims found for incoming pod.")
    assert message(cluster, objects.name_of(pending)) == text
    assert pending["status"]["phase"] == "Pending"
    evs = [e for e in cluster.store.iter(kinds.EVENT, "default")
           if e["involvedObject"]["name"] == objects.name_of(pending) and e["reason"] == "FailedScheduling"]
    # (the attempt after its PodScheduled=False condition is about a new resourceVersion of the
    # pod: a second Event, as a real cluster shows two)
    assert {(e["type"], e["message"], e["reportingComponent"]) for e in evs} == {("Warning", text, "default-scheduler")}

    # A fourth node: the pending replica goes there.
    cluster.add_node("node-4")
    cluster.advance(15)
    assert node_of(cluster, objects.name_of(pending)) == "node-4"


def test_a_deleted_neighbour_makes_room_for_an_anti_affine_pod(cluster):
    labels = {"app": "solo"}
    for i in range(4):
        cluster.store.create(pod(f"solo-{i}", labels, affinity=anti(term(labels))))
    cluster.run_until_idle()
    assert node_of(cluster, "solo-3") is None
    victim = node_of(cluster, "solo-1")
    cluster.store.delete(kinds.POD, "default", "solo-1", grace_period_seconds=0)
    cluster.advance(5)
    assert node_of(cluster, "solo-3") == victim


def test_anti_affinity_only_looks_in_its_own_namespace_unless_told(cluster):
    cluster.store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other", "labels": {"team": "x"}}})
    cluster.run_until_idle()            # its default ServiceAccount, which its pods need
    labels = {"app": "db"}
    for n in (1, 2, 3):
        cluster.store.create(pod(f"db-{n}", labels, ns="other", node_selector={HOST: f"node-{n}"}))
    cluster.store.create(pod("mine", affinity=anti(term(labels))))
    cluster.run_until_idle()
    assert node_of(cluster, "mine") is not None
    cluster.store.create(pod("wide", affinity=anti(term(labels, namespaceSelector={"matchLabels": {"team": "x"}}))))
    cluster.store.create(pod("named", affinity=anti(term(labels, namespaces=["other"]))))
    cluster.run_until_idle()
    assert node_of(cluster, "wide") is None and node_of(cluster, "named") is None
    assert "3 node(s) didn't match pod anti-affinity rules" in message(cluster, "wide")


def test_zone_anti_affinity_allows_one_replica_per_zone(zoned):
    labels = {"app": "z"}
    for i in range(3):
        zoned.store.create(pod(f"z-{i}", labels, affinity=anti(term(labels, ZONE))))
        zoned.run_until_idle()
    zones = sorted(zone_of(zoned, node_of(zoned, f"z-{i}")) for i in range(2))
    assert zones == ["zone-a", "zone-b"]
    assert message(zoned, "z-2") == (
        "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. preemption: "
        "0/3 nodes are available: 3 No preemption victims found for incoming pod.")


def test_existing_pods_anti_affinity_keeps_others_away(cluster):
    cluster.store.create(pod("loner", {"app": "loner"}, node_selector={HOST: "node-1"},
                             affinity=anti(term({"app": "batch"}))))
    cluster.run_until_idle()
    cluster.store.create(pod("batch-1", {"app": "batch"}, node_selector={HOST: "node-1"}))
    cluster.store.create(pod("batch-2", {"app": "batch"}))
    cluster.run_until_idle()
    assert message(cluster, "batch-1") == (
        "0/3 nodes are available: 1 node(s) didn't satisfy existing pods anti-affinity rules, "
        "2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: "
        "1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.")
    assert node_of(cluster, "batch-2") in ("node-2", "node-3")
    # The loner goes: batch-1 may now run on node-1.
    cluster.store.delete(kinds.POD, "default", "loner", grace_period_seconds=0)
    cluster.advance(5)
    assert node_of(cluster, "batch-1") == "node-1"


# ---- required affinity -----------------------------------------------------------------------------

def test_affinity_waits_for_a_matching_pod_then_follows_it(cluster):
    cluster.store.create(pod("web", {"app": "web"}, affinity=affine(term({"app": "cache"}))))
    cluster.run_until_idle()
    assert message(cluster, "web") == (
        "0/3 nodes are available: 3 node(s) didn't match pod affinity rules. preemption: "
        "0/3 nodes are available: 3 Preemption is not helpful for scheduling.")
    cluster.store.create(pod("cache", {"app": "cache"}, node_selector={HOST: "node-2"}))
    cluster.advance(5)
    assert node_of(cluster, "cache") == "node-2" and node_of(cluster, "web") == "node-2"


def test_the_first_pod_of_a_self_affine_group_goes_anywhere_and_the_rest_follow(zoned):
    labels = {"app": "team"}
    for i in range(4):
        zoned.store.create(pod(f"team-{i}", labels, affinity=affine(term(labels, ZONE))))
        zoned.run_until_idle()
    zones = {zone_of(zoned, node_of(zoned, f"team-{i}")) for i in range(4)}
    assert len(zones) == 1


def test_affinity_on_zone_lands_in_the_zone_of_the_match(zoned):
    zoned.store.create(pod("db", {"app": "db"}, node_selector={HOST: "node-3"}))
    zoned.run_until_idle()
    for i in range(3):
        zoned.store.create(pod(f"api-{i}", {"app": "api"}, affinity=affine(term({"app": "db"}, ZONE))))
    zoned.run_until_idle()
    assert {node_of(zoned, f"api-{i}") for i in range(3)} == {"node-3"}


def test_a_node_without_the_topology_key_fails_affinity(cluster):
    cluster.store.create(pod("db", {"app": "db"}))
    cluster.run_until_idle()
    cluster.store.create(pod("api", affinity=affine(term({"app": "db"}, ZONE))))
    cluster.run_until_idle()
    assert "3 node(s) didn't match pod affinity rules" in message(cluster, "api")


# ---- preferred terms (scores) ----------------------------------------------------------------------

def test_preferred_affinity_pulls_a_pod_next_to_its_partner(cluster):
    cluster.store.create(pod("db", {"app": "db"}, node_selector={HOST: "node-3"}))
    cluster.run_until_idle()
    pref = {"podAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 100, "podAffinityTerm": term({"app": "db"})}]}}
    for i in range(3):
        cluster.store.create(pod(f"near-{i}", affinity=pref))
    cluster.run_until_idle()
    assert {node_of(cluster, f"near-{i}") for i in range(3)} == {"node-3"}


def test_preferred_anti_affinity_pushes_pods_apart_but_never_blocks(cluster):
    labels = {"app": "spread"}
    pref = {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 100, "podAffinityTerm": term(labels)}]}}
    for i in range(5):
        cluster.store.create(pod(f"s-{i}", labels, affinity=pref))
        cluster.run_until_idle()
    per_node = collections.Counter(node_of(cluster, f"s-{i}") for i in range(5))
    assert None not in per_node and sorted(per_node.values()) == [1, 2, 2]


def test_a_bound_pods_required_affinity_attracts_matching_pods(cluster):
    """The symmetric part of the score: an existing pod's required affinity term that matches
    the incoming pod adds the hard pod-affinity weight to its topology."""
    cluster.store.create(pod("cache", {"app": "cache"}, node_selector={HOST: "node-2"}))
    cluster.run_until_idle()
    cluster.store.create(pod("sidecar", {"app": "side"}, node_selector={HOST: "node-2"},
                             affinity=affine(term({"app": "cache"}))))
    cluster.run_until_idle()
    cluster.store.create(pod("cache-2", {"app": "cache"}))
    cluster.run_until_idle()
    assert node_of(cluster, "cache-2") == "node-2"


# ---- topology spread -------------------------------------------------------------------------------

def spread(labels, key=HOST, skew=1, when="DoNotSchedule", **extra):
    return [dict({"maxSkew": skew, "topologyKey": key, "whenUnsatisfiable": when,
                  "labelSelector": {"matchLabels": dict(labels)}}, **extra)]


def test_do_not_schedule_keeps_the_skew_within_max_skew(cluster):
    labels = {"app": "even"}
    for i in range(3):
        cluster.store.create(pod(f"even-{i}", labels, spread=spread(labels)))
        cluster.run_until_idle()
    assert sorted(node_of(cluster, f"even-{i}") for i in range(3)) == ["node-1", "node-2", "node-3"]
    for n in ("node-2", "node-3"):
        set_node(cluster, n, lambda node: node["spec"].__setitem__("unschedulable", True))
    cluster.run_until_idle()
    cluster.store.create(pod("even-3", labels, spread=spread(labels)))      # node-1: 1 + 1 − 1 = 1 ≤ 1
    cluster.run_until_idle()
    assert node_of(cluster, "even-3") == "node-1"
    cluster.store.create(pod("even-4", labels, spread=spread(labels)))      # node-1: 2 + 1 − 1 = 2 > 1
    cluster.run_until_idle()
    assert message(cluster, "even-4") == (
        "0/3 nodes are available: 1 node(s) didn't match pod topology spread constraints, "
        "2 node(s) were unschedulable. preemption: 0/3 nodes are available: "
        "1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.")
    set_node(cluster, "node-2", lambda node: node["spec"].pop("unschedulable"))
    cluster.advance(5)
    assert node_of(cluster, "even-4") == "node-2"


def test_zone_spread_over_a_deployment(zoned):
    labels = {"app": "zs"}
    zoned.store.create(deployment("zs", 6, labels, topologySpreadConstraints=spread(labels, ZONE)))
    zoned.advance(10)
    zones = collections.Counter(zone_of(zoned, p["spec"]["nodeName"]) for p in pods_with(zoned, labels))
    assert zones == {"zone-a": 3, "zone-b": 3}


def test_a_node_without_the_topology_key_is_missing_the_required_label(cluster):
    labels = {"app": "x"}
    cluster.store.create(pod("x", labels, spread=spread(labels, ZONE)))
    cluster.run_until_idle()
    assert message(cluster, "x") == (
        "0/3 nodes are available: 3 node(s) didn't match pod topology spread constraints (missing required label). "
        "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.")


def test_min_domains_counts_missing_domains_as_empty(zoned):
    labels = {"app": "md"}
    c = spread(labels, ZONE, minDomains=3)
    for i in range(3):
        zoned.store.create(pod(f"md-{i}", labels, spread=c))
        zoned.run_until_idle()
    # Two zones exist but minDomains is 3: the global minimum is 0, so each zone holds at most 1.
    assert sorted(zone_of(zoned, node_of(zoned, f"md-{i}")) for i in range(2)) == ["zone-a", "zone-b"]
    assert "3 node(s) didn't match pod topology spread constraints" in message(zoned, "md-2")


def test_node_affinity_policy_honor_leaves_other_nodes_out_of_the_domains(zoned):
    labels = {"app": "pin"}
    c = spread(labels, ZONE)
    for i in range(3):      # only zone-a is eligible: its single domain never skews
        zoned.store.create(pod(f"pin-{i}", labels, spread=c, node_selector={ZONE: "zone-a"}))
        zoned.run_until_idle()
    assert all(node_of(zoned, f"pin-{i}") in ("node-1", "node-2") for i in range(3))
    c = spread(labels, ZONE, nodeAffinityPolicy="Ignore")
    zoned.store.create(pod("pin-3", labels, spread=c, node_selector={ZONE: "zone-a"}))
    zoned.run_until_idle()
    assert "didn't match pod topology spread constraints" in message(zoned, "pin-3")


def test_terminating_pods_do_not_count_for_spread(cluster):
    labels = {"app": "t"}
    for i in range(3):
        cluster.store.create(pod(f"t-{i}", labels, spread=spread(labels)))
        cluster.run_until_idle()
    for n in ("node-2", "node-3"):
        set_node(cluster, n, lambda node: node["spec"].__setitem__("unschedulable", True))
    on_1 = [f"t-{i}" for i in range(3) if node_of(cluster, f"t-{i}") == "node-1"][0]
    cluster.store.create(pod("t-3", labels, spread=spread(labels)))
    cluster.store.create(pod("t-4", labels, spread=spread(labels)))
    cluster.run_until_idle()
    assert node_of(cluster, "t-3") == "node-1" and node_of(cluster, "t-4") is None
    cluster.store.delete(kinds.POD, "default", on_1)          # graceful: terminating for a while
    cluster.advance(0.5)
    assert objects.is_terminating(get(cluster, on_1))
    cluster.advance(2)
    assert node_of(cluster, "t-4") == "node-1"


def test_schedule_anyway_spreads_by_score(zoned):
    labels = {"app": "soft"}
    c = spread(labels, ZONE, when="ScheduleAnyway")
    for i in range(4):
        zoned.store.create(pod(f"soft-{i}", labels, spread=c))
        zoned.run_until_idle()
    zones = collections.Counter(zone_of(zoned, node_of(zoned, f"soft-{i}")) for i in range(4))
    assert zones == {"zone-a": 2, "zone-b": 2}
    # Soft: it never blocks — with zone-b cordoned the next ones go to zone-a anyway.
    set_node(zoned, "node-3", lambda node: node["spec"].__setitem__("unschedulable", True))
    zoned.run_until_idle()
    zoned.store.create(pod("soft-4", labels, spread=c))
    zoned.run_until_idle()
    assert zone_of(zoned, node_of(zoned, "soft-4")) == "zone-a"


# ---- quiescence and cost ---------------------------------------------------------------------------

def test_a_settled_cluster_with_affinity_pods_writes_nothing(cluster):
    labels = {"app": "web"}
    cluster.store.create(deployment("web", 4, labels, affinity=anti(term(labels)),
                                    topologySpreadConstraints=spread(labels)))
    cluster.advance(30)
    pending = [p for p in pods_with(cluster, labels) if not p["spec"].get("nodeName")]
    assert len(pending) == 1
    rv = cluster.store.resource_version
    sched = cluster.controller("default-scheduler")
    for p in pods_with(cluster, labels):
        sched.reconcile(objects.key_of(p))
    cluster.store.flush()
    assert cluster.store.resource_version == rv


def test_pods_without_affinity_skip_the_inter_pod_work(cluster):
    from engine.scheduler import topology
    sched = cluster.controller("default-scheduler")
    p = pod("plain")
    cluster.store.create(p)
    info = sched.cache.pod_info("default/plain", p)
    assert topology.prefilter(info, sched.cache, sched.cache.live_nodes(), None, None) is None
    assert topology.prescore(info, sched.cache, sched.cache.live_nodes(), None, None) is None
