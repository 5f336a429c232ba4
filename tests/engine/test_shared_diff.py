"""Status writes' managedFields remembered by the identity of stored parts (engine/shared_diff.py)
come out exactly as the full comparison makes them.

The pairs compared are every (old, new) pod and ReplicaSet version of a real scale-up, with
containers that crash and restart and a node that fails — many of them sharing parts (the
kubelet's conditions, a node's hostIPs) — each compared twice, so the second pass takes what the
first remembered."""
import json

from engine import managedfields, objects, resources as kinds, shared_diff
from engine.fielddiff import compare
from engine.fieldsets import shape_of
from scaleup_writes import modified_pairs


def _writes():
    return modified_pairs((kinds.POD, kinds.REPLICASET))


def _status_entry_of(rt, old, new, shared):
    new = dict(new)
    new["metadata"] = {k: v for k, v in new["metadata"].items() if k != "managedFields"}
    managedfields.record_update(rt, old, new, "kubelet", "2026-01-01T00:01:00Z", subresource="status", shared=shared)
    return new["metadata"].get("managedFields")


def test_status_writes_remembered_by_shared_parts_equal_the_full_comparison():
    pairs = _writes()
    assert len(pairs) > 100
    changed_status = [p for p in pairs if p[1].get("status") != p[2].get("status")]
    assert len(changed_status) > 50
    for rt, old, new in pairs:
        shape = shape_of(rt.api_version, rt.kind)
        full = compare(managedfields._body(old), managedfields._body(new), shape, skip=("spec", "apiVersion", "kind"))
        for _ in range(2):              # the second pass takes what the first one remembered
            fast = compare(managedfields._body(old), managedfields._body(new), shape,
                           skip=("spec", "apiVersion", "kind"), shared=True)
            assert (fast.added, fast.modified, fast.removed) == (full.added, full.modified, full.removed)
            got = _status_entry_of(rt, old, new, True)
            want = _status_entry_of(rt, old, new, False)
            assert got == want
            assert json.dumps(got) == json.dumps(want)      # the same key order on the wire
    # the remembered parts were really used: shared conditions and hostIPs recur across pods
    assert shared_diff._PAIRS and shared_diff._NODES and len(shared_diff._LISTS)


def test_a_remembered_part_is_only_reused_for_that_very_object():
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
           "status": {"phase": "Pending"}}
    shape = shape_of("v1", "Pod")
    conds = [{"type": "Ready", "status": "False", "lastProbeTime": None, "lastTransitionTime": "2026-01-01T00:00:00Z"}]
    first = compare(pod, dict(pod, status={"phase": "Pending", "conditions": conds}), shape, shared=True)
    other = objects.clone(conds)
    other[0]["reason"] = "ContainersNotReady"       # an equal-looking list that is another object
    second = compare(pod, dict(pod, status={"phase": "Pending", "conditions": other}), shape, shared=True)
    item = 'k:{"type":"Ready"}'
    assert "f:reason" not in first.added["f:status"]["f:conditions"][item]
    assert "f:reason" in second.added["f:status"]["f:conditions"][item]


def test_interned_nodes_are_one_for_the_same_keys_and_the_very_same_children():
    from engine.fieldsets import LEAF, canonical, interned
    leaf_a = interned([("f:a", LEAF)])
    assert interned([("f:a", LEAF)]) is leaf_a
    twin = {"f:a": {}}                                   # equal to leaf_a, but not interned
    top = interned([("f:x", leaf_a), ("f:b", LEAF)])
    assert list(top) == ["f:b", "f:x"]                   # sorted as the apiserver writes it
    assert interned([("f:b", LEAF), ("f:x", leaf_a)]) is top
    other = interned([("f:x", twin), ("f:b", LEAF)])     # another child object: another node
    assert other is not top and other == top
    assert canonical({"f:x": {"f:a": {}}, "f:b": {}}) is top
    assert canonical(top) is top
