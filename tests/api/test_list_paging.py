"""Lists in chunks (webapp/api/paging.py): `limit` and `continue` as the apiserver's storage
answers them — the first N objects in key order, a continue token that names the last key and the
list's resourceVersion, remainingItemCount for an unfiltered list — and its errors; with
resourceVersion=0 the watch cache's whole list. The real kubectl, which lists 500 at a time, gets
every object in order whatever its chunk size (tests/kubectl/test_list_chunks.py)."""
from __future__ import annotations

import base64
import json

import pytest

from engine import Cluster, ManualClock, Store
from engine import resources as kinds
from webapp.api import list_bodies, paging

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"


@pytest.fixture
def cluster():
    c = Cluster(store=Store(), clock=ManualClock(), nodes=1)
    c.run_until_idle()
    for ns in ("app", "app-dev", "b"):
        c.store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
        for i in range(3):
            c.store.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"cm{i}", "namespace": ns,
                                                                                   "labels": {"i": str(i)}}})
    yield c
    c.stop()


@pytest.fixture
def client(cluster):
    from webapp import create_app
    return create_app(cluster).test_client()


def names(body: dict) -> list[str]:
    return [f"{o['metadata']['namespace']}/{o['metadata']['name']}" for o in body["items"]]


def token(v="meta.k8s.io/v1", rv=5, start="app/cm0\x00") -> str:
    data = json.dumps({"v": v, "rv": rv, "start": start}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def test_chunks_follow_key_order_with_continue_and_remaining_count(cluster, client):
    whole = client.get("/api/v1/configmaps").get_json()
    mine = [n for n in names(whole) if n.split("/")[0] in ("app", "app-dev", "b")]
    # etcd's key order: "app-dev/" sorts before "app/" ("-" comes before "/")
    assert mine == [f"{ns}/cm{i}" for ns in ("app-dev", "app", "b") for i in range(3)]
    got, cont, rv = [], "", whole["metadata"]["resourceVersion"]
    first = None
    while True:
        r = client.get("/api/v1/configmaps?limit=4" + (f"&continue={cont}" if cont else ""))
        body = r.get_json()
        assert r.status_code == 200 and len(body["items"]) <= 4
        assert body["metadata"]["resourceVersion"] == rv           # every chunk at the first one's rv
        got += names(body)
        first = first or body
        cont = body["metadata"].get("continue", "")
        if not cont:
            assert "remainingItemCount" not in body["metadata"]
            break
        assert body["metadata"]["remainingItemCount"] == len(whole["items"]) - len(got)
    assert got == names(whole)
    # the last chunk is not the whole list: the texts made for the earlier chunks are kept
    kept = list_bodies.texts_for(cluster)._kinds["configmaps"]
    assert sorted(f"{ns}/{name}" for ns, by_name in kept.items() for name in by_name) == sorted(got)
    start = json.loads(base64.urlsafe_b64decode(first["metadata"]["continue"] + "=="))
    assert start == {"v": "meta.k8s.io/v1", "rv": int(rv), "start": names(whole)[3] + "\x00"}
    # a namespaced list's keys are the names; a filtered list has no remaining count; a Table pages too
    body = client.get("/api/v1/namespaces/app/configmaps?limit=2").get_json()
    assert [o["metadata"]["name"] for o in body["items"]] == ["cm0", "cm1"]
    assert json.loads(base64.urlsafe_b64decode(body["metadata"]["continue"] + "=="))["start"] == "cm1\x00"
    body = client.get("/api/v1/configmaps?limit=2&labelSelector=i%3D1").get_json()
    assert len(body["items"]) == 2 and body["metadata"]["continue"] and "remainingItemCount" not in body["metadata"]
    table = client.get("/api/v1/namespaces/b/configmaps?limit=2", headers={"Accept": TABLE}).get_json()
    assert [row["cells"][0] for row in table["rows"]] == ["cm0", "cm1"]
    assert table["metadata"]["remainingItemCount"] == 1 and table["metadata"]["continue"]


def test_resource_version_0_is_the_watch_cache_whole_list(client):
    assert len(client.get("/api/v1/configmaps?limit=2&resourceVersion=0").get_json()["items"]) > 2


@pytest.mark.parametrize("query, message", [
    ("limit=x", 'strconv.ParseInt: parsing "x": invalid syntax'),
    (f"continue={token()}&resourceVersion=3", "specifying resource version is not allowed when using continue"),
    ("continue=a=b", "invalid continue token: continue key is not valid: illegal base64 data at input byte 1"),
    (f"continue={token(v='v2')}", "invalid continue token: continue key is not valid: server does not recognize "
                                  "this encoded version v2"),
    (f"continue={token(rv=0)}", "invalid continue token: continue key is not valid: incorrect encoded start "
                                "resourceVersion (version meta.k8s.io/v1)"),
    (f"continue={token(start='')}", "invalid continue token: continue key is not valid: encoded start key empty "
                                    "(version meta.k8s.io/v1)"),
    (f"continue={token(start='a/../../secrets')}", "invalid continue token: continue key is not valid: a/../../secrets"),
])
def test_bad_limits_and_tokens_are_400_in_the_apiservers_words(client, query, message):
    r = client.get(f"/api/v1/configmaps?{query}")
    assert r.status_code == 400 and r.get_json()["message"] == message and r.get_json()["reason"] == "BadRequest"


def test_the_key_order_of_namespace_runs():
    def obj(ns, name):
        return {"metadata": {"namespace": ns, "name": name}}
    items = [obj("a", "x"), obj("a", "y"), obj("a.b", "z"), obj("a0", "w")]
    assert [o["metadata"]["namespace"] for o in paging.in_key_order(items, None, True)] == ["a.b", "a", "a", "a0"]
    assert paging.in_key_order(items, "a", True) is items
    assert kinds.CONFIGMAP.namespaced


def _cm(ns: str, name: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": ns}}


def test_store_lists_at_a_past_resource_version_as_they_were(cluster):
    store = cluster.store
    seen = []                                    # (rv, the list then) after each batch of writes
    for step in range(6):
        seen.append((store.list(kinds.CONFIGMAP)[1], store.list(kinds.CONFIGMAP)[0]))
        store.create(_cm("app", f"new{step}"))
        store.update(dict(store.get(kinds.CONFIGMAP, "b", "cm1"), data={"step": str(step)}))
        if step < 3:
            store.delete(kinds.CONFIGMAP, "app-dev", f"cm{step}")
        store.create(_cm("b", f"cm{step + 10}"))
        store.delete(kinds.CONFIGMAP, "b", f"cm{step + 10}")     # created and gone between two lists
    for rv, then in seen:
        assert store.list_at(kinds.CONFIGMAP, None, None, None, rv) == then
        assert store.list_at(kinds.CONFIGMAP, "b", None, None, rv) == [o for o in then if o["metadata"]["namespace"] == "b"]
        assert store.list_at(kinds.CONFIGMAP, None, "i=1", None, rv) == [
            o for o in then if (o["metadata"].get("labels") or {}).get("i") == "1"]


def _chunks(client, path: str, limit: int, cont: str = "", between=lambda: None):
    """Every chunk's body, calling `between` after each one."""
    bodies = []
    while True:
        r = client.get(f"{path}?limit={limit}" + (f"&continue={cont}" if cont else ""))
        assert r.status_code == 200, r.get_json()
        bodies.append(r.get_json())
        between()
        cont = bodies[-1]["metadata"].get("continue", "")
        if not cont:
            return bodies


def test_later_chunks_show_the_list_at_the_first_chunks_version_kept_or_from_history(cluster, client):
    store = cluster.store
    whole = client.get("/api/v1/namespaces/app/configmaps").get_json()
    n = iter(range(100))

    def write() -> None:                        # a create, an update and a delete after each chunk
        i = next(n)
        store.create(_cm("app", f"cm{i + 50}"))
        store.update(dict(store.get(kinds.CONFIGMAP, "app", "cm2"), data={"i": str(i)}))
        if i == 0:
            store.delete(kinds.CONFIGMAP, "app", "cm1")
    bodies = _chunks(client, "/api/v1/namespaces/app/configmaps", 1, between=write)
    assert [o for b in bodies for o in b["items"]] == whole["items"]
    assert {b["metadata"]["resourceVersion"] for b in bodies} == {whole["metadata"]["resourceVersion"]}

    # the same, with the first chunk's list no longer kept: read back from the history of writes
    whole = client.get("/api/v1/namespaces/app/configmaps").get_json()

    def forget_and_write() -> None:
        paging.snapshots_for(cluster).drop(("configmaps", "app", None, None, int(whole["metadata"]["resourceVersion"])))
        write()
    bodies = _chunks(client, "/api/v1/namespaces/app/configmaps", 2, between=forget_and_write)
    assert [o for b in bodies for o in b["items"]] == whole["items"]


def test_a_token_older_than_the_history_is_410_with_a_token_to_go_on_at_the_newest_version():
    c = Cluster(store=Store(history=20), clock=ManualClock(), nodes=0)
    try:
        from webapp import create_app
        client = create_app(c).test_client()
        for i in range(5):
            c.store.create(_cm("default", f"cm{i}"))
        first = client.get("/api/v1/namespaces/default/configmaps?limit=2").get_json()
        paging.snapshots_for(c).drop(("configmaps", "default", None, None, int(first["metadata"]["resourceVersion"])))
        for i in range(30):                      # more writes than the history holds
            c.store.create(_cm("default", f"z{i:02}"))
        r = client.get(f"/api/v1/namespaces/default/configmaps?limit=2&continue={first['metadata']['continue']}")
        status = r.get_json()
        assert r.status_code == 410 and status["reason"] == "Expired" and status["code"] == 410
        assert status["message"] == paging.INCONSISTENT_CONTINUE
        assert status["message"].startswith("The provided continue parameter is too old to display a consistent list")
        again = json.loads(base64.urlsafe_b64decode(status["metadata"]["continue"] + "=="))
        assert again == {"v": "meta.k8s.io/v1", "rv": -1, "start": "cm1\x00"}
        # that token goes on from cm2 at the newest version, and its own token keeps that version
        bodies = _chunks(client, "/api/v1/namespaces/default/configmaps", 10, cont=status["metadata"]["continue"])
        assert [o["metadata"]["name"] for b in bodies for o in b["items"]] == (
            ["cm2", "cm3", "cm4"] + [f"z{i:02}" for i in range(30)])
        rv = str(c.store.resource_version)
        assert {b["metadata"]["resourceVersion"] for b in bodies} == {rv}
        assert json.loads(base64.urlsafe_b64decode(bodies[0]["metadata"]["continue"] + "=="))["rv"] == int(rv)
    finally:
        c.stop()
