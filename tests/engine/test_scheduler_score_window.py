"""The scheduler's kept per-node scores (engine/scheduler/score_window.py) and inline tie draws
(select_host.py) place every pod on the node the plain filter/score/select loops choose: a
seeded run with them and one with `Scheduler.fast_paths = False` bind each pod to the same node,
draw the same random numbers and end at the same resourceVersion — through interleaved
scale-ups of Deployments with five different requests (more than are kept at once), a node the filter rejects for every pod,
one that fills up, one with a PreferNoSchedule taint (its score is more than resources) until it is lifted, pods
that tolerate the taint, a node added and one cordoned midway, and a scale-down and up again."""
import random

from engine import resources as kinds
from engine.clock import ManualClock
from engine.cluster import Cluster
from engine.kubelet.node import build_node
from engine.scheduler import score_window, select_host
from engine.scheduler.cache import PodInfo, SchedulerCache
from engine.scheduler.plugins import W_SPREAD
from engine.scheduler.score_window import ScoreWindows
from engine.store import Store

TAINT = {"key": "dedicated", "value": "db", "effect": "NoSchedule"}


def deployment(name, replicas, cpu, memory, tolerations=None):
    spec = {"containers": [{"name": "app", "image": "nginx:1.27",
                            "resources": {"requests": {"cpu": cpu, "memory": memory}}}]}
    if tolerations:
        spec["tolerations"] = tolerations
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}}, "spec": spec}}}


def scale(c, name, replicas):
    c.store.patch(kinds.DEPLOYMENT, "default", name, "merge", {"spec": {"replicas": replicas}})


def placements(c):
    return sorted((p["metadata"]["name"], p["spec"].get("nodeName")) for p in c.store.iter(kinds.POD, "default"))


def settle(c, pods):
    """Advance until `pods` pods of the default namespace are bound and none is pending."""
    for _ in range(400):
        c.advance(0.5)
        ps = list(c.store.iter(kinds.POD, "default"))
        if len(ps) == pods and all(p["spec"].get("nodeName") for p in ps):
            return
    raise AssertionError("the pods did not settle")


def run(fast: bool):
    names = random.getstate()
    random.seed(1234)                                # pod names (generateName's suffixes)
    try:
        return _run(fast)
    finally:
        random.setstate(names)


def _run(fast: bool):
    store = Store()
    c = Cluster(store=store, clock=ManualClock(), nodes=250, pods_per_node=30, control_plane=True)
    sched = c.controller("default-scheduler")
    sched.fast_paths = fast
    sched._rng = random.Random(2024)
    c.add_node("small", pods=3)                      # fills up: then the filter rejects it
    c.add_node("tainted", taints=[TAINT])            # rejected but for the tolerating pods
    c.add_node("soft", taints=[{"key": "spare", "effect": "PreferNoSchedule"}])
    c.run_until_idle()
    snaps = []
    store.create(deployment("web", 800, "10m", "16Mi"))
    c.advance(0.5)
    c.advance(0.5)
    store.create(deployment("api", 400, "50m", "64Mi"))   # while web's pods are still coming
    # Two more sets of requests: five kept at once are more than score_window.MAX_KEYS.
    store.create(deployment("cache", 100, "20m", "32Mi"))
    store.create(deployment("queue", 100, "30m", "48Mi"))
    c.advance(0.5)
    store.create(deployment("db", 40, "100m", "128Mi", tolerations=[dict(TAINT, operator="Equal")]))
    c.advance(0.5)
    c.add_node("late")                               # the live-node list changes midway
    node = store.get(kinds.NODE, "", "node-7")
    store.update(dict(node, spec=dict(node["spec"], unschedulable=True)))     # cordoned
    scale(c, "web", 1200)
    settle(c, 1840)
    snaps.append(placements(c))
    node = store.get(kinds.NODE, "", "soft")
    store.update(dict(node, spec={k: v for k, v in node["spec"].items() if k != "taints"}))
    scale(c, "web", 700)                             # down: room freed here and there
    settle(c, 1340)
    snaps.append(placements(c))
    scale(c, "web", 1300)                            # up again, api alongside
    scale(c, "api", 700)
    settle(c, 2240)
    snaps.append(placements(c))
    return snaps, store.resource_version, sched._rng.getstate(), (sched._windows.placed, sched._windows.declined)


def test_kept_scores_place_every_pod_as_the_plain_loops():
    fast_snaps, fast_rv, fast_rng, (placed, declined) = run(True)
    plain_snaps, plain_rv, plain_rng, plain_counts = run(False)
    # Both paths were taken in the fast run; the plain run never took the fast one.
    assert placed > 1200 and declined > 200 and plain_counts == (0, 0)
    nodes = {n for snap in fast_snaps for _, n in snap}
    assert {"small", "late", "tainted"} <= nodes
    for fast, plain in zip(fast_snaps, plain_snaps):
        assert fast == plain
    assert fast_rv == plain_rv and fast_rng == plain_rng


def test_inline_tie_draws_match_randrange():
    """select_host.pick draws as the plain loop with randrange does: same pick, same state after."""
    assert select_host.INLINE
    shapes = random.Random(5)
    for trial in range(2000):
        n = shapes.randrange(1, 600)
        levels = shapes.choice([1, 2, 3, 7, 100])
        scores = [float(shapes.randrange(levels)) + shapes.choice([0.0, 0.5]) for _ in range(n)]
        inline, plain = random.Random(trial), random.Random(trial)
        best, best_score, ties = 0, -1.0, 0
        for i, s in enumerate(scores):
            if s > best_score:
                best, best_score, ties = i, s, 1
            elif s == best_score:
                ties += 1
                if plain.randrange(ties) == 0:
                    best = i
        assert select_host.pick(scores, inline) == best
        assert inline.getstate() == plain.getstate()


def test_a_key_dropped_from_the_kept_scores_stops_being_told_of_changes_the_others_still_are():
    """More requests than MAX_KEYS: the oldest key's lists go, and with them its dirty set — that
    very set (all the sets are empty between pods, so equal), not the first equal one."""
    cache = SchedulerCache()
    for i in range(3):
        cache.set_node(build_node(f"n{i}", i + 1, 0.0))
    nodes = cache.live_nodes()
    windows = ScoreWindows(cache.node_watchers)
    rng = random.Random(1)
    # (1 asked again: the first dropped is then 2, whose set is not the first in the cache's list)
    for cpu in [*range(1, score_window.MAX_KEYS + 1), 1, *range(score_window.MAX_KEYS + 1, score_window.MAX_KEYS + 3)]:
        p = {"metadata": {"name": f"p{cpu}", "namespace": "default"},
             "spec": {"containers": [{"name": "c", "image": "nginx:1.27", "resources": {"requests": {"cpu": f"{cpu}m"}}}]}}
        assert windows.place(PodInfo(f"default/p{cpu}", p), nodes, 0, 3, rng) is not None
    kept = [sc.dirty for sc in windows._by_key.values()]
    assert len(kept) == score_window.MAX_KEYS and 1 in [key[3] for key in windows._by_key]   # (cpu 1m kept)
    assert len(cache.node_watchers) == len(kept) and all(any(d is k for k in kept) for d in cache.node_watchers)


def test_a_window_picked_by_pair_numbers_picks_as_the_scores_do():
    """score_window._pick_by_pairs (the window as pair numbers: levels found by bytes.find, ties
    counted by bytes.count) chooses the node select_host.pick chooses from the window's scores,
    spread normalisation included, and leaves the generator in the same state: windows of one
    to many pairs, equal scores from unequal pairs, with and without an owner."""
    shapes = random.Random(7)
    for trial in range(3000):
        npairs = shapes.choice([1, 2, 3, 5, 12, 256])
        pairs = []
        for _ in range(npairs):
            s = float(shapes.randrange(4)) * shapes.choice([1.0, 0.5, 25.0])
            pairs.append((s, shapes.randrange(4)))
        n = shapes.randrange(2, 500)
        win = bytearray(shapes.randrange(npairs) for _ in range(n))
        owner = shapes.choice(["", "uid-1"])
        scores = [pairs[c][0] for c in win]
        counts = [pairs[c][1] if owner else 0 for c in win]
        if not owner:
            pairs = [(s, 0) for s, _ in pairs]
        lo, hi = min(counts), max(counts)
        if hi > lo:
            k = W_SPREAD * 100.0 / (hi - lo)
            scores = [s + k * (hi - c) for s, c in zip(scores, counts)]
        by_pairs, by_scores = random.Random(trial), random.Random(trial)
        got = score_window._pick_by_pairs(win, pairs, owner, by_pairs.getrandbits)
        assert got == select_host.pick(scores, by_scores), trial
        assert by_pairs.getstate() == by_scores.getstate(), trial


def test_kept_scores_by_pairs_and_by_lists_place_alike():
    """The whole seeded run with the windows worked on by pair numbers and by the lists."""
    score_window.BY_PAIRS = False
    try:
        lists = run(True)
    finally:
        score_window.BY_PAIRS = True
    pairs = run(True)
    assert pairs[0] == lists[0] and pairs[1] == lists[1] and pairs[2] == lists[2]


def _owned_pod(i):
    return {"metadata": {"name": f"p{i}", "namespace": "default",
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs",
                                              "uid": "rs-uid", "controller": True}]},
            "spec": {"containers": [{"name": "c", "image": "nginx:1.27", "resources": {"requests": {"cpu": "1m"}}}]}}


def test_more_pairs_than_a_byte_numbers_take_the_lists_and_numbers_are_renumbered_when_spent():
    """Nodes all unlike (more than 256 pairs): the key keeps no numbers and places by the lists.
    A key whose numbers are spent by pairs that come and go numbers the pairs held again, and
    places as the lists do throughout."""
    cache = SchedulerCache()
    for i in range(300):        # (memory, not CPU: with no memory request the CPU share cancels out)
        cache.set_node(build_node(f"n{i}", i + 1, 0.0, memory=f"{8000 + i}Mi"))
    got = []
    for by_pairs in (True, False):
        score_window.BY_PAIRS = by_pairs
        try:
            windows = ScoreWindows(cache.node_watchers)
            nodes = cache.live_nodes()
            node, searched = windows.place(PodInfo("default/p", _owned_pod(0)), nodes, 0, len(nodes), random.Random(3))
            got.append((node.name, searched))
            (sc,) = windows._by_key.values()
            assert sc.cls is None
            cache.node_watchers[:] = [d for d in cache.node_watchers if d is not sc.dirty]
        finally:
            score_window.BY_PAIRS = True
    assert got[0] == got[1]

    def fill(by_pairs):
        score_window.BY_PAIRS = by_pairs
        try:
            cache = SchedulerCache()
            for i in range(3):
                cache.set_node(build_node(f"m{i}", i + 1, 0.0, pods=200))
            windows = ScoreWindows(cache.node_watchers)
            rng = random.Random(4)
            chosen = []
            for i in range(400):          # one more owned pod each time: a new (score, count) pair
                nodes = cache.live_nodes()
                info = PodInfo(f"default/p{i}", _owned_pod(i))
                node, _ = windows.place(info, nodes, 0, len(nodes), rng)
                cache.assign(f"default/p{i}", node.name, info)
                chosen.append(node.name)
            (sc,) = windows._by_key.values()
            return chosen, sc
        finally:
            score_window.BY_PAIRS = True

    (chosen, sc), (plain, _) = fill(True), fill(False)
    assert chosen == plain
    # 400 pairs were numbered, fewer than 256 are held: the spent numbers were given out again.
    assert sc.cls is not None and len(sc.pairs) < 256 and len(set(sc.cls)) <= 3
    assert [sc.pairs[c] for c in sc.cls] == list(zip(sc.score, sc.count))
