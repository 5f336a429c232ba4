"""Issue 12 item 8 on the manual clock: PriorityClass (validation, the built-in classes, the
Priority admission plugin) and the scheduler's preemption (victims, PDBs, nominatedNodeName,
preemptionPolicy Never, the FailedScheduling texts, the reconcile log)."""
from __future__ import annotations

import pytest

from engine import errors, resources as kinds
from engine.clock import ManualClock
from engine.cluster import Cluster
from engine.store import Store


def pclass(name, value, **kw):
    return dict({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": name},
                 "value": value}, **kw)


def pod(name, cpu="1", cls=None, node=None, labels=None, grace=None):
    spec: dict = {"containers": [{"name": "c", "image": "nginx", "resources": {"requests": {"cpu": cpu}}}]}
    if cls:
        spec["priorityClassName"] = cls
    if node:
        spec["nodeName"] = node
    if grace is not None:
        spec["terminationGracePeriodSeconds"] = grace
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels or {"app": name}},
            "spec": spec}


def get_pod(cluster, name):
    return cluster.store.try_get(kinds.POD, "default", name)


def events_of(cluster, name):
    return [(e["reason"], e["message"]) for e in cluster.store.iter(kinds.EVENT, "default")
            if e["involvedObject"]["name"] == name]


def scheduled_condition(p):
    return next(c for c in p["status"]["conditions"] if c["type"] == "PodScheduled")


@pytest.fixture
def one_node():
    c = Cluster(store=Store(), clock=ManualClock(), nodes=1)
    c.run_until_idle()
    yield c
    c.stop()


# ---- PriorityClass -----------------------------------------------------------------------------

def test_the_built_in_classes_exist_and_the_control_plane_pods_get_their_priority():
    c = Cluster(store=Store(), clock=ManualClock(), nodes=1, control_plane=True)
    c.advance(5)
    classes = {pc["metadata"]["name"]: pc for pc in c.store.iter(kinds.PRIORITYCLASS)}
    assert {n: (pc["value"], pc.get("globalDefault", False), pc["preemptionPolicy"]) for n, pc in classes.items()} == {
        "system-cluster-critical": (2000000000, False, "PreemptLowerPriority"),
        "system-node-critical": (2000001000, False, "PreemptLowerPriority")}
    assert classes["system-node-critical"]["description"] == \
        "Used for system critical pods that must not be moved from their current node."
    prio = {p["metadata"]["name"].split("-")[0]: p["spec"]["priority"] for p in c.store.iter(kinds.POD, "kube-system")}
    assert prio["coredns"] == 2000000000 and prio["etcd"] == 2000001000 and prio["kube"] == 2000001000
    with pytest.raises(errors.Forbidden) as e:
        c.store.delete(kinds.PRIORITYCLASS, None, "system-cluster-critical")
    assert str(e.value) == ('priorityclasses.scheduling.k8s.io "system-cluster-critical" is forbidden: '
                            'this is a system priority class and cannot be deleted')
    c.stop()


@pytest.mark.parametrize("obj, message", [
    (pclass("huge", 1000000001),
     'PriorityClass.scheduling.k8s.io "huge" is invalid: value: Forbidden: maximum allowed value of a user '
     'defined priority is 1000000000'),
    (pclass("system-mine", 5),
     'PriorityClass.scheduling.k8s.io "system-mine" is invalid: metadata.name: Forbidden: priority class names '
     "with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class"),
    (pclass("odd", 5, preemptionPolicy="Sometimes"),
     'PriorityClass.scheduling.k8s.io "odd" is invalid: preemptionPolicy: Unsupported value: "Sometimes": '
     'supported values: "PreemptLowerPriority", "Never"'),
])
def test_priority_class_validation_texts(cluster, obj, message):
    with pytest.raises(errors.Invalid) as e:
        cluster.store.create(obj)
    assert str(e.value) == message


def test_value_is_immutable_and_only_one_class_is_the_global_default(cluster):
    s = cluster.store
    made = s.create(pclass("base", 10, globalDefault=True, description="everyone"))
    # (the registry's PrepareForCreate sets generation 1; no update moves it: there is no spec)
    assert made["preemptionPolicy"] == "PreemptLowerPriority" and made["metadata"]["generation"] == 1
    with pytest.raises(errors.Invalid) as e:
        s.update(dict(made, value=11))
    assert str(e.value) == 'PriorityClass.scheduling.k8s.io "base" is invalid: value: Forbidden: may not be changed in an update.'
    with pytest.raises(errors.Forbidden) as e2:
        s.create(pclass("other", 20, globalDefault=True))
    assert str(e2.value) == ('priorityclasses.scheduling.k8s.io "other" is forbidden: PriorityClass base is marked '
                             'as globalDefault. Only one PriorityClass can be marked as globalDefault')
    updated = s.update(dict(made, description="changed"))   # the default itself may be updated
    assert updated["metadata"]["generation"] == 1


def test_priority_admission_resolves_the_class_the_default_and_refuses_the_rest(cluster):
    s = cluster.store
    assert s.create(pod("plain"))["spec"]["priority"] == 0
    assert s.get(kinds.POD, "default", "plain")["spec"]["preemptionPolicy"] == "PreemptLowerPriority"
    s.create(pclass("gentle", 500, preemptionPolicy="Never"))
    spec = s.create(pod("named", cls="gentle"))["spec"]
    assert (spec["priority"], spec["preemptionPolicy"]) == (500, "Never")
    s.create(pclass("fallback", 7, globalDefault=True))
    spec = s.create(pod("defaulted"))["spec"]
    assert (spec["priorityClassName"], spec["priority"]) == ("fallback", 7)
    with pytest.raises(errors.Forbidden) as e:
        s.create(pod("lost", cls="nope"))
    assert str(e.value) == 'pods "lost" is forbidden: no PriorityClass with name nope was found'
    given = pod("given", cls="gentle")
    given["spec"]["priority"] = 3
    with pytest.raises(errors.Forbidden) as e:
        s.create(given)
    assert str(e.value) == ('pods "given" is forbidden: the integer value of priority (3) must not be provided in '
                            'pod spec; priority admission controller computed 500 from the given PriorityClass name')
    policy = pod("policy", cls="gentle")
    policy["spec"]["preemptionPolicy"] = "PreemptLowerPriority"
    with pytest.raises(errors.Forbidden) as e:
        s.create(policy)
    assert str(e.value) == ('pods "policy" is forbidden: the string value of PreemptionPolicy (PreemptLowerPriority) '
                            'must not be provided in pod spec; priority admission controller computed Never from '
                            'the given PriorityClass name')


# ---- preemption --------------------------------------------------------------------------------

def test_a_high_priority_pod_preempts_the_fewest_lowest_priority_pods_and_lands_on_its_node(one_node):
    c, s = one_node, one_node.store
    for name, value in (("p1", 1), ("p2", 2), ("p3", 3), ("top", 100)):
        s.create(pclass(name, value))
    # The node (4 CPUs) is full: a (1 CPU, priority 1), b (1 CPU, priority 2), d (2 CPU, priority 3).
    s.create(pod("a", "1", "p1", node="node-1"))
    s.create(pod("b", "1", "p2", node="node-1"))
    s.create(pod("d", "2", "p3", node="node-1"))
    c.advance(5)
    s.create(pod("urgent", "1", "top"))
    c.advance(0.1)
    urgent = get_pod(c, "urgent")
    # Only `a` goes: with b and d put back (most important first) the pod still fits.
    assert urgent["status"]["nominatedNodeName"] == "node-1"
    assert scheduled_condition(urgent)["message"] == "0/1 nodes are available: 1 Insufficient cpu."
    victim = get_pod(c, "a")
    assert victim["metadata"].get("deletionTimestamp")
    cond = next(x for x in victim["status"]["conditions"] if x["type"] == "DisruptionTarget")
    assert (cond["status"], cond["reason"], cond["message"]) == (
        "True", "PreemptionByScheduler", "default-scheduler: preempting to accommodate a higher priority pod")
    assert ("Preempted", f"Preempted by pod {urgent['metadata']['uid']} on node node-1") in events_of(c, "a")
    # Eventf(victim, preemptor, Normal, "Preempted", "Preempting", ...): the preemptor is `related`
    [ev] = [e for e in c.store.iter(kinds.EVENT, "default") if e["reason"] == "Preempted"]
    assert ev["action"] == "Preempting" and ev["reportingComponent"] == "default-scheduler"
    assert (ev["related"]["kind"], ev["related"]["name"], ev["related"]["uid"]) == ("Pod", "urgent", urgent["metadata"]["uid"])
    assert list(ev).index("related") == list(ev).index("action") + 1
    assert "f:related" in ev["metadata"]["managedFields"][0]["fieldsV1"]
    assert not get_pod(c, "b")["metadata"].get("deletionTimestamp")
    assert not get_pod(c, "d")["metadata"].get("deletionTimestamp")
    decision = [d for d in c.decisions.since(0)[0] if d["action"] == "preempt"]
    assert decision[0]["message"] == ("Pod default/urgent fits nowhere: preempting 1 lower-priority pod(s) on "
                                      "node-1 (default/a); it is nominated to node-1 and waits for them to go")
    for _ in range(120):                 # the victim's graceful end, then the preemptor is bound
        c.advance(1)
        if (get_pod(c, "urgent")["spec"].get("nodeName")):
            break
    assert get_pod(c, "a") is None
    assert get_pod(c, "urgent")["spec"]["nodeName"] == "node-1"


def test_a_second_attempt_while_victims_terminate_does_not_preempt_again(one_node):
    c, s = one_node, one_node.store
    s.create(pclass("low", 1))
    s.create(pclass("high", 100))
    s.create(pod("a", "4", "low", node="node-1", grace=600))
    c.advance(5)
    s.create(pod("urgent", "2", "high"))
    c.advance(0.1)
    assert get_pod(c, "a")["metadata"]["deletionTimestamp"]
    c.advance(1)                          # past the back-off, `a` still stopping
    assert get_pod(c, "a") is not None
    node = s.get(kinds.NODE, "", "node-1")       # a node change sends `urgent` round again
    s.update(dict(node, metadata=dict(node["metadata"], labels=dict(node["metadata"]["labels"], extra="1"))))
    c.advance(0.01)
    assert get_pod(c, "a") is not None
    msg = scheduled_condition(get_pod(c, "urgent"))["message"]
    assert msg == ("0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to a terminating "
                   "pod on the nominated node.")
    assert [r for r, _ in events_of(c, "a")].count("Preempted") == 1


def test_preemption_prefers_the_node_whose_victims_break_no_budget(cluster):
    c, s = cluster, cluster.store
    s.create(pclass("low", 1))
    s.create(pclass("high", 100))
    s.create(pod("guarded", "4", "low", node="node-1", labels={"app": "guarded"}))
    s.create(pod("free", "4", "low", node="node-2", labels={"app": "free"}))
    s.create(pod("also-guarded", "4", "low", node="node-3", labels={"app": "guarded"}))
    s.create({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "guard"},
              "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": "guarded"}}}})
    c.advance(10)
    assert s.get(kinds.PODDISRUPTIONBUDGET, "default", "guard")["status"]["disruptionsAllowed"] == 0
    s.create(pod("urgent", "2", "high"))
    c.advance(0.1)
    assert get_pod(c, "urgent")["status"]["nominatedNodeName"] == "node-2"
    assert get_pod(c, "free")["metadata"].get("deletionTimestamp")
    assert not get_pod(c, "guarded")["metadata"].get("deletionTimestamp")


def test_a_budget_gives_way_when_no_other_victim_would_do(one_node):
    c, s = one_node, one_node.store
    s.create(pclass("low", 1))
    s.create(pclass("high", 100))
    s.create(pod("guarded", "4", "low", node="node-1", labels={"app": "guarded"}))
    s.create({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "guard"},
              "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "guarded"}}}})
    c.advance(10)
    s.create(pod("urgent", "2", "high"))
    c.advance(0.1)
    assert get_pod(c, "urgent")["status"]["nominatedNodeName"] == "node-1"
    assert get_pod(c, "guarded")["metadata"].get("deletionTimestamp")


def test_preemption_policy_never_waits_without_evicting(one_node):
    c, s = one_node, one_node.store
    s.create(pclass("low", 1))
    s.create(pclass("polite", 100, preemptionPolicy="Never"))
    s.create(pod("a", "4", "low", node="node-1"))
    c.advance(5)
    s.create(pod("patient", "2", "polite"))
    c.advance(1)
    p = get_pod(c, "patient")
    assert scheduled_condition(p)["message"] == ("0/1 nodes are available: 1 Insufficient cpu. preemption: not "
                                                 "eligible due to preemptionPolicy=Never.")
    assert "nominatedNodeName" not in p["status"]
    assert not get_pod(c, "a")["metadata"].get("deletionTimestamp")


def test_no_victims_and_not_helpful_texts(cluster):
    c, s = cluster, cluster.store
    s.create(pclass("high", 100))
    for i in (1, 2):
        s.create(pod(f"same-{i}", "4", "high", node=f"node-{i}"))
    node3 = s.get(kinds.NODE, "", "node-3")
    s.update(dict(node3, spec=dict(node3.get("spec") or {}, unschedulable=True)))
    c.advance(5)
    s.create(pod("peer", "2", "high"))
    c.advance(1)
    assert scheduled_condition(get_pod(c, "peer"))["message"] == (
        "0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu. preemption: 0/3 nodes are "
        "available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.")


def test_a_lower_priority_pod_cannot_take_the_room_a_nominated_pod_waits_for(one_node):
    c, s = one_node, one_node.store
    s.create(pclass("low", 1))
    s.create(pclass("high", 100))
    s.create(pod("a", "4", "low", node="node-1", grace=5))
    c.advance(5)
    s.create(pod("sneaky", "2"))            # priority 0, waiting first: must not use the room freed for `urgent`
    c.advance(1)
    s.create(pod("urgent", "3", "high"))
    c.advance(0.1)
    assert get_pod(c, "urgent")["status"]["nominatedNodeName"] == "node-1"
    for _ in range(60):
        c.advance(1)
        if get_pod(c, "urgent")["spec"].get("nodeName"):
            break
    assert get_pod(c, "urgent")["spec"]["nodeName"] == "node-1"
    assert {r for r, _ in events_of(c, "sneaky")} == {"FailedScheduling"}
    assert not get_pod(c, "sneaky")["spec"].get("nodeName")


def test_a_node_where_even_all_lower_pods_gone_leave_too_little_says_why(one_node):
    c, s = one_node, one_node.store
    s.create(pclass("low", 1))
    s.create(pclass("mid", 50))
    s.create(pclass("high", 100))
    s.create(pod("big", "3", "high", node="node-1"))
    s.create(pod("small", "1", "low", node="node-1"))
    c.advance(5)
    s.create(pod("middle", "2", "mid"))
    c.advance(1)
    assert scheduled_condition(get_pod(c, "middle"))["message"] == (
        "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Insufficient cpu.")
    assert not get_pod(c, "small")["metadata"].get("deletionTimestamp")


def test_preemption_leaves_the_room_of_a_higher_pod_nominated_there_alone(one_node):
    c, s = one_node, one_node.store
    s.create(pclass("low", 1))
    s.create(pclass("mid", 50))
    s.create(pclass("high", 100))
    s.create(pod("a", "4", "low", node="node-1"))
    c.advance(5)
    s.create(pod("urgent", "3", "high"))
    c.advance(0.01)
    assert get_pod(c, "urgent")["status"]["nominatedNodeName"] == "node-1"
    s.create(pod("second", "2", "mid"))       # while `a` is still going: its room is urgent's
    c.advance(0.01)
    second = get_pod(c, "second")
    assert "nominatedNodeName" not in second["status"]
    assert scheduled_condition(second)["message"] == (
        "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Insufficient cpu.")


def test_a_higher_preemptor_takes_the_node_from_a_lower_nominated_pod(one_node):
    c, s = one_node, one_node.store
    s.create(pclass("low", 1))
    s.create(pclass("mid", 50))
    s.create(pclass("high", 100))
    s.create(pod("a", "4", "low", node="node-1"))
    c.advance(5)
    s.create(pod("middle", "3", "mid"))
    c.advance(0.01)
    assert get_pod(c, "middle")["status"]["nominatedNodeName"] == "node-1"
    s.create(pod("top", "3", "high"))
    c.advance(0.01)
    assert get_pod(c, "top")["status"]["nominatedNodeName"] == "node-1"
    assert "nominatedNodeName" not in get_pod(c, "middle")["status"]     # its nomination is cleared
    for _ in range(60):
        c.advance(1)
        if get_pod(c, "top")["spec"].get("nodeName"):
            break
    assert get_pod(c, "top")["spec"]["nodeName"] == "node-1"
    c.advance(15)                          # middle's next attempt: nothing below it to preempt
    assert not get_pod(c, "middle")["spec"].get("nodeName")
    assert scheduled_condition(get_pod(c, "middle"))["message"].endswith(
        "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.")


def test_pick_one_node_for_preemption_follows_upstream_order():
    from engine.scheduler.cache import PodInfo
    from engine.scheduler.preemption import Candidate, pick

    def victim(name, prio, start):
        p = {"metadata": {"name": name, "namespace": "default"}, "spec": {"priority": prio, "containers": []},
             "status": {"startTime": start}}
        return (f"default/{name}", PodInfo(f"default/{name}", p), p)

    early, late = "2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z"
    # fewer PDB violations first
    assert pick([Candidate("a", [victim("x", 1, early)], 1), Candidate("b", [victim("y", 5, early)], 0)]).node == "b"
    # then the lowest highest-priority victim
    assert pick([Candidate("a", [victim("x", 5, early)]), Candidate("b", [victim("y", 9, early)])]).node == "a"
    # then the smallest sum of priorities (fewer victims count less: each is shifted up by 2^31)
    assert pick([Candidate("a", [victim("x", 5, early), victim("z", 1, early)]),
                 Candidate("b", [victim("y", 5, early)])]).node == "b"
    # then, all else equal, the node whose most important victims started last
    assert pick([Candidate("a", [victim("x", 5, early)]), Candidate("b", [victim("y", 5, late)])]).node == "b"
    # a node needing no victims at all wins at once
    assert pick([Candidate("a", [victim("x", 1, early)]), Candidate("b", [])]).node == "b"
