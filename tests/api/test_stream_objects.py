"""What the page's stream carries of each object is the stored object less its managedFields,
in snapshots and in watch events alike, though each state's JSON text is written only once and
shared by every page and message (webapp/page/wire.py)."""
from __future__ import annotations

import json

from engine import resources as kinds
from tests.api.test_stream_protocol import Stream, messages_after_a_deployment
from webapp.extension import current
from webapp.page import wire


def stored(app, obj: dict) -> dict:
    """The store's current state of the object the stream sent, less managedFields."""
    with app.app_context():
        store = current().cluster.store
    rt = kinds.BY_KIND[((obj["apiVersion"]).rpartition("/")[0], obj["kind"])]
    md = obj["metadata"]
    cur = store.get(rt, md.get("namespace"), md["name"])
    cur = json.loads(json.dumps(cur, default=str))
    cur["metadata"].pop("managedFields", None)
    return cur


def test_a_state_is_written_once_and_a_new_state_gets_its_own_text():
    obj = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": "p", "namespace": "default", "uid": "u-1", "resourceVersion": "7",
                        "managedFields": [{"manager": "kubectl"}]},
           "spec": {"nodeName": "node-1"}}
    first = wire.object_text(obj)
    assert json.loads(first) == {**obj, "metadata": {k: v for k, v in obj["metadata"].items() if k != "managedFields"}}
    assert "managedFields" in obj["metadata"]                  # the stored dict is not touched
    assert wire.object_text(dict(obj)) is first                 # the same state: the same text
    # Another store's object with the same uid and resourceVersion is another state.
    other = {**obj, "spec": {"nodeName": "node-9"}}
    assert json.loads(wire.object_text(other, scope=2))["spec"] == {"nodeName": "node-9"}
    assert wire.object_text(obj) is first
    # A new state gets its own text, which replaces the old one's: one text kept an object.
    newer = {**obj, "metadata": {**obj["metadata"], "resourceVersion": "8"}, "spec": {"nodeName": "node-2"}}
    second = wire.object_text(newer)
    assert json.loads(second)["spec"] == {"nodeName": "node-2"}
    assert wire.object_text(newer) is second
    again = wire.object_text(obj)                               # a stream that fell behind: still right
    assert again is not first and again == first
    # Without a uid or resourceVersion nothing identifies a state: written each time, correctly.
    bare = {"kind": "Pod", "metadata": {"name": "x"}}
    assert json.loads(wire.object_text(bare)) == bare


def test_an_objects_final_state_outlives_other_objects_earlier_states(monkeypatch):
    """A scale-up writes several states a pod: the cache keeps each pod's latest, so the states a
    page opened afterwards needs are all kept (they were pushed out by later pods' earlier
    states when the newest states were kept whatever their object)."""
    monkeypatch.setattr(wire, "MAX_ENTRIES", 10)
    wire.clear()
    def pod(i, rv):
        return {"kind": "Pod", "metadata": {"name": f"p{i}", "uid": f"u{i}", "resourceVersion": str(rv)}}
    rv = 0
    final, texts = {}, {}
    for i in range(10):                       # ten pods, four states each, written in turn
        for _ in range(4):
            rv += 1
            final[i] = pod(i, rv)
            texts[i] = wire.object_text(final[i])
    assert [i for i in range(10) if wire.object_text(final[i]) is not texts[i]] == []
    assert len(wire._cache) == 10
    wire.clear()


def test_snapshots_and_events_carry_the_stored_objects(inproc):
    app, host = inproc
    msgs = messages_after_a_deployment(host)
    sent = {}
    for m in msgs:
        for e in m.get("events", []) if m["type"] == "events" else []:
            sent[e["object"]["metadata"]["uid"]] = e["object"]
    assert {"Deployment", "ReplicaSet", "Pod"} <= {o["kind"] for o in sent.values()}
    # A second page's snapshot (its texts are the ones the events above wrote, where the state is
    # the same) and the first page's latest events both match the store.
    s = Stream(host)
    try:
        snap = s.next("snapshot")
    finally:
        s.close()
    items = {o["metadata"]["uid"]: o for o in snap["items"]}
    compared = 0
    for o in snap["items"]:
        if o["kind"] == "Event":
            continue
        assert "managedFields" not in o["metadata"]
        cur = stored(app, o)
        if cur["metadata"]["resourceVersion"] == o["metadata"]["resourceVersion"]:
            assert o == cur, o["metadata"]["name"]
            compared += 1
    assert compared >= len([o for o in snap["items"] if o["kind"] != "Event"]) // 2
    same = [uid for uid, o in sent.items()
            if uid in items and items[uid]["metadata"]["resourceVersion"] == o["metadata"]["resourceVersion"]]
    assert same
    for uid in same:
        assert items[uid] == sent[uid]
