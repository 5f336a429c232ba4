"""The store behaves as the apiserver's storage layer: resourceVersions, conflicts, no-op
updates, watch replay and expiry, graceful deletion, finalizers, durability in SQLite."""
import pytest

from engine import errors, resources as kinds
from engine.clock import ManualClock
from engine.store import Store


def deployment(name="web", replicas=2):
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": name, "image": "nginx"}]}}}}


def pod(name, node=None):
    spec = {"containers": [{"name": "c", "image": "nginx"}]}
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


@pytest.fixture
def store(tmp_path):
    s = Store(clock=ManualClock())
    s.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})
    s.create({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}})   # (no controller here makes it)
    return s


def test_create_sets_server_metadata_and_one_cluster_wide_counter(store):
    before = store.resource_version
    d = store.create(deployment())
    md = d["metadata"]
    assert md["namespace"] == "default" and md["generation"] == 1 and md["uid"]
    assert md["resourceVersion"] == str(before + 1)
    assert md["creationTimestamp"] == "2026-01-01T00:00:00Z"
    assert store.create(pod("p"))["metadata"]["resourceVersion"] == str(before + 2)


def test_create_twice_is_already_exists_with_the_real_message(store):
    store.create(deployment())
    with pytest.raises(errors.AlreadyExists) as e:
        store.create(deployment())
    assert e.value.message == 'deployments.apps "web" already exists'
    assert e.value.code == 409


def test_missing_namespace_is_not_found(store):
    obj = deployment()
    obj["metadata"]["namespace"] = "nope"
    with pytest.raises(errors.NotFound) as e:
        store.create(obj)
    assert e.value.message == 'namespaces "nope" not found'


def test_stale_resource_version_is_a_conflict(store):
    d = store.create(deployment())
    store.patch(kinds.DEPLOYMENT, "default", "web", "merge", {"spec": {"replicas": 3}})
    stale = dict(d, spec=dict(d["spec"], replicas=5))
    with pytest.raises(errors.Conflict) as e:
        store.update(stale)
    assert "the object has been modified" in e.value.message


def test_an_update_that_changes_nothing_writes_nothing(store):
    store.create(deployment())
    rv = store.resource_version
    same = store.patch(kinds.DEPLOYMENT, "default", "web", "merge", {"spec": {"replicas": 2}})
    assert store.resource_version == rv
    assert same["metadata"]["resourceVersion"] == str(rv)


def test_spec_change_bumps_generation_status_write_does_not(store):
    store.create(deployment())
    d = store.patch(kinds.DEPLOYMENT, "default", "web", "merge", {"spec": {"replicas": 4}})
    assert d["metadata"]["generation"] == 2
    s = dict(d, status={"replicas": 4, "observedGeneration": 2})
    d2 = store.update(s, subresource="status")
    assert d2["metadata"]["generation"] == 2 and d2["status"]["replicas"] == 4
    # An ordinary update cannot change status.
    d3 = store.update(dict(d2, status={"replicas": 99}))
    assert d3["status"]["replicas"] == 4


def test_a_replace_that_leaves_out_defaulted_fields_keeps_the_generation(store):
    # The apiserver defaults the body while decoding it, before the strategy compares specs: a
    # manifest sent again by PUT (`kubectl replace`) without the fields defaulting filled in is the
    # same spec, so neither the generation nor the resourceVersion moves.
    store.create(deployment())
    rv = store.resource_version
    again = deployment()
    again["metadata"].update(namespace="default", resourceVersion=str(rv))
    d = store.update(again)
    assert d["metadata"]["generation"] == 1
    assert store.resource_version == rv


def test_watch_replays_from_a_resource_version_and_follows_live_writes(store):
    rv0 = store.resource_version
    store.create(deployment("a"))
    w = store.watch(rv0)
    store.create(deployment("b"))
    store.delete(kinds.DEPLOYMENT, "default", "a")
    evs = w.next(0.1)
    assert [(e.type, e.object["metadata"]["name"]) for e in evs] == [
        ("ADDED", "a"), ("ADDED", "b"), ("DELETED", "a")]
    assert [e.rv for e in evs] == [rv0 + 1, rv0 + 2, rv0 + 3]
    assert w.next(0.01) == []


def test_watch_from_a_compacted_resource_version_is_expired():
    s = Store(clock=ManualClock(), history=5)
    s.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})
    s.create({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}})   # (no controller here makes it)
    for i in range(10):
        s.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"c{i}"}})
    with pytest.raises(errors.Expired) as e:
        s.watch(1)
    assert e.value.code == 410 and e.value.message.startswith("too old resource version: 1 (")


def test_scheduled_pod_delete_is_graceful_then_final(store):
    store.create(pod("p", node="node-1"))
    gone = store.delete(kinds.POD, "default", "p")
    assert gone["metadata"]["deletionTimestamp"] and gone["metadata"]["deletionGracePeriodSeconds"] == 30
    assert store.get(kinds.POD, "default", "p")          # Terminating, still readable
    store.delete(kinds.POD, "default", "p", grace_period_seconds=0)
    with pytest.raises(errors.NotFound):
        store.get(kinds.POD, "default", "p")


def test_unscheduled_pod_delete_is_immediate(store):
    store.create(pod("p"))
    store.delete(kinds.POD, "default", "p")
    assert store.try_get(kinds.POD, "default", "p") is None


def test_finalizers_hold_an_object_until_removed(store):
    store.create(deployment())
    d = store.delete(kinds.DEPLOYMENT, "default", "web", propagation_policy="Foreground")
    assert d["metadata"]["finalizers"] == ["foregroundDeletion"]
    d = store.patch(kinds.DEPLOYMENT, "default", "web", "merge", {"metadata": {"finalizers": None}})
    assert store.try_get(kinds.DEPLOYMENT, "default", "web") is None


def test_pod_quota_is_forbidden_with_a_clear_message():
    s = Store(clock=ManualClock(), max_pods=2)
    s.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})
    s.create({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}})   # (no controller here makes it)
    s.create(pod("a"))
    s.create(pod("b"))
    with pytest.raises(errors.Forbidden) as e:
        s.create(pod("c"))
    assert e.value.message == ('pods "c" is forbidden: exceeded quota: playground, requested: pods=1, '
                               'used: pods=2, limited: pods=2')
    with pytest.raises(errors.Forbidden):
        s.create(deployment(replicas=3))


def test_acknowledged_writes_survive_a_restart_on_the_same_file(tmp_path):
    path = str(tmp_path / "state.db")
    s = Store(path, clock=ManualClock())
    s.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})
    s.create({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}})   # (no controller here makes it)
    made = s.create(deployment())
    s.create(pod("p"), sync=False)          # an engine write not yet flushed...
    s.flush()                               # ...until the engine's group commit
    rv = s.resource_version
    # No close(): as after kill -9, only committed transactions count.
    s2 = Store(path, clock=ManualClock())
    again = s2.get(kinds.DEPLOYMENT, "default", "web")
    assert again == made
    assert s2.get(kinds.POD, "default", "p")
    assert s2.resource_version == rv
    assert s2.create(pod("q"))["metadata"]["resourceVersion"] == str(rv + 1)


def test_label_and_field_selectors_filter_lists(store):
    store.create(deployment("a"))
    store.create(deployment("b"))
    items, _ = store.list(kinds.DEPLOYMENT, "default", None, "metadata.name=b")
    assert [i["metadata"]["name"] for i in items] == ["b"]
    p = pod("x")
    p["metadata"]["labels"] = {"app": "x", "tier": "web"}
    store.create(p)
    store.create(pod("y"))
    assert [i["metadata"]["name"] for i in store.list(kinds.POD, None, "app in (x,z),tier")[0]] == ["x"]
    assert [i["metadata"]["name"] for i in store.list(kinds.POD, None, "!app")[0]] == ["y"]


def test_a_generated_name_that_collides_is_generated_again(store, monkeypatch):
    """RetryGenerateName: a collision draws a new suffix (up to 8 tries in all) instead of
    failing the create; a fixed name that exists is still AlreadyExists."""
    from engine import objects
    draws = iter(["aaaaa", "aaaaa", "aaaaa", "bbbbb"])
    monkeypatch.setattr(objects, "random_suffix", lambda *a, **k: next(draws))
    gen = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"generateName": "web-"}}
    assert store.create(gen)["metadata"]["name"] == "web-aaaaa"
    assert store.create(gen)["metadata"]["name"] == "web-bbbbb"   # two collisions, third draw
    monkeypatch.setattr(objects, "random_suffix", lambda *a, **k: "aaaaa")
    rv = store.resource_version
    with pytest.raises(errors.AlreadyExists):                     # eight collisions: give up
        store.create(gen)
    assert store.resource_version == rv
    with pytest.raises(errors.AlreadyExists):
        store.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web-bbbbb"}})


def test_newest_gives_the_last_written_objects_of_a_kind_newest_first(store):
    for name in ("c", "a", "d", "b"):         # written in this order; their names sort otherwise
        obj = pod(name)
        obj["metadata"]["namespace"] = "default"
        store.create(obj)
    c = store.get(kinds.POD, "default", "c")
    store.update({**c, "metadata": {**c["metadata"], "labels": {"x": "y"}}})      # c: written last
    newest, rv = store.newest(kinds.POD, 3)
    assert [p["metadata"]["name"] for p in newest] == ["c", "b", "d"]
    assert rv == store.resource_version
    assert [p["metadata"]["name"] for p in store.newest(kinds.POD, 10)[0]] == ["c", "b", "d", "a"]


def _event(ns: str, name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Event", "metadata": {"name": name, "namespace": ns},
            "involvedObject": {"kind": "Pod", "namespace": ns, "name": "p"}, "reason": "Started",
            "message": "m", "type": "Normal", "source": {"component": "kubelet"}, "count": 1}


def _newest_by_scan(store, n: int) -> list[str]:
    items, _ = store.list(kinds.EVENT)
    items.sort(key=lambda o: -int(o["metadata"]["resourceVersion"]))
    return [f'{o["metadata"]["namespace"]}/{o["metadata"]["name"]}' for o in items[:n]]


def _names(objs) -> list[str]:
    return [f'{o["metadata"]["namespace"]}/{o["metadata"]["name"]}' for o in objs]


def test_newest_events_come_from_the_write_order_and_match_a_scan_of_every_event(tmp_path):
    """The page's snapshot asks for the newest 500 Events: they come from the expiry index's
    write order (not a pass over all Events), and are the same as sorting every Event by rv —
    across namespaces, after updates (a repeat moves an Event to the front) and deletes, and
    after a state file is read back."""
    path = str(tmp_path / "state.db")
    store = Store(path, clock=ManualClock())
    for ns in ("default", "dev", "kube-system"):
        store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    for i in range(30):
        store.create(_event(("default", "dev", "kube-system")[i % 3], f"e{i:02d}"))
    for ns, name in (("default", "e03"), ("dev", "e10")):
        ev = store.get(kinds.EVENT, ns, name)
        store.update({**ev, "count": 2})
    store.delete(kinds.EVENT, "dev", "e28")
    for n in (1, 5, 29, 100):
        newest, rv = store.newest(kinds.EVENT, n)
        assert _names(newest) == _newest_by_scan(store, n)
        assert rv == store.resource_version
    assert _names(store.newest(kinds.EVENT, 3)[0]) == ["dev/e10", "default/e03", "kube-system/e29"]

    reread = Store(path, clock=ManualClock())
    assert reread._event_expiry.rv_ordered           # same-second writes are ordered by their rv
    assert _names(reread.newest(kinds.EVENT, 100)[0]) == _newest_by_scan(reread, 100)
