"""What an idle cluster runs — the kubelets' Lease renewals and the engine's heap upkeep — takes
shortcuts that must store and note exactly what the general paths do (bench/README.md, "What an
idle cluster costs")."""
import gc
import threading

import pytest

from engine import heap, managedfields, objects, resources as kinds
from engine.clock import ManualClock
from engine.cluster import Cluster
from engine.store import Store

LEASE_API = "coordination.k8s.io/v1"


def entry(manager, spec_fields, *, time="2026-01-01T00:00:08Z", operation="Update", api_version=LEASE_API,
          subresource=None):
    e = {"manager": manager, "operation": operation, "apiVersion": api_version, "time": time,
         "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {f"f:{k}": {} for k in spec_fields}}}
    if subresource:
        e["subresource"] = subresource
    return e


RENEWED = {"renewTime": "2026-01-01T00:01:00.000000Z", "holderIdentity": "node-1"}
BYSTANDER = entry("someone-else", ["leaseDurationSeconds"], time="2025-12-31T00:00:00Z", operation="Apply")


@pytest.mark.parametrize("one", [
    entry("kubelet", ["holderIdentity", "leaseDurationSeconds", "renewTime"]),     # a node's Lease
    entry("kubelet", ["renewTime"]),                                               # holderIdentity not its own
    entry("kube-controller-manager", ["holderIdentity", "renewTime"]),             # another manager's
    entry("kubelet", ["holderIdentity", "renewTime"], subresource="status"),
    entry("kubelet", ["holderIdentity", "renewTime"], api_version="coordination.k8s.io/v1beta1"),
    entry("kubelet", ["holderIdentity", "renewTime"], operation="Apply"),
    entry("kubelet", []),
], ids=["own-all", "not-all-own", "other-manager", "subresource", "other-version", "apply", "owns-nothing"])
def test_touching_a_lone_entry_is_what_the_general_path_makes_of_it(one):
    """touch's lone-entry shortcut against its loop: the same entry beside a bystander that owns
    none of the renewed fields goes through the loop, and must come out the same beside it."""
    alone = managedfields.touch([one], "kubelet", LEASE_API, RENEWED, "2026-01-01T00:01:00Z")
    general = managedfields.touch([BYSTANDER, one], "kubelet", LEASE_API, RENEWED, "2026-01-01T00:01:00Z")
    if general is None:
        assert alone is None
    else:
        assert alone == [e for e in general if e is not BYSTANDER]
    assert one["time"] == "2026-01-01T00:00:08Z"                  # the stored entry is never changed


def lease_store(managed: list[dict]) -> Store:
    """A store holding node-1's Lease with these managers (put in place as a state file's load
    would: the store keeps what it is given)."""
    s = Store(clock=ManualClock())
    s.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kube-node-lease"}})
    s._objs[kinds.LEASE.name]["kube-node-lease"] = {"node-1": {
        "apiVersion": LEASE_API, "kind": "Lease",
        "metadata": {"name": "node-1", "namespace": "kube-node-lease", "uid": "u-1", "resourceVersion": "1",
                     "creationTimestamp": "2026-01-01T00:00:00Z", "ownerReferences": owned("node-1"),
                     "managedFields": objects.clone(managed)},
        "spec": {"holderIdentity": "node-1", "leaseDurationSeconds": 40, "renewTime": "2026-01-01T00:00:00.000000Z"}}}
    return s


@pytest.mark.parametrize("managed", [
    [entry("kubelet", ["holderIdentity", "leaseDurationSeconds", "renewTime"])],
    [entry("kubelet", ["renewTime"])],
    [entry("kube-apiserver", ["holderIdentity", "leaseDurationSeconds"]), entry("kubelet", ["renewTime"])],
    [entry("kubectl", ["holderIdentity", "leaseDurationSeconds", "renewTime"], operation="Apply")],
], ids=["kubelet-alone", "kubelet-renewTime-only", "two-managers", "applied"])
def test_a_renewal_stores_what_a_full_update_stores(managed):
    short, full = lease_store(managed), lease_store(managed)
    for s in (short, full):
        s.acting_as = "kubelet"
        s._clock.set(s._clock.now() + 61)
    via_refresh = short.refresh_spec(kinds.LEASE, "kube-node-lease", "node-1", RENEWED)
    stored = full.get(kinds.LEASE, "kube-node-lease", "node-1")
    via_update = full.update(dict(stored, spec=dict(stored["spec"], **RENEWED)), sync=False)
    assert via_refresh == via_update


def cohort_store(names: list[str]) -> Store:
    """Leases for these nodes, the kubelet alone managing each (as after its create)."""
    s = lease_store([entry("kubelet", ["holderIdentity", "leaseDurationSeconds", "renewTime"])])
    kept = s._objs[kinds.LEASE.name]["kube-node-lease"].pop("node-1")
    for name in names:
        md = dict(kept["metadata"], name=name, uid="u-" + name, ownerReferences=owned(name))
        s._objs[kinds.LEASE.name]["kube-node-lease"][name] = dict(kept, metadata=md, spec=dict(kept["spec"], holderIdentity=name))
    s.acting_as = "kubelet"
    s._clock.set(s._clock.now() + 61)
    return s


def test_a_cohort_of_renewals_stores_and_notes_what_an_update_of_each_would():
    """refresh_specs (a cohort of kubelets renewing at once) against update() of each Lease in
    turn: the same stored objects, resourceVersions and watch events; a Lease that is gone is
    None and takes no resourceVersion; one already holding the values is not written."""
    names = ["node-a", "node-b", "node-c", "node-d"]
    short, full = cohort_store(names), cohort_store(names)
    for s in (short, full):
        del s._objs[kinds.LEASE.name]["kube-node-lease"]["node-c"]
        leases = s._objs[kinds.LEASE.name]["kube-node-lease"]
        leases["node-d"] = dict(leases["node-d"], spec=dict(leases["node-d"]["spec"], renewTime=RENEWED["renewTime"]))
    seen_short, seen_full = short.subscribe(), full.subscribe()
    writes = [(n, dict(RENEWED, holderIdentity=n)) for n in names + ["node-a"]]   # node-a twice: the second changes nothing
    got = short.refresh_specs(kinds.LEASE, "kube-node-lease", writes)
    want = []
    for name, fields in writes:
        stored = full.try_get(kinds.LEASE, "kube-node-lease", name)
        if stored is None:
            want.append(None)
        elif all(stored["spec"].get(k) == v for k, v in fields.items()):
            want.append(stored)
        else:
            want.append(full.update(dict(stored, spec=dict(stored["spec"], **fields)), sync=False))
    assert got == want
    assert [(e.type, e.rv, e.object) for e in seen_short] == [(e.type, e.rv, e.object) for e in seen_full]
    assert [e.object["metadata"]["name"] for e in seen_short] == ["node-a", "node-b"]
    assert short.resource_version == full.resource_version


def test_a_cohort_renews_every_live_node_and_remakes_a_deleted_lease():
    """The kubelets' cohort through one store call: every node due is renewed at the same
    renewTime and scheduled again; a failed node is not renewed; a deleted Lease is made again."""
    from engine.cluster import Cluster
    from engine.kubelet import node as node_status
    c = Cluster(clock=ManualClock(), nodes=4, control_plane=False)
    c.run_until_idle()
    c.advance(10)
    kub = next(x for x in c.controllers if type(x).__name__ == "Kubelets")
    names = sorted(kub._nodes)
    c.store.delete(kinds.LEASE, node_status.LEASE_NAMESPACE, names[1])
    c.fail_node(names[2])
    before = {n: (c.store.try_get(kinds.LEASE, node_status.LEASE_NAMESPACE, n) or {}).get("spec", {}).get("renewTime")
              for n in names}
    c.advance(kub.lease_period())
    after = {n: (c.store.try_get(kinds.LEASE, node_status.LEASE_NAMESPACE, n) or {}).get("spec", {}).get("renewTime")
             for n in names}
    assert before[names[1]] is None and after[names[1]] is not None          # made again
    assert after[names[2]] == before[names[2]]                              # failed: not renewed
    renewed = [after[n] for n in (names[0], names[3])]
    assert renewed[0] == renewed[1] != before[names[0]]                     # one cohort, one renewTime
    assert all(n in kub._heartbeats for n in (names[0], names[1], names[3]))


def owned(uid: str) -> list[dict]:
    return [{"apiVersion": "v1", "kind": "Node", "name": uid, "uid": uid}]


def test_a_write_is_noted_for_its_old_and_its_new_owners():
    s = Store(clock=ManualClock())
    s.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})
    s.create({"apiVersion": "v1", "kind": "ConfigMap",
              "metadata": {"name": "cm", "namespace": "default", "ownerReferences": owned("a")}})
    for uid in ("a", "b", "c"):
        assert s.owned_changes(uid) is None                     # from now on noted
    ident = ("configmaps", "default", "cm")
    cur = s.get(kinds.CONFIGMAP, "default", "cm")
    s.update(dict(cur, data={"k": "v"}), sync=False)            # the same references (the same list)
    assert (s.owned_changes("a"), s.owned_changes("b")) == ({ident}, set())
    cur = s.get(kinds.CONFIGMAP, "default", "cm")
    s.update(dict(cur, metadata=dict(cur["metadata"], ownerReferences=owned("b"))), sync=False)
    assert (s.owned_changes("a"), s.owned_changes("b"), s.owned_changes("c")) == ({ident}, {ident}, set())


def test_the_heap_freezer_freezes_only_a_growing_heap():
    collections = lambda: gc.get_stats()[1]["collections"]      # freeze_survivors' collect(1) counts here
    enabled = gc.isenabled()
    try:
        gc.enable()
        f = heap.Freezer(0)
        f.at -= heap.FREEZE_EVERY
        n = collections()
        f.check(heap.FREEZE_AFTER_WRITES - 1)                   # too few writes
        assert collections() == n
        f.check(heap.FREEZE_AFTER_WRITES)                       # the first time: whatever came before
        assert collections() == n + 1
        gc.disable()                                            # (nothing starts the collector now)
        f.at -= heap.FREEZE_EVERY
        n = collections()
        f.check(2 * heap.FREEZE_AFTER_WRITES)                   # idle: writes, and no growth
        assert collections() == n
        gc.enable()
        grown = [[] for _ in range(20 * gc.get_threshold()[0])]   # the collector runs on its own
        f.at -= heap.FREEZE_EVERY
        n = collections()
        f.check(3 * heap.FREEZE_AFTER_WRITES)
        assert collections() == n + 1
        assert len(grown) > 0
    finally:
        gc.unfreeze()                                           # tests keep their cycles collectable
        (gc.enable if enabled else gc.disable)()


def test_the_garbage_collector_looks_again_only_at_changed_references():
    """A write keeping its object's ownerReferences (the same list: a status, a renewal) queues
    nothing for the collector; a changed list with a dangling owner queues that owner; and a
    dependent written between its owner's deletion and the collector's pass still goes."""
    from engine.cluster import Cluster
    from engine.store import WatchEvent
    c = Cluster(clock=ManualClock(), nodes=1, control_plane=False)
    c.run_until_idle()
    boss = c.store.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "boss", "namespace": "default"}})
    ref = [{"apiVersion": "v1", "kind": "ConfigMap", "name": "boss", "uid": objects.uid_of(boss)}]
    c.store.create({"apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": "worker", "namespace": "default", "ownerReferences": ref}})
    c.run_until_idle()
    collector = next(x for x in c.controllers if x.name == "garbage-collector")
    old = c.store.get(kinds.CONFIGMAP, "default", "worker")
    same = dict(old, data={"k": "v"})
    dangling = dict(old, metadata=dict(old["metadata"], ownerReferences=[dict(ref[0], uid="gone")]))
    assert list(collector._on_event(WatchEvent("MODIFIED", same, 1, old, kinds.CONFIGMAP))) == []
    assert list(collector._on_event(WatchEvent("MODIFIED", dangling, 1, old, kinds.CONFIGMAP))) == ["gone"]
    c.store.delete(kinds.CONFIGMAP, "default", "boss")
    c.store.update(same, sync=False)
    c.run_until_idle()
    assert c.store.try_get(kinds.CONFIGMAP, "default", "worker") is None


def test_only_writes_from_other_threads_wake_the_engine_thread():
    # (engine/cluster.py _wake_up: the engine's own writes and timers are followed by another
    # pass anyway; a web thread's write must wake it.)
    c = Cluster(store=Store(), clock=ManualClock(), nodes=1)
    c.run_until_idle()
    c._engine_thread = threading.get_ident()          # this thread plays the engine thread
    c._wake.clear()
    c.store.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "default"}})
    c.clock.advance(1)
    assert not c._wake.is_set()
    t = threading.Thread(target=c.store.create,
                         args=({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b", "namespace": "default"}},))
    t.start()
    t.join()
    assert c._wake.is_set()
    c._wake_up()                                       # a pending wake stays pending
    assert c._wake.is_set()
    c.stop()


def test_an_idle_engine_sleeps_until_its_next_timer_or_event_expiry():
    # (engine/cluster.py idle_wait: it used to wake at least once a second; now the next timer,
    # the oldest Event's expiry on the heartbeat grid, or the backstop — in wall seconds of the
    # scaled clock, here one whose wall clock stands still.)
    from engine import cluster as cluster_mod
    from engine.clock import HEARTBEAT_GRID, ScaledClock
    clock = ScaledClock(speed=2.0, start=1000.1, wall=lambda: 50.0)
    c = Cluster(store=Store(), clock=clock, nodes=0)
    for t in list(clock._heap):                          # no timers at all: the backstop
        t[2].cancel()
    assert c.idle_wait() == cluster_mod.IDLE_BACKSTOP
    clock.call_later(20.0, lambda: None)                  # 20 simulated seconds: 10 wall seconds at 2x
    assert c.idle_wait() == 10.0
    c.store._event_expiry.ttl = 8.0                       # an Event expiring sooner than the timer:
    c.store.create({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e", "namespace": "default"},
                    "involvedObject": {"kind": "Pod", "name": "p", "namespace": "default"}, "reason": "R"})
    expires = 1000.1 + 8.0                                # due at the next grid point after it (1008.5)
    assert c.idle_wait() == (1008.5 - 1000.1) / 2 and 1008.5 % HEARTBEAT_GRID == 0 and 1008.5 > expires
    clock.pause()
    assert c.idle_wait() == cluster_mod.IDLE_BACKSTOP     # a paused clock: only a wake-up moves on
    c.stop()
