"""A create's managedFields remembered by the object's content (managedfields._CREATES) come out
exactly as the full comparison makes them, and are shared only by objects that differ in no
more than the metadata nobody owns — also when the key holds admission's pickle of the spec
(`spec_pickle`, an engine-made pod's) in place of the spec's repr."""
import json
import pickle

import pytest

from engine import managedfields, objects, resources as kinds
from engine.clock import ManualClock
from engine.cluster import Cluster
from engine.store import Store

NOW = "2026-01-01T00:01:00Z"


def _created():
    store = Store()
    c = Cluster(store=store, clock=ManualClock(), nodes=2)
    c.run_until_idle()
    feed = store.subscribe()
    store.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
                  "spec": {"replicas": 6, "selector": {"matchLabels": {"app": "web"}},
                           "template": {"metadata": {"labels": {"app": "web"}},
                                        "spec": {"containers": [{"name": "app", "image": "nginx:1.27",
                                                                 "ports": [{"containerPort": 80}]}]}}}})
    store.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"},
                  "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}})
    for _ in range(10):
        c.advance(0.5)
    objs = [(ev.resource, ev.object) for ev in feed if ev.type == "ADDED"]
    c.stop()
    return objs


def _without_fields(obj):
    out = dict(obj)
    out["metadata"] = {k: v for k, v in obj["metadata"].items() if k != "managedFields"}
    return out


def _full(rt, obj, manager, now=NOW):
    new = _without_fields(obj)
    managedfields._record_update(rt, None, new, manager, now, None, None, False)
    return new["metadata"].get("managedFields")


def _remembered(rt, obj, manager):
    new = _without_fields(obj)
    managedfields.record_update(rt, None, new, manager, NOW)
    return new["metadata"].get("managedFields")


def _remembered_by_pickle(rt, obj, manager):
    new = _without_fields(obj)
    managedfields.record_update(rt, None, new, manager, NOW,
                                spec_pickle=pickle.dumps(new["spec"], protocol=pickle.HIGHEST_PROTOCOL))
    return new["metadata"].get("managedFields")


def test_remembered_create_fields_equal_the_full_comparison():
    objs = _created()
    assert sum(1 for rt, _ in objs if rt is kinds.POD) >= 6
    for rt, obj in objs:
        want = _full(rt, obj, "kube-controller-manager")
        for _ in range(2):              # the second takes what the first remembered
            got = _remembered(rt, obj, "kube-controller-manager")
            assert json.dumps(got) == json.dumps(want)


def test_only_unowned_metadata_may_differ_between_objects_sharing_the_fields():
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": "a", "namespace": "default", "uid": "1", "labels": {"app": "x"}},
           "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    renamed = dict(pod, metadata=dict(pod["metadata"], name="b", uid="2"))
    relabelled = dict(pod, metadata=dict(pod["metadata"], labels={"app": "x", "tier": "web"}))
    first = _remembered(kinds.POD, pod, "m")
    assert _remembered(kinds.POD, renamed, "m") is first
    other = _remembered(kinds.POD, relabelled, "m")
    assert other is not first
    assert "f:tier" in other[0]["fieldsV1"]["f:metadata"]["f:labels"]
    assert _remembered(kinds.POD, pod, "another")[0]["manager"] == "another"


def _pod(spec, **md):
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "namespace": "default", "uid": "1", **md}, "spec": spec}


SPEC = {"containers": [{"name": "c", "image": "nginx", "ports": [{"containerPort": 80}]}], "restartPolicy": "Always"}
REF = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1", "uid": "rs-1", "controller": True,
       "blockOwnerDeletion": True}
SHARED = {"name": "shared"}


def _variants():
    """Objects whose memo keys are alike in all but one part: the spec (a field more, another
    value, the same fields in another order, 30 against 30.0 against True, a shared sub-object),
    the owned metadata (labels, annotations, ownerReferences, finalizers), the unowned metadata,
    the spec's place among the object's keys, a status beside it."""
    c = SPEC["containers"][0]
    out = {
        "plain": _pod(SPEC, labels={"app": "web"}, ownerReferences=[REF]),
        "another image": _pod({**SPEC, "containers": [dict(c, image="nginx:2")]}, labels={"app": "web"},
                              ownerReferences=[REF]),
        "a field more": _pod({**SPEC, "hostname": "h"}, labels={"app": "web"}, ownerReferences=[REF]),
        "keys reordered": _pod({"restartPolicy": "Always", "containers": SPEC["containers"]},
                               labels={"app": "web"}, ownerReferences=[REF]),
        "grace 30": _pod({**SPEC, "terminationGracePeriodSeconds": 30}, labels={"app": "web"}),
        "grace 30.0": _pod({**SPEC, "terminationGracePeriodSeconds": 30.0}, labels={"app": "web"}),
        "grace True": _pod({**SPEC, "terminationGracePeriodSeconds": True}, labels={"app": "web"}),
        "a sub-object twice": _pod({**SPEC, "nodeSelector": SHARED, "overhead": SHARED}, labels={"app": "web"}),
        "equal sub-objects": _pod({**SPEC, "nodeSelector": dict(SHARED), "overhead": dict(SHARED)},
                                  labels={"app": "web"}),
        "other labels": _pod(SPEC, labels={"app": "web", "tier": "front"}, ownerReferences=[REF]),
        "no labels": _pod(SPEC, ownerReferences=[REF]),
        "annotated": _pod(SPEC, labels={"app": "web"}, ownerReferences=[REF], annotations={"a": "b"}),
        "another owner": _pod(SPEC, labels={"app": "web"}, ownerReferences=[dict(REF, uid="rs-2", name="web-2")]),
        "finalizers": _pod(SPEC, labels={"app": "web"}, ownerReferences=[REF], finalizers=["x/y"]),
        "generateName": _pod(SPEC, labels={"app": "web"}, ownerReferences=[REF], generateName="web-1-"),
        "renamed": _pod(SPEC, labels={"app": "web"}, ownerReferences=[REF], name="q", uid="2",
                        creationTimestamp="2026-01-01T00:00:00Z", resourceVersion="7"),
        "with status": dict(_pod(SPEC, labels={"app": "web"}, ownerReferences=[REF]), status={"phase": "Pending"}),
    }
    plain = out["plain"]
    out["spec first"] = {"spec": plain["spec"], "apiVersion": "v1", "kind": "Pod", "metadata": plain["metadata"]}
    out["spec before kind"] = {"apiVersion": "v1", "spec": plain["spec"], "kind": "Pod", "metadata": plain["metadata"]}
    # (where metadata stands does not matter: the key leaves it out of the order)
    out["metadata last"] = {"apiVersion": "v1", "kind": "Pod", "spec": plain["spec"], "metadata": plain["metadata"]}
    return out


def test_remembered_by_the_spec_pickle_equals_the_full_comparison_for_every_variant():
    variants = _variants()
    for rnd in range(3):         # in turn and again: each variant is looked up after the others were put
        for name, obj in (variants.items() if rnd != 1 else reversed(variants.items())):
            want = json.dumps(_full(kinds.POD, obj, "m"))
            assert json.dumps(_remembered_by_pickle(kinds.POD, obj, "m")) == want, name
            assert json.dumps(_remembered(kinds.POD, obj, "m")) == want, name


@pytest.mark.parametrize("other", ["another image", "a field more", "keys reordered", "other labels", "no labels",
                                   "annotated", "another owner", "finalizers", "generateName", "with status",
                                   "spec first", "spec before kind"])
def test_a_pickled_spec_shares_fields_only_with_objects_alike_but_for_unowned_metadata(other):
    variants = _variants()
    first = _remembered_by_pickle(kinds.POD, variants["plain"], "m")
    assert _remembered_by_pickle(kinds.POD, variants["renamed"], "m") is first     # the memo is taken
    assert _remembered_by_pickle(kinds.POD, variants["metadata last"], "m") is first
    assert _remembered_by_pickle(kinds.POD, variants[other], "m") is not first
    assert _remembered_by_pickle(kinds.POD, variants["plain"], "another") is not first


def test_admission_passes_the_pickle_of_the_spec_the_field_manager_sees(monkeypatch):
    """Through the store and admission: every create that comes with a spec pickle (an engine-made
    pod's, from admission's spec memo) has the pickle of exactly the spec being recorded, and gets
    the managedFields the full comparison makes of that object."""
    real = managedfields.record_update
    calls = []

    def spy(rt, old, new, manager, now_iso, *, spec_pickle=None, **kw):
        seen = objects.clone(new) if spec_pickle is not None else None
        real(rt, old, new, manager, now_iso, spec_pickle=spec_pickle, **kw)
        if seen is not None:
            calls.append((rt, seen, spec_pickle, manager, now_iso, new["metadata"].get("managedFields")))

    monkeypatch.setattr(managedfields, "record_update", spy)
    store = Store()
    c = Cluster(store=store, clock=ManualClock(), nodes=2)
    c.run_until_idle()
    for name, annotations in (("web", None), ("api", {"team": "a"})):
        tmpl_md = {"labels": {"app": name}, **({"annotations": annotations} if annotations else {})}
        store.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "default"},
                      "spec": {"replicas": 5, "selector": {"matchLabels": {"app": name}},
                               "template": {"metadata": tmpl_md,
                                            "spec": {"containers": [{"name": "app", "image": f"{name}:1"}]}}}})
    for _ in range(6):
        c.advance(0.5)
    store.patch(kinds.DEPLOYMENT, "default", "web", "merge",
                {"spec": {"replicas": 8, "template": {"spec": {"containers": [{"name": "app", "image": "web:2"}]}}}})
    for _ in range(10):
        c.advance(0.5)
    c.stop()
    # each template's first pod takes admission's ordinary path (no pickle); the rest have one
    assert len(calls) >= 14
    assert len({id(p) for _, _, p, *_ in calls}) >= 3        # the memo's pickles and ones just made
    for rt, seen, spec_pickle, manager, now_iso, got in calls:
        assert rt is kinds.POD
        assert repr(pickle.loads(spec_pickle)) == repr(seen["spec"])
        assert json.dumps(got) == json.dumps(_full(rt, seen, manager, now_iso))
