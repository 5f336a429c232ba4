"""What an idle cluster runs — the kubelets' Lease renewals and the engine's heap upkeep — takes
shortcuts that must store and note exactly what the general paths do (bench/README.md, "What an
idle cluster costs")."""
import gc

import pytest

from engine import heap, managedfields, objects, resources as kinds
from engine.clock import ManualClock
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
