"""The ReplicaSet controller's counted claims (facts kept from one reconcile to the next, updated
for the pods written meanwhile: engine/store.py owned_changes) do exactly what the full pass over
every owned pod does.

The same scenario — scale-ups and downs, minReadySeconds, pods deleted and relabelled (a stray
to release), an orphan to adopt, a rolling update, a failed node — runs twice with the randomness
pinned, once with counted claims and once without; every watch event and every decision must be
the same, and the kept tallies must be those of a full pass at the end."""
import json
import random

from engine import objects, resources as kinds
from engine.clock import ManualClock
from engine.cluster import Cluster
from engine.controllers.replicaset import _ACTIVE, _NOT_READY, _PodFacts
from engine.selectors import label_selector_matcher
from engine.store import Store


def _deployment(name, replicas, **spec):
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}}, **spec,
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}}}


def _run(counted: bool):
    random.seed(5)
    objects._uid_random.seed(6)
    store = Store()
    feed = store.subscribe()
    c = Cluster(store=store, clock=ManualClock(), nodes=3)
    c.controller("default-scheduler")._rng = random.Random(7)
    rsc = c.controller("replicaset-controller")
    rsc.counted_claims = counted
    c.run_until_idle()
    s = store

    def steps(n, dt=0.5):
        for _ in range(n):
            c.advance(dt)

    s.create(_deployment("web", 8))
    s.create(_deployment("slow", 4, minReadySeconds=3))
    steps(6)
    s.patch(kinds.DEPLOYMENT, "default", "web", "merge", {"spec": {"replicas": 14}})
    steps(4)
    web = sorted(p["metadata"]["name"] for p in s.iter(kinds.POD, "default") if p["metadata"]["name"].startswith("web-"))
    s.delete(kinds.POD, "default", web[0])
    s.patch(kinds.POD, "default", web[1], "merge", {"metadata": {"labels": {"app": "elsewhere"}}})   # a stray
    steps(4)
    rs = next(r for r in s.iter(kinds.REPLICASET, "default") if r["metadata"]["name"].startswith("web-"))
    s.create({"apiVersion": "v1", "kind": "Pod",                                                     # an orphan
              "metadata": {"name": "lone", "namespace": "default", "labels": dict(rs["spec"]["selector"]["matchLabels"])},
              "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}})
    steps(6)
    s.patch(kinds.DEPLOYMENT, "default", "slow", "merge", {"spec": {"replicas": 7}})
    s.patch(kinds.DEPLOYMENT, "default", "web", "merge", {"spec": {"replicas": 5}})
    steps(8)
    s.patch(kinds.DEPLOYMENT, "default", "web", "merge",
            {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "nginx:1.26"}]}}}})
    steps(12)
    c.fail_node("node-2")
    steps(30, 1.0)
    events = [(ev.type, ev.rv, json.dumps(ev.object, sort_keys=True)) for ev in feed]
    decisions = [json.dumps(d, sort_keys=True, default=str) for d in c.decisions.since(0)[0]]
    return c, events, decisions


def test_counted_claims_write_and_decide_exactly_what_full_claims_do():
    c_fast, events_fast, decisions_fast = _run(True)
    c_full, events_full, decisions_full = _run(False)
    assert len(events_fast) > 300
    assert events_fast == events_full
    assert decisions_fast == decisions_full
    reasons = {json.loads(d).get("action") for d in decisions_fast}
    assert {"create-pods", "delete-pods", "release", "adopt"} <= reasons       # every path was taken
    # the kept tallies are a full pass's
    rsc = c_fast.controller("replicaset-controller")
    for rs in c_fast.store.iter(kinds.REPLICASET, "default"):
        kept = rsc._facts.get(objects.key_of(rs))
        if kept is None or kept.by_ident is None:
            continue
        c_fast.store.owned_changes(kept.uid)            # (caught up: run_until_idle has settled)
        fresh = _PodFacts(rs)
        every = fresh.refresh(c_fast.store.owned_by(kept.uid, kinds.POD),
                              label_selector_matcher(rs["spec"]["selector"]))
        fresh.index(every)
        assert {k: f[1:] for k, f in kept.by_ident.items()} == {k: f[1:] for k, f in fresh.by_ident.items()}
        assert all(kept.by_ident[k][0] is f[0] for k, f in fresh.by_ident.items())
        assert (kept.n_active, kept.n_fully, kept.n_ready, kept.n_strays) == \
            (fresh.n_active, fresh.n_fully, fresh.n_ready, fresh.n_strays)
        assert kept.n_active == sum(1 for f in every if f[1] is _ACTIVE)
        assert kept.n_ready == sum(1 for f in every if f[1] is _ACTIVE and f[3] is not _NOT_READY)


def test_the_owner_check_remembered_per_list_answers_as_reading_each_list_does():
    rs = {"metadata": {"name": "web-1", "namespace": "default", "uid": "rs-uid"},
          "spec": {"selector": {"matchLabels": {"app": "web"}}}}
    facts = _PodFacts(rs)
    mine = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1", "uid": "rs-uid"}
    other = dict(mine, name="web-2", uid="other-uid")
    lists = [None, [], [dict(mine, controller=True)], [dict(mine)], [dict(other, controller=True), dict(mine)],
             [dict(other, controller=True), dict(mine, controller=True)], [dict(mine, controller=False)],
             [dict(other), dict(mine, controller=True)]]

    def plain(refs):
        owned = any(r.get("uid") == "rs-uid" for r in refs or ())
        ctl = next((r for r in refs or () if r.get("controller")), None)
        return owned, ctl is not None and ctl.get("uid") == "rs-uid"

    rng = random.Random(3)
    for _ in range(500):                 # lists read in any order, each again and again
        refs = rng.choice(lists)
        assert facts._owners(refs) == plain(refs)
