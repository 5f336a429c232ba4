"""The engine's shortcuts through admission store exactly what the full path would.

- The EventRecorder's Events are stored without admission (`store.create(ev, admit=False)`):
  every Event it makes must be one admission would have accepted and left unchanged.
- Pods the engine creates from one template share the defaulting and spec validation done for
  the first of them: each must come out as a pod of its own through the full path would.
"""
import random

import pytest

from engine import admission, errors, managedfields, objects, resources as kinds
from engine.admission import plugins
from engine.clock import ManualClock
from engine.cluster import Cluster
from engine.store import Store

SERVER_SET = ("uid", "resourceVersion", "creationTimestamp")


def deployment(name, image, replicas, **spec):
    spec["containers"] = [{"name": "app", "image": image}]
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}}, "spec": spec}}}


def as_submitted(obj: dict) -> dict:
    out = objects.clone(obj)
    for k in SERVER_SET:
        out["metadata"].pop(k, None)
    return out


def test_every_recorded_event_is_one_admission_accepts_unchanged():
    c = Cluster(store=Store(), clock=ManualClock(), nodes=2)
    c.run_until_idle()
    c.store.create(deployment("web", "nginx:1.27", 3))
    c.store.create(deployment("typo", "nginx:no-such-tag", 1))
    c.store.create(deployment("crash", "busybox:1.36", 1))
    for _ in range(40):
        c.advance(1.0)
    c.fail_node("node-1")
    for _ in range(20):
        c.advance(1.0)
    items, _ = c.store.list(kinds.EVENT)
    reasons = {e["reason"] for e in items}
    assert {"SuccessfulCreate", "Scheduled", "Pulling", "Pulled", "Created", "Started", "BackOff",
            "Failed", "NodeNotReady", "RegisteredNode", "ScalingReplicaSet"} <= reasons
    for ev in items:
        submitted = as_submitted(ev)
        assert admission.admit_create(submitted, strict=True, decode=True) == submitted, ev["reason"]


def test_an_engine_event_is_stored_as_the_full_create_would_store_it():
    """Store.create(admit=False) of a named Event takes a shorter path (_create_built_event):
    each recorded Event, written again both ways into stores at the same resourceVersion and
    second, comes out the same — managedFields, resourceVersion, watch event — but for its uid."""
    c = Cluster(store=Store(), clock=ManualClock(), nodes=2)
    c.run_until_idle()
    c.store.create(deployment("web", "nginx:1.27", 3))
    c.store.create(deployment("crash", "busybox:1.36", 1))
    for _ in range(30):
        c.advance(1.0)
    items, _ = c.store.list(kinds.EVENT)
    assert len({e["reason"] for e in items}) >= 8
    stores = []
    for _ in range(2):
        st = Store(clock=ManualClock())
        for ns in {e["metadata"]["namespace"] for e in items}:
            st.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
        stores.append((st, st.subscribe()))
    (short, short_feed), (full, full_feed) = stores
    # (the kube-scheduler's Events are created through events.k8s.io/v1 upstream: their
    # managedFields name that version and its fields, which a core/v1 create cannot give)
    def strip(o):
        drop = {"uid", "managedFields"} if managedfields.is_events_api_event(o) else {"uid"}
        return {**o, "metadata": {k: v for k, v in o["metadata"].items() if k not in drop}}
    for ev in items:
        submitted = as_submitted(ev)
        submitted["metadata"].pop("managedFields", None)
        got = short.create(objects.clone(submitted), sync=False, admit=False, manager="kubelet")
        want = full.create(objects.clone(submitted), sync=False, manager="kubelet")
        assert strip(got) == strip(want)
        assert list(got["metadata"]) == list(want["metadata"])         # the same key order on the wire
        with pytest.raises(errors.AlreadyExists) as again_short:
            short.create(objects.clone(submitted), sync=False, admit=False)
        with pytest.raises(errors.AlreadyExists) as again_full:
            full.create(objects.clone(submitted), sync=False)
        assert again_short.value.message == again_full.value.message
    assert [(e.type, e.rv, strip(e.object)) for e in short_feed] == [(e.type, e.rv, strip(e.object)) for e in full_feed]


def pod_from_template(name: str, spec: dict, **meta) -> dict:
    md = {"name": name, "namespace": "default", "labels": {"app": "web"}}
    md.update(meta)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": md, "spec": spec}


@pytest.mark.parametrize("spec", [
    {"containers": [{"name": "app", "image": "nginx:1.27", "resources": {"limits": {"cpu": "0.5"}}}]},
    {"containers": [{"name": "app", "image": "nginx", "ports": [{"containerPort": 80}]}],
     "volumes": [{"name": "data"}], "automountServiceAccountToken": False},
    {"initContainers": [{"name": "init", "image": "busybox:1.36", "command": ["true"]}],
     "containers": [{"name": "app", "image": "redis:7", "volumeMounts": [{"name": "v", "mountPath": "/v"}]}],
     "volumes": [{"name": "v", "configMap": {"name": "cm"}}]},
], ids=["limits", "no-token", "init-and-volume"])
def test_engine_pods_from_one_template_come_out_as_through_the_full_path(spec):
    made = []
    for i in range(4):                  # the second fills the memo, the others after it use it
        random.seed(i)
        made.append(admission.admit_create(pod_from_template(f"p{i}", spec), decode=False))
    for i in range(4):
        random.seed(i)
        full = admission.admit_create(pod_from_template(f"p{i}", spec), decode=True)
        assert made[i] == full
        assert list(made[i]["spec"]) == list(full["spec"])      # same key order, as JSON shows it
    assert made[2]["spec"] is not made[3]["spec"]               # each pod owns its spec
    assert made[2]["spec"]["containers"][0] is not made[3]["spec"]["containers"][0]


def test_an_invalid_template_is_refused_for_every_pod_with_the_same_errors():
    spec = {"containers": [{"name": "App_1", "image": "nginx:1.27"}], "restartPolicy": "Sometimes"}
    messages = []
    for i in range(3):
        with pytest.raises(errors.Invalid) as e:
            admission.admit_create(pod_from_template(f"bad-{i}", spec), decode=False)
        messages.append(e.value.message.replace(f"bad-{i}", "NAME"))
    with pytest.raises(errors.Invalid) as full:
        admission.admit_create(pod_from_template("bad-0", spec), decode=True)
    assert messages == [full.value.message.replace("bad-0", "NAME")] * 3


def test_pod_metadata_is_still_validated_for_each_pod():
    spec = {"containers": [{"name": "app", "image": "nginx:1.27"}]}
    admission.admit_create(pod_from_template("good", spec), decode=False)
    with pytest.raises(errors.Invalid) as e:
        admission.admit_create(pod_from_template("good-2", spec, labels={"bad key!": "x"}), decode=False)
    assert "metadata.labels" in e.value.message


def test_a_mirror_pod_skips_the_service_account_plugin_on_the_engine_path_too():
    spec = {"containers": [{"name": "app", "image": "nginx:1.27"}], "nodeName": "node-1"}
    admission.admit_create(pod_from_template("plain", spec), decode=False)
    mirror = admission.admit_create(pod_from_template(
        "mirror", spec, annotations={plugins.MIRROR_POD_ANNOTATION: "x"}), decode=False)
    assert "volumes" not in mirror["spec"]


def test_a_renewed_lease_is_one_admission_accepts_unchanged():
    c = Cluster(store=Store(), clock=ManualClock(), nodes=2)
    c.run_until_idle()
    before = c.store.get(kinds.LEASE, "kube-node-lease", "node-1")
    c.advance(30.0)
    after = c.store.get(kinds.LEASE, "kube-node-lease", "node-1")
    assert after["spec"]["renewTime"] != before["spec"]["renewTime"]
    assert admission.admit_update(objects.clone(after), before, strict=True, decode=True) == after
    # refresh_spec stores what the full update path would have stored.
    full = Store(clock=ManualClock())
    full.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kube-node-lease"}})
    full.create(objects.clone({k: v for k, v in before.items() if k != "metadata"}
                        | {"metadata": {"name": "node-1", "namespace": "kube-node-lease",
                                        "ownerReferences": before["metadata"]["ownerReferences"]}}))
    short = Store(clock=ManualClock())
    short.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kube-node-lease"}})
    short.create(objects.clone(full.get(kinds.LEASE, "kube-node-lease", "node-1")) | {"metadata": {
        "name": "node-1", "namespace": "kube-node-lease", "ownerReferences": before["metadata"]["ownerReferences"]}})
    stored = full.get(kinds.LEASE, "kube-node-lease", "node-1")
    via_update = full.update(dict(stored, spec=dict(stored["spec"], renewTime=after["spec"]["renewTime"])), sync=False)
    via_refresh = short.refresh_spec(kinds.LEASE, "kube-node-lease", "node-1", {"renewTime": after["spec"]["renewTime"]})
    strip = lambda o: {**o, "metadata": {k: v for k, v in o["metadata"].items() if k not in ("uid", "creationTimestamp")}}
    assert strip(via_refresh) == strip(via_update)
    assert via_refresh["metadata"]["resourceVersion"] == via_update["metadata"]["resourceVersion"]


@pytest.mark.parametrize("patcher", ["kube-controller-manager", "kubelet"], ids=["its-creator", "another-manager"])
def test_a_repeated_events_patch_stores_what_the_strategic_merge_patch_would(patcher):
    """Store.patch_event (the EventRecorder's repeat, a combined Event's update per pod) takes a
    shorter path than patch(): both, on stores holding the same Event, store the same object —
    managedFields and resourceVersion included — and send the same watch event."""
    c = Cluster(store=Store(), clock=ManualClock(), nodes=2)
    c.run_until_idle()
    c.store.create(deployment("web", "nginx:1.27", 14))
    for _ in range(5):
        c.advance(1.0)
    items, _ = c.store.list(kinds.EVENT)
    combined = [e for e in items if e["message"].startswith("(combined from similar events): ")]
    assert combined and combined[0]["count"] > 1
    stores, clock = [], ManualClock()
    for _ in range(2):
        st = Store(clock=clock)
        for ns in {e["metadata"]["namespace"] for e in items}:
            st.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
        for ev in items:
            st.acting_as = ev["metadata"]["managedFields"][0]["manager"]
            st.create(as_submitted(ev) | {"metadata": {k: ev["metadata"][k] for k in ("name", "namespace")}},
                      sync=False, admit=False)
        stores.append(st)
    clock.advance(7.0)
    for st in stores:
        st.acting_as = patcher
    (short, short_feed), (full, full_feed) = [(st, st.subscribe()) for st in stores]
    for ev in items:
        if "count" not in ev:
            continue                  # the kube-scheduler's (tools/events): no count to patch
        ns, name = ev["metadata"]["namespace"], ev["metadata"]["name"]
        for n in (1, 2):
            body = {"count": ev["count"] + n, "lastTimestamp": objects.iso(clock.now()),
                    "message": ev["message"] + f" (repeat {n})"}
            got = short.patch_event(ns, name, **{"count": body["count"], "last": body["lastTimestamp"],
                                                 "message": body["message"]})
            want = full.patch(kinds.EVENT, ns, name, "strategic", body, sync=False)
            strip = lambda o: {**o, "metadata": {k: v for k, v in o["metadata"].items() if k != "uid"}}  # noqa: E731
            assert strip(got) == strip(want)
            assert list(got) == list(want), (list(got), list(want))
            assert list(got["metadata"]) == list(want["metadata"]), (list(got["metadata"]), list(want["metadata"]))
        # unchanged: no write, as patch() makes none
        assert short.patch_event(ns, name, got["count"], got["lastTimestamp"], got["message"]) is got
    assert short.patch_event("default", "no-such-event", 2, "2026-01-01T00:00:00Z", "x") is None
    strip = lambda o: {**o, "metadata": {k: v for k, v in o["metadata"].items() if k != "uid"}}  # noqa: E731
    assert [(e.type, e.rv, strip(e.object)) for e in short_feed] == [(e.type, e.rv, strip(e.object)) for e in full_feed]


def test_micro_iso_rounds_as_datetime_does():
    import datetime as dt
    rng = random.Random(7)
    samples = [1767225600.0 + rng.random() * 1e6 for _ in range(20000)]
    samples += [1767225600 + (2 * j + 1) / 2e6 for j in range(2000)] + [1767225600.9999996]
    for t in samples:
        want = dt.datetime.fromtimestamp(t, tz=dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        assert objects.micro_iso(t) == want


# ---- the state file's writer thread --------------------------------------------------------------

def configmap(name: str, value: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "default"},
            "data": {"v": value}}


def test_written_behind_rows_land_in_order_with_their_newest_version(tmp_path):
    path = str(tmp_path / "state.db")
    s = Store(path, clock=ManualClock())
    s.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})
    s.create(configmap("gone", "x"), sync=False)
    for i in range(50):                              # engine writes, handed over in many batches
        if i == 0:
            s.create(configmap("cm", "0"), sync=False)
        else:
            cur = s.get(kinds.CONFIGMAP, "default", "cm")
            s.update(dict(cur, data={"v": str(i)}), sync=False)
        if i == 25:
            s.delete(kinds.CONFIGMAP, "default", "gone", sync=False)
        s.flush(wait=False)
    s.create(configmap("api", "acknowledged"))      # an API write waits for everything before it
    rv = s.resource_version
    s2 = Store(path, clock=ManualClock())           # no close(): only committed transactions count
    assert s2.get(kinds.CONFIGMAP, "default", "cm")["data"] == {"v": "49"}
    assert s2.try_get(kinds.CONFIGMAP, "default", "gone") is None
    assert s2.get(kinds.CONFIGMAP, "default", "api")["data"] == {"v": "acknowledged"}
    assert s2.resource_version == rv
    s.close()
    s2.close()


def test_close_waits_for_rows_handed_to_the_writer(tmp_path):
    path = str(tmp_path / "state.db")
    s = Store(path, clock=ManualClock())
    s.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})
    for i in range(200):
        s.create(configmap(f"cm-{i}", str(i)), sync=False)
        if i % 20 == 0:
            s.flush(wait=False)
    s.close()
    s2 = Store(path, clock=ManualClock())
    assert len(s2.list(kinds.CONFIGMAP, "default")[0]) == 200
    s2.close()


def test_a_status_write_keeping_the_stored_labels_validates_them_as_the_full_path_does():
    """validate_object_meta_update remembers labels and ownerReferences that are the stored
    object's own and were valid: the same answer as validating them again, every time."""
    from engine.admission.validation_meta import validate_labels, validate_object_meta_update, validate_owner_references
    refs = [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "u1", "controller": True}]
    bad_refs = [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": ""}]
    for labels, owners in (({"app": "web"}, refs), ({"bad key!": "x"}, refs), ({"app": "web"}, bad_refs)):
        omd = {"name": "p", "namespace": "default", "uid": "u", "resourceVersion": "5",
               "labels": labels, "ownerReferences": owners}
        want = validate_labels(labels, "metadata.labels") + validate_owner_references(owners, "metadata.ownerReferences")
        for _ in range(3):              # the first answer may be remembered; the others must agree
            got = validate_object_meta_update(dict(omd), omd)
            assert [(e.field, e.detail) for e in got] == [(e.field, e.detail) for e in want]
        # an equal dict that is not the stored one is validated as it is
        changed = dict(omd, labels=dict(labels, **{"other key!": "y"}))
        assert any(e.field == "metadata.labels" for e in validate_object_meta_update(changed, omd))
