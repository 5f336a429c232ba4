"""webapp/api/encoded.py and list_bodies.py: lists written from each object's text, made once per
stored version. The answer must be byte for byte what the plain way gives — the whole body's
timestamps moved by timeshift.shifted, then one json.dumps — whatever the objects hold, and a
cached text must never outlive its object's version or the shift it was rendered at."""
from __future__ import annotations

import json
import time

import pytest

from engine import Cluster, ScaledClock, Store
from engine import resources as kinds
from webapp.api import encoded, tables, timeshift
from webapp.api.clientframe import clock_shift

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
STAMP = "2026-12-03T06:10:00Z"


def plain(value, seconds: int) -> str:
    return json.dumps(timeshift.shifted(value, seconds), separators=(",", ":"))


# --- templates of single values ----------------------------------------------------------------

ODD_VALUES = [
    {"metadata": {"creationTimestamp": STAMP, "annotations": {"time": STAMP, "creationTimestamp": STAMP}}},
    {"data": {"time": STAMP, "nested": {"time": STAMP}}, "time": STAMP},             # a user map nests
    {"metadata": {"labels": {"a": "b"}}, "spec": {"selector": {"matchLabels": {"time": STAMP}}},
     "status": {"startTime": STAMP}},
    {"status": {"disruptedPods": {"p": STAMP, "time": STAMP}}},                       # a map of stamps
    {"metadata": {"annotations": {'x"time': STAMP, "k": '","time":"' + STAMP}}, "time": STAMP},
    {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": STAMP}}, "time": STAMP},
    {"metadata": {"annotations": {"é": "ü"}, "creationTimestamp": STAMP}},           # non-ASCII
    {"time": "٢٠٢٦-12-03T06:10:00Z", "startTime": "not a time", "lastProbeTime": None},
    {"renewTime": "2026-12-03T06:10:00.250000Z", "list": [STAMP, {"time": STAMP}], "f:time": STAMP},
    {"labels": "not a map", "selector": "app=x", "lastTransitionTime": STAMP},
    {"managedFields": [{"manager": "m", "time": STAMP, "fieldsV1": {"f:metadata": {"f:labels": {}}}}]},
    [], {}, "a string", 3, None,
]


@pytest.mark.parametrize("value", ODD_VALUES)
@pytest.mark.parametrize("seconds", [0, 65, -3600])
def test_a_template_renders_what_timeshift_and_json_give(value, seconds):
    pieces = encoded.template(value)
    got = encoded.text_of(value, seconds) if pieces is None else encoded.render(pieces, seconds)
    assert got == plain(value, seconds)


@pytest.mark.parametrize("value", [v for v in ODD_VALUES if isinstance(v, dict)])
def test_an_objects_text_is_what_timeshift_and_json_give(value):
    texts = encoded.ObjectTexts()
    obj = {"metadata": {"name": "x", "namespace": "d"}, **value}
    entry, = texts.entries("things", [obj])
    for seconds in (0, 65):
        assert encoded.object_text(entry, seconds) == plain(obj, seconds)
        assert encoded.metadata_text(entry, seconds) == plain(obj["metadata"], seconds)


def test_the_next_version_reuses_what_it_shares_and_shows_what_changed():
    texts = encoded.ObjectTexts()
    spec = {"containers": [{"name": "app"}]}
    entries = [{"manager": "a", "time": STAMP}, {"manager": "b", "time": STAMP}]
    v1 = {"metadata": {"name": "p", "resourceVersion": "1", "managedFields": entries}, "spec": spec,
          "status": {"phase": "Pending"}}
    entry, = texts.entries("pods", [v1])
    assert encoded.object_text(entry, 10) == plain(v1, 10)
    # a status write: new metadata, status and managedFields list; spec and one entry the same objects
    v2 = {"metadata": {**v1["metadata"], "resourceVersion": "2",
                       "managedFields": [entries[0], {"manager": "b", "time": "2026-12-03T06:11:00Z"}]},
          "spec": spec, "status": {"phase": "Running", "startTime": "2026-12-03T06:11:00Z"}}
    again, = texts.entries("pods", [v2])
    assert again is not entry
    assert encoded.object_text(again, 10) == plain(v2, 10)
    assert encoded.metadata_text(again, 0) == plain(v2["metadata"], 0)
    same, = texts.entries("pods", [v2])
    assert same is again, "the same stored dict keeps its entry"
    # a third version takes the shared parts' text from the second's (which took it from the first)
    v3 = {"metadata": {**v2["metadata"], "resourceVersion": "3", "labels": {"a": "b"},
                       "managedFields": [*v2["metadata"]["managedFields"], {"manager": "c", "time": STAMP}]},
          "spec": spec, "status": v2["status"]}
    third, = texts.entries("pods", [v3])
    for seconds in (0, 10, -7200):
        assert encoded.object_text(third, seconds) == plain(v3, seconds)
        assert encoded.metadata_text(third, seconds) == plain(v3["metadata"], seconds)


def test_a_part_shows_what_the_plain_way_gives_wherever_the_next_version_puts_it():
    # A version takes a part's text from the previous version by the part's id, wherever it now
    # sits: under another key, twice, or in a user's map (where timeshift does not look, so a
    # stamp in it stays); and a previous version served the slow way leaves nothing to take.
    texts = encoded.ObjectTexts()
    spec = {"startTime": STAMP, "n": 1}
    mf = {"manager": "m", "time": STAMP, "fieldsV1": {"f:status": {}}}
    refs = [{"kind": "ReplicaSet", "name": "r"}]
    v1 = {"metadata": {"name": "p", "namespace": "d", "managedFields": [mf], "ownerReferences": refs,
                       "creationTimestamp": STAMP}, "spec": spec, "status": {"phase": "Pending"}}
    v2 = {"metadata": {"name": "p", "namespace": "d", "managedFields": [mf, mf], "annotations": spec,
                       "labels": mf, "ownerReferences": refs, "creationTimestamp": STAMP},
          "spec": v1["metadata"]["managedFields"], "status": spec, "other": {"time": STAMP, "spec": spec}}
    v3 = {"metadata": v2["metadata"], "spec": v2["metadata"]["annotations"], "status": v2["spec"],
          "data": v2["status"]}
    slow = {"metadata": {"name": "p", "namespace": "d", "managedFields": [mf]},
            "status": {"disruptedPods": {"x": STAMP}}}                # a map of stamps: the slow way
    v4 = {"metadata": {"name": "p", "namespace": "d", "managedFields": [mf]}, "spec": spec}
    for version in (v1, v2, v3, slow, v4, v1):
        entry, = texts.entries("things", [version])
        for seconds in (0, 65, -3600):
            assert encoded.object_text(entry, seconds) == plain(version, seconds)
            assert encoded.metadata_text(entry, seconds) == plain(version["metadata"], seconds)


@pytest.mark.parametrize("value", [v for v in ODD_VALUES if isinstance(v, dict)] + [
    {"metadata": {"managedFields": [{"manager": "m", "time": STAMP}], "labels": {"a": "b"}}, "spec": {"n": 1}},
    {"spec": {"metadata": {"managedFields": []}}, "metadata": {"managedFields": [], "creationTimestamp": STAMP}},
    {"metadata": {"annotations": {"k": '"metadata":{"managedFields":[]}'}, "managedFields": []}},
])
def test_the_pages_text_is_what_the_page_stream_writes(value):
    from webapp.page import wire
    obj = {"apiVersion": "v1", "kind": "Pod", **value}
    obj["metadata"] = {"name": "x", "namespace": "d", **obj.get("metadata", {})}
    entry, = encoded.ObjectTexts().entries("things", [obj])
    got = encoded.page_text(entry)
    assert got is None or got == wire.dumps(wire.slim(obj))
    if "managedFields" in value.get("metadata", {}) and "spec" in value and "metadata" not in value["spec"]:
        assert got is not None, "a plain object gives the page's text from its template"
    twice = {**obj, "spec": obj["metadata"]}         # the metadata's very dict under another key too
    entry, = encoded.ObjectTexts().entries("things", [twice])
    got = encoded.page_text(entry)
    assert got is None or got == wire.dumps(wire.slim(twice))


def test_a_complete_list_drops_the_entries_of_objects_gone():
    texts = encoded.ObjectTexts()
    a, b = ({"metadata": {"name": n, "namespace": "d"}} for n in "ab")
    texts.entries("pods", [a, b], complete_for=None)
    texts.entries("pods", [a], complete_for=False)          # filtered: b may still exist
    assert [e.obj for e in texts.entries("pods", [b])] == [b]
    assert texts.entries("pods", [b])[0] is texts.entries("pods", [b])[0]
    texts.entries("pods", [a], complete_for="d")
    assert set(texts._kinds["pods"]["d"]) == {"a"}
    texts.entries("pods", [], complete_for=None)
    assert texts._kinds["pods"] == {}


# --- whole answers through the API -------------------------------------------------------------

@pytest.fixture
def cluster():
    # Five minutes ahead of the wall clock and paused, so the shift holds still (clientframe.py).
    clock = ScaledClock(speed=1.0, start=time.time() + 300)
    clock.pause()
    c = Cluster(store=Store(), clock=clock, nodes=2)
    c.run_until_idle()
    yield c
    c.stop()


@pytest.fixture
def client(cluster):
    from webapp import create_app
    return create_app(cluster).test_client()        # not the page: answered in the client's frame


def make_pod(cluster, name: str, **labels) -> dict:
    return cluster.store.create({"apiVersion": "v1", "kind": "Pod",
                                 "metadata": {"name": name, "namespace": "default", "labels": labels,
                                              "annotations": {"time": STAMP}},
                                 "spec": {"containers": [{"name": "c", "image": "nginx"}]}})


def expected_list(cluster, shift: int, namespace=None, selector=None) -> bytes:
    items, rv = cluster.store.list(kinds.POD, namespace, selector)
    return plain({"kind": "PodList", "apiVersion": "v1", "metadata": {"resourceVersion": str(rv)},
                  "items": items}, shift).encode()


def expected_table(cluster, shift: int, include_object: str = "Metadata") -> bytes:
    items, rv = cluster.store.list(kinds.POD)
    return plain(tables.table(kinds.POD, items, now=cluster.clock.now(), resource_version=str(rv),
                              include_object=include_object), shift).encode()


def test_lists_are_the_plain_answer_byte_for_byte(cluster, client):
    for i in range(5):
        make_pod(cluster, f"p{i}", app="a" if i % 2 else "b")
    shift = clock_shift(cluster.clock)
    assert shift > 299
    for _ in range(2):                  # made, then from the cache
        assert client.get("/api/v1/pods").data == expected_list(cluster, shift)
        assert client.get("/api/v1/namespaces/default/pods").data == expected_list(cluster, shift, "default")
        assert client.get("/api/v1/pods?labelSelector=app%3Da").data == expected_list(cluster, shift, None, "app=a")
        assert client.get("/api/v1/pods", headers={"Accept": TABLE}).data == expected_table(cluster, shift)
        for inc in ("Object", "None", "Metadata"):
            r = client.get(f"/api/v1/pods?includeObject={inc}", headers={"Accept": TABLE})
            assert r.data == expected_table(cluster, shift, inc)
    r = client.get("/api/v1/pods?includeObject=Everything", headers={"Accept": TABLE})
    assert r.status_code == 400 and b'unrecognized includeObject value: \\"Everything\\"' in r.data
    page = client.get("/api/v1/pods", headers={"X-Kubeplay-Request": "page"})
    assert page.data == expected_list(cluster, 0), "the page is answered in simulated time"


def test_an_updated_object_is_listed_at_its_new_version(cluster, client):
    make_pod(cluster, "p")
    shift = clock_shift(cluster.clock)
    client.get("/api/v1/pods", headers={"Accept": TABLE})
    before = client.get("/api/v1/pods").get_json()["items"][0]
    cluster.store.patch(kinds.POD, "default", "p", "merge", {"metadata": {"labels": {"new": "yes"}}})
    after = client.get("/api/v1/pods").get_json()["items"][0]
    assert after["metadata"]["labels"] == {"new": "yes"}
    assert int(after["metadata"]["resourceVersion"]) > int(before["metadata"]["resourceVersion"])
    assert client.get("/api/v1/pods").data == expected_list(cluster, shift)
    row = client.get("/api/v1/pods", headers={"Accept": TABLE}).get_json()["rows"][0]
    assert row["object"]["metadata"]["labels"] == {"new": "yes"}
    cluster.store.delete(kinds.POD, "default", "p")
    assert client.get("/api/v1/pods").get_json()["items"] == []


def test_a_time_jump_moves_the_listed_timestamps(cluster, client):
    make_pod(cluster, "p")
    first = client.get("/api/v1/pods").get_json()["items"][0]
    cluster.clock.step(3600)            # paused: a Step moves simulated time and the lead
    shift = clock_shift(cluster.clock)
    body = client.get("/api/v1/pods")
    assert body.data == expected_list(cluster, shift)
    later = body.get_json()["items"][0]
    assert first["metadata"]["creationTimestamp"] != later["metadata"]["creationTimestamp"]
    assert later["metadata"]["annotations"] == {"time": STAMP}, "the user's map is not moved"
    row = client.get("/api/v1/pods", headers={"Accept": TABLE})
    assert row.data == expected_table(cluster, shift)


# --- watches written from the same texts -------------------------------------------------------

def watch_bytes(cluster, texts, resource_version, shift: int, **kw) -> list[bytes]:
    """The lines of a watch of all pods from `resource_version`, up to the store's version now."""
    import threading
    from webapp.api import watch
    gen = watch.stream(cluster, kinds.POD, None, label_selector=kw.pop("label_selector", None), field_selector=None,
                       resource_version=resource_version, timeout_seconds=1, as_table=False, bookmarks=False,
                       stopping=threading.Event(), frame=lambda obj: timeshift.shifted(obj, shift),
                       texts=texts, shift=(lambda: shift) if texts is not None else None, **kw)
    out = []
    end = cluster.store.resource_version
    for chunk in gen:
        out += chunk.splitlines(keepends=True)
        if out and (resource_version is None
                    or json.loads(out[-1])["object"]["metadata"]["resourceVersion"] == str(end)):
            break                       # the initial events come in one chunk
    gen.close()
    return out


def test_a_watch_from_the_texts_sends_the_plain_events_and_shares_them_with_lists(cluster, client):
    rv0 = str(cluster.store.resource_version)
    make_pod(cluster, "p0", app="a")
    cluster.store.create({"apiVersion": "v1", "kind": "Pod",
                          "metadata": {"name": "odd", "namespace": "default", "annotations": {"note": "ü"}},
                          "spec": {"containers": [{"name": "c", "image": "nginx"}]}})     # the slow way
    make_pod(cluster, "p1", app="b")
    cluster.store.patch(kinds.POD, "default", "p0", "merge", {"metadata": {"labels": {"app": "b"}}})
    cluster.store.delete(kinds.POD, "default", "p1")
    cluster.run_until_idle()
    shift = clock_shift(cluster.clock)
    for since in (rv0, None):                       # replayed events; the initial ADDED events
        texts = encoded.ObjectTexts()
        got = watch_bytes(cluster, texts, since, shift)
        assert got == watch_bytes(cluster, None, since, shift)
        assert len(got) >= 2 and all(line.endswith(b"}\n") for line in got)
    # with a selector: p0 stops matching app=a, and is sent as DELETED at its new version
    assert (watch_bytes(cluster, encoded.ObjectTexts(), rv0, shift, label_selector="app=a")
            == watch_bytes(cluster, None, rv0, shift, label_selector="app=a"))
    # the watch's entries are the lists': the stored dict's entry is found, not made again
    texts = encoded.ObjectTexts()
    watch_bytes(cluster, texts, rv0, shift)
    items, _ = cluster.store.list(kinds.POD, "default")
    p0 = next(o for o in items if o["metadata"]["name"] == "p0")
    kept = texts._kinds["pods"]["default"]
    assert kept["p0"].obj is p0 and kept["p0"].template is not None
    assert "p1" not in kept, "a deleted object's text is not kept for the lists"
    entries = texts.entries("pods", items)
    assert entries[[o["metadata"]["name"] for o in items].index("p0")] is kept["p0"]


def test_a_watch_behind_the_lists_keeps_the_later_text():
    texts = encoded.ObjectTexts()
    v1 = {"metadata": {"name": "p", "namespace": "d", "resourceVersion": "1"}, "spec": {"n": 1}}
    v2 = {"metadata": {"name": "p", "namespace": "d", "resourceVersion": "2"}, "spec": {"n": 2}}
    later, = texts.entries("pods", [v2])
    older = texts.entry("pods", v1)
    assert encoded.object_text(older, 0) == plain(v1, 0)
    assert texts.entries("pods", [v2])[0] is later
    assert texts.entry("pods", v2) is later


def test_a_list_in_many_parts_and_writes_is_the_same_body(cluster, client, monkeypatch):
    from webapp.api import list_bodies
    for i in range(7):
        make_pod(cluster, f"p{i}")
    shift = clock_shift(cluster.clock)
    for part, write in ((2, 1), (3, 5000), (1, 10 ** 9)):
        monkeypatch.setattr(list_bodies, "PART", part)
        monkeypatch.setattr(list_bodies, "WRITE", write)
        assert client.get("/api/v1/pods").data == expected_list(cluster, shift)
        assert client.get("/api/v1/pods", headers={"Accept": TABLE}).data == expected_table(cluster, shift)
    assert list_bodies._parts("[", ["a", "b", "c"], lambda t: t, "]") == [b"[a,b,c]"]
    monkeypatch.setattr(list_bodies, "WRITE", 1)        # a write as soon as a part is made
    assert list_bodies._parts("[", ["a", "b", "c"], lambda t: t, "]") == [b"[a", b",b", b",c", b"]"]
