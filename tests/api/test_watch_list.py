"""Streaming lists (WatchList, KEP-3157) as kube-apiserver 1.32+ serves them, and the apiserver's
validation of the list/watch parameter combinations (ValidateListOptions) with its texts.
client-go >= 1.35 (kubectl 1.35+) opens these instead of list+watch and waits for the bookmark
annotated k8s.io/initial-events-end before its informers count as synced."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from test_http_api import ROOT_CA, Api, Watch, assert_status, cm, name

STREAM = "watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true"
END = "k8s.io/initial-events-end"


@pytest.fixture(scope="module")
def api_module(kubeplay_module_server) -> Api:
    return Api(kubeplay_module_server)


@pytest.fixture
def api(api_module, request) -> Api:
    request.node._kubeplay_servers = [api_module.server]
    yield api_module
    assert api_module.healthy(), "the server stopped answering /healthz"


def until_bookmark(events) -> bool:
    return bool(events) and events[-1]["type"] == "BOOKMARK"


def test_a_streaming_list_sends_the_state_then_the_initial_events_end_bookmark_then_live_events(api):
    ns = api.namespace()
    made = [api.post(f"/api/v1/namespaces/{ns}/configmaps", cm(n)).json() for n in ("a", "b")]
    w = Watch(api, f"/api/v1/namespaces/{ns}/configmaps?{STREAM}")
    try:
        assert w.status == 200
        evs = w.collect(until_bookmark)
        # (every namespace holds the root CA publisher's ConfigMap; etcd lists in key order)
        assert [(e["type"], name(e["object"])) for e in evs[:-1]] == [("ADDED", "a"), ("ADDED", "b"), ("ADDED", ROOT_CA)]
        mark = evs[-1]["object"]
        assert (mark["kind"], mark["apiVersion"]) == ("ConfigMap", "v1")
        assert mark["metadata"]["annotations"] == {END: "true"}
        rv = int(mark["metadata"]["resourceVersion"])
        assert rv >= max(int(o["metadata"]["resourceVersion"]) for o in made)
        # Then the live stream, with resourceVersions after the bookmark's.
        api.patch(f"/api/v1/namespaces/{ns}/configmaps/a", {"data": {"k": "2"}}, "application/merge-patch+json")
        (ev,) = w.collect(lambda e: len(e) >= 1)
        assert (ev["type"], name(ev["object"]), ev["object"]["data"]) == ("MODIFIED", "a", {"k": "2"})
        assert int(ev["object"]["metadata"]["resourceVersion"]) > rv
    finally:
        w.close()


def test_an_empty_streaming_list_is_just_the_bookmark(api):
    ns = api.namespace()
    # (the namespace's only ConfigMap, the root CA's, is left out by the selector)
    w = Watch(api, f"/api/v1/namespaces/{ns}/configmaps?{STREAM}&labelSelector=app%3Dnone")
    try:
        evs = w.collect(until_bookmark)
        assert [e["type"] for e in evs] == ["BOOKMARK"]
        assert evs[0]["object"]["metadata"]["annotations"][END] == "true"
    finally:
        w.close()


def test_a_streaming_list_applies_label_and_field_selectors(api):
    ns = api.namespace()
    for n, app in (("one", "web"), ("two", "db"), ("three", "web")):
        api.post(f"/api/v1/namespaces/{ns}/configmaps", cm(n, {"app": app}))
    w = Watch(api, f"/api/v1/namespaces/{ns}/configmaps?{STREAM}&labelSelector=" + quote("app=web"))
    f = Watch(api, f"/api/v1/namespaces/{ns}/configmaps?{STREAM}&fieldSelector=" + quote("metadata.name=two"))
    try:
        evs = w.collect(until_bookmark)
        assert sorted(name(e["object"]) for e in evs[:-1]) == ["one", "three"]
        assert {e["type"] for e in evs[:-1]} == {"ADDED"}
        evs = f.collect(until_bookmark)
        assert [(e["type"], name(e["object"])) for e in evs[:-1]] == [("ADDED", "two")]
    finally:
        w.close()
        f.close()


def test_a_streaming_list_from_a_resource_version_sends_the_current_state_not_older_than_it(api):
    """NotOlderThan: the initial events are a state at or after the resourceVersion asked for
    (here the current one, holding what was written after it), not a replay of the changes."""
    ns = api.namespace()
    first = api.post(f"/api/v1/namespaces/{ns}/configmaps", cm("a")).json()
    rv = int(first["metadata"]["resourceVersion"])
    api.patch(f"/api/v1/namespaces/{ns}/configmaps/a", {"data": {"k": "2"}}, "application/merge-patch+json")
    api.post(f"/api/v1/namespaces/{ns}/configmaps", cm("b"))
    w = Watch(api, f"/api/v1/namespaces/{ns}/configmaps?{STREAM}&resourceVersion={rv}")
    try:
        evs = w.collect(until_bookmark)
        assert [(e["type"], name(e["object"])) for e in evs[:-1]] == [("ADDED", "a"), ("ADDED", "b"), ("ADDED", ROOT_CA)]
        assert evs[0]["object"]["data"] == {"k": "2"}
        assert int(evs[-1]["object"]["metadata"]["resourceVersion"]) > rv
    finally:
        w.close()
    # A resourceVersion the server has not reached: 504 as for any watch, never a hang.
    current = int(api.get(f"/api/v1/namespaces/{ns}/configmaps").json()["metadata"]["resourceVersion"])
    r = api.get(f"/api/v1/namespaces/{ns}/configmaps?{STREAM}&resourceVersion={current + 100_000}")
    assert_status(r, 504, "Timeout")


def test_without_allow_watch_bookmarks_the_initial_events_come_without_the_bookmark(api):
    ns = api.namespace()
    api.post(f"/api/v1/namespaces/{ns}/configmaps", cm("a"))
    w = Watch(api, f"/api/v1/namespaces/{ns}/configmaps?watch=true&sendInitialEvents=true"
                   "&resourceVersionMatch=NotOlderThan&timeoutSeconds=2")
    try:
        types = []
        while (ev := w.next(timeout=10)) is not None:
            types.append((ev["type"], name(ev["object"])))
        assert types == [("ADDED", "a"), ("ADDED", ROOT_CA)]
    finally:
        w.close()


def test_send_initial_events_false_starts_at_the_current_state_without_replaying_it(api):
    ns = api.namespace()
    api.post(f"/api/v1/namespaces/{ns}/configmaps", cm("old"))
    w = Watch(api, f"/api/v1/namespaces/{ns}/configmaps?watch=true&sendInitialEvents=false"
                   "&resourceVersionMatch=NotOlderThan")
    try:
        api.post(f"/api/v1/namespaces/{ns}/configmaps", cm("new"))
        evs = w.collect(lambda e: len(e) >= 1)
        assert [(e["type"], name(e["object"])) for e in evs] == [("ADDED", "new")]
    finally:
        w.close()


INVALID = 'ListOptions.meta.k8s.io "" is invalid: '


@pytest.mark.parametrize("query, message", [
    ("watch=true&sendInitialEvents=true",
     "resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"),
    ("watch=true&resourceVersionMatch=NotOlderThan",
     "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"),
    ("watch=true&sendInitialEvents=true&resourceVersionMatch=Exact",
     "[resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan, "
     'resourceVersionMatch: Unsupported value: "Exact": supported values: "NotOlderThan"]'),
    ("sendInitialEvents=true&resourceVersionMatch=NotOlderThan",
     "[resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided, "
     "sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list]"),
    ("sendInitialEvents=true&resourceVersion=0",
     "sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list"),
    ("resourceVersionMatch=NotOlderThan",
     "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided"),
    ("resourceVersionMatch=Exact&resourceVersion=0",
     'resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"'),
    ("resourceVersionMatch=Newest&resourceVersion=5",
     'resourceVersionMatch: Unsupported value: "Newest": supported values: "Exact", "NotOlderThan", ""'),
])
def test_bad_list_and_watch_parameter_combinations_are_422_with_the_apiservers_text(api, query, message):
    r = api.get(f"/api/v1/namespaces/default/configmaps?{query}")
    body = assert_status(r, 422, "Invalid", INVALID + message)
    assert (body["details"]["kind"], body["details"]["group"]) == ("ListOptions", "meta.k8s.io")
    # Not only on the core group: every resource's list goes through the same check.
    r = api.get(f"/apis/apps/v1/deployments?{query}")
    assert_status(r, 422, "Invalid", INVALID + message)


def test_a_list_with_resource_version_match_not_older_than_is_served(api):
    ns = api.namespace()
    api.post(f"/api/v1/namespaces/{ns}/configmaps", cm("a"))
    r = api.get(f"/api/v1/namespaces/{ns}/configmaps?resourceVersion=0&resourceVersionMatch=NotOlderThan")
    assert r.status == 200, r
    assert [name(o) for o in r.json()["items"]] == ["a", ROOT_CA]


def test_the_python_clients_watch_still_works_and_its_streaming_list_too(api):
    """The official client's plain watch (no sendInitialEvents), and the same client asking for a
    streaming list through its generated parameters."""
    from kubernetes import client, config, watch
    ns = api.namespace()
    api.post(f"/api/v1/namespaces/{ns}/configmaps", cm("a"))
    config.load_kube_config(config_file=str(api.server.kubeconfig))
    v1 = client.CoreV1Api()
    seen = [(e["type"], e["object"].metadata.name)
            for e in watch.Watch().stream(v1.list_namespaced_config_map, ns, timeout_seconds=1)]
    assert seen == [("ADDED", "a"), ("ADDED", ROOT_CA)]
    raw = v1.list_namespaced_config_map(ns, watch=True, send_initial_events=True,
                                        resource_version_match="NotOlderThan", allow_watch_bookmarks=True,
                                        timeout_seconds=1, _preload_content=False)
    import json
    events = [json.loads(line) for line in raw.read().decode().splitlines() if line.strip()]
    assert [e["type"] for e in events] == ["ADDED", "ADDED", "BOOKMARK"]
    assert events[2]["object"]["metadata"]["annotations"] == {END: "true"}
