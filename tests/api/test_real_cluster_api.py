"""`kubeplay serve --kubeconfig` against a first kubeplay server playing the real cluster (issue 14):
the actions go to its API, `--read-only` refuses them all, an exec credential plugin's token
works, server-side apply conflicts come back with the apiserver's text and a force, and the
reconcile log is told from watched state, each line marked inferred."""
from __future__ import annotations

import json
import re
import stat
import sys

import pytest
import simple_websocket

from tests.conftest import wait_until
from tests.realcluster import FORBIDDEN, RemoteKubeplay, viewer_kubeconfig

TOKEN = "real-cluster-token-9f3c1d"


@pytest.fixture
def real(kubeplay_factory):
    """The "real" cluster: a kubeplay server with a token (so its kubeconfig carries a token and
    a CA certificate, as a real one does)."""
    return kubeplay_factory(extra_args=("--token", TOKEN))


@pytest.fixture
def remotes(tmp_path):
    made: list[RemoteKubeplay] = []

    def make(kubeconfig, *args, start=True):
        r = RemoteKubeplay(tmp_path / f"remote{len(made)}", kubeconfig, *args)
        made.append(r)
        return r.start() if start else r
    yield make
    for r in made:
        r.close()


def _get(real, path: str):
    """GET on the real cluster, with its credentials (kubectl get --raw)."""
    return json.loads(real.kubectl("get", "--raw", path).stdout)


def _pods(real, selector: str) -> list[dict]:
    return [p for p in _get(real, f"/api/v1/namespaces/default/pods?labelSelector={selector}")["items"]
            if not p["metadata"].get("deletionTimestamp")]


def _stream_until(remote, predicate, timeout=30.0) -> list[dict]:
    """The page's stream: messages until `predicate(messages)` holds."""
    ws = simple_websocket.Client.connect(remote.url.replace("http", "ws", 1) + "/kubeplay/v1/stream")
    msgs: list[dict] = []
    try:
        ws.send(json.dumps({"type": "hello", "resourceVersion": ""}))

        def got():
            data = ws.receive(timeout=0.5)
            if data is not None:
                msgs.append(json.loads(data))
            return predicate(msgs)
        wait_until(got, timeout, interval=0, message=f"stream messages: {[m['type'] for m in msgs]}")
    finally:
        ws.close()
    return msgs


def test_the_stream_draws_the_real_clusters_objects_and_tells_the_log_inferred(real, remotes):
    real.kubectl("create", "deployment", "web", "--image=nginx", "--replicas=2")
    remote = remotes(real.kubeconfig)
    info = remote.get("/kubeplay/v1/remote")
    assert info["context"] == "kubeplay" and info["server"] == real.url and info["readOnly"] is False
    assert info["hidden"] == [] and info["narrowed"] == []
    assert "failNode" in info["unavailable"] and "clock" in info["unavailable"]
    wait_until(lambda: len(_pods(real, "app=web")) == 2)
    names = {p["metadata"]["name"] for p in _pods(real, "app=web")}

    def snapshot_has_pods(msgs):
        snap = next((m for m in msgs if m["type"] == "snapshot"), None)
        return snap is not None and names <= {o["metadata"]["name"] for o in snap["items"] if o["kind"] == "Pod"}
    msgs = _stream_until(remote, snapshot_has_pods)
    snap = next(m for m in msgs if m["type"] == "snapshot")
    kinds = {o["kind"] for o in snap["items"]}
    assert {"Node", "Pod", "Deployment", "ReplicaSet", "Service"} <= kinds
    assert all("managedFields" not in o["metadata"] for o in snap["items"])

    # A change on the real cluster: the ReplicaSet's status tells the story, marked inferred.
    real.kubectl("scale", "deployment", "web", "--replicas=3")

    def told(msgs):
        return any(d.get("inferred") and "desired 3" in d["message"]
                   for m in msgs if m["type"] == "decisions" for d in m["items"])
    msgs = _stream_until(remote, told)
    lines = [d for m in msgs if m["type"] == "decisions" for d in m["items"]]
    assert all(d["inferred"] is True for d in lines), lines

    # A rollout: the new and the old ReplicaSets, read off the Deployment's and their status.
    wait_until(lambda: sum(1 for p in _pods(real, "app=web") if p["status"].get("phase") == "Running") == 3)
    real.kubectl("set", "image", "deployment/web", "nginx=nginx:1.27")

    def rolled(msgs):
        said = [d["message"] for m in msgs if m["type"] == "decisions" for d in m["items"]]
        return (any(re.match(r"Deployment default/web: rolling out revision 2: new ReplicaSet web-\S+ has .*"
                             r"old ReplicaSets still running: web-\S+ \(\d\)", s) for s in said)
                and "Deployment default/web: rollout complete: 3 of 3 up to date and ready" in said)
    _stream_until(remote, rolled, timeout=60)


def test_actions_go_to_the_real_api_and_are_logged(real, remotes):
    real.kubectl("create", "deployment", "web", "--image=nginx", "--replicas=2")
    remote = remotes(real.kubeconfig)
    wait_until(lambda: len(_pods(real, "app=web")) == 2)
    victim = _pods(real, "app=web")[0]["metadata"]["name"]

    # kill: a DELETE on the real cluster, and its ReplicaSet replaces the pod
    status, body = remote.call("DELETE", f"/api/v1/namespaces/default/pods/{victim}")
    assert status == 200, body
    wait_until(lambda: victim not in {p["metadata"]["name"] for p in _pods(real, "app=web")}
               and len(_pods(real, "app=web")) == 2, message="the ReplicaSet did not replace the killed pod")

    # scale through the scale subresource
    status, body = remote.call("PATCH", "/apis/apps/v1/namespaces/default/deployments/web/scale",
                               {"spec": {"replicas": 3}}, "application/merge-patch+json")
    assert status == 200, body
    wait_until(lambda: _get(real, "/apis/apps/v1/namespaces/default/deployments/web")["spec"]["replicas"] == 3)

    # rollout restart, as the page sends it
    status, body = remote.call("PATCH", "/apis/apps/v1/namespaces/default/deployments/web",
                               {"spec": {"template": {"metadata": {"annotations": {
                                   "kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z"}}}}},
                               "application/strategic-merge-patch+json")
    assert status == 200, body
    d = _get(real, "/apis/apps/v1/namespaces/default/deployments/web")
    assert d["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"] == "2026-01-01T00:00:00Z"

    # rollout undo: the previous ReplicaSet's template, as a JSON patch (as the page sends it)
    wait_until(lambda: len(_get(real, "/apis/apps/v1/namespaces/default/replicasets?labelSelector=app=web")["items"]) == 2)
    old = next(rs for rs in _get(real, "/apis/apps/v1/namespaces/default/replicasets?labelSelector=app=web")["items"]
               if rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1")
    template = old["spec"]["template"]
    del template["metadata"]["labels"]["pod-template-hash"]
    status, body = remote.call("PATCH", "/apis/apps/v1/namespaces/default/deployments/web",
                               [{"op": "replace", "path": "/spec/template", "value": template}],
                               "application/json-patch+json")
    assert status == 200, body
    d = _get(real, "/apis/apps/v1/namespaces/default/deployments/web")
    assert "kubectl.kubernetes.io/restartedAt" not in (d["spec"]["template"]["metadata"].get("annotations") or {})

    # cordon / uncordon
    node = _get(real, "/api/v1/nodes")["items"][0]["metadata"]["name"]
    status, _ = remote.call("PATCH", f"/api/v1/nodes/{node}", {"spec": {"unschedulable": True}},
                            "application/merge-patch+json")
    assert status == 200 and _get(real, f"/api/v1/nodes/{node}")["spec"].get("unschedulable") is True
    status, _ = remote.call("PATCH", f"/api/v1/nodes/{node}", {"spec": {"unschedulable": None}},
                            "application/merge-patch+json")
    assert status == 200 and not _get(real, f"/api/v1/nodes/{node}")["spec"].get("unschedulable")

    # logs of a running pod
    wait_until(lambda: any(p["status"].get("phase") == "Running" for p in _pods(real, "app=web")))
    running = next(p for p in _pods(real, "app=web") if p["status"].get("phase") == "Running")["metadata"]["name"]
    status, text = remote.call("GET", f"/api/v1/namespaces/default/pods/{running}/log")
    assert status == 200, text

    # a 404 comes back as the apiserver's Status
    status, body = remote.call("DELETE", "/api/v1/namespaces/default/pods/nope")
    assert status == 404 and body["message"] == 'pods "nope" not found'

    # every action is a line in the page's log (not inferred: the page sent it)
    msgs = _stream_until(remote, lambda ms: sum(1 for m in ms if m["type"] == "decisions"
                                                for d in m["items"] if d["controller"] == "kubeplay") >= 7)
    sent = [d["message"] for m in msgs if m["type"] == "decisions" for d in m["items"] if d["controller"] == "kubeplay"]
    assert any(f"kill pod default/{victim}" in s for s in sent), sent
    assert any("scale deployment default/web to 3" in s for s in sent), sent
    assert any(f"cordon node {node}" in s for s in sent), sent
    assert any("rollout undo deployment default/web" in s for s in sent), sent
    assert any(f"logs of pod default/{running}" in s for s in sent), sent
    # and the cordon seen on the watch, told as inferred
    told = [d for m in msgs if m["type"] == "decisions" for d in m["items"] if d.get("inferred")]
    assert any(d["message"] == f"Node {node}: cordoned (spec.unschedulable)" for d in told), told


def test_the_page_header_is_required_and_nothing_else_is_proxied(real, remotes):
    remote = remotes(real.kubeconfig)
    status, body = remote.call("DELETE", "/api/v1/namespaces/default/pods/x", headers={})
    assert status == 403 and "its page" in body["message"]
    status, body = remote.call("GET", "/api/v1/secrets")          # not a route: no general proxy
    assert status == 404, body
    status, body = remote.call("POST", "/kubeplay/v1/nodes/node-1/fail", {})
    assert status == 400 and "kubelet" in body["message"]
    status, body = remote.call("POST", "/kubeplay/v1/clock", {"paused": True})
    assert status == 400 and "wall clock" in body["message"]


def test_read_only_refuses_every_action(real, remotes):
    real.kubectl("create", "deployment", "web", "--image=nginx", "--replicas=1")
    wait_until(lambda: len(_pods(real, "app=web")) == 1)
    pod = _pods(real, "app=web")[0]["metadata"]["name"]
    node = _get(real, "/api/v1/nodes")["items"][0]["metadata"]["name"]
    remote = remotes(real.kubeconfig, "--read-only")
    info = remote.get("/kubeplay/v1/remote")
    assert info["readOnly"] is True
    for action in ("apply", "delete", "kill", "scale", "restart", "undo", "cordon", "drain", "deleteNode"):
        assert "--read-only" in info["unavailable"][action]
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ro\ndata:\n  a: b\n"
    attempts = [
        ("POST", "/kubeplay/v1/apply", {"yaml": cm}, "application/json"),
        ("POST", "/kubeplay/v1/apply", {"yaml": cm, "preview": True}, "application/json"),
        ("POST", "/kubeplay/v1/delete", {"yaml": cm}, "application/json"),
        ("DELETE", f"/api/v1/namespaces/default/pods/{pod}", None, "application/json"),
        ("PATCH", "/apis/apps/v1/namespaces/default/deployments/web/scale", {"spec": {"replicas": 5}},
         "application/merge-patch+json"),
        ("PATCH", "/apis/apps/v1/namespaces/default/deployments/web",
         {"spec": {"template": {"metadata": {"annotations": {"x": "y"}}}}}, "application/strategic-merge-patch+json"),
        ("PATCH", f"/api/v1/nodes/{node}", {"spec": {"unschedulable": True}}, "application/merge-patch+json"),
        ("POST", f"/kubeplay/v1/nodes/{node}/drain", {}, "application/json"),
        ("DELETE", f"/api/v1/nodes/{node}", None, "application/json"),
    ]
    for method, path, body, ctype in attempts:
        status, answer = remote.call(method, path, body, ctype)
        assert status == 403, (method, path, status, answer)
        assert "--read-only" in answer["message"], answer
    # nothing reached the cluster
    assert [p["metadata"]["name"] for p in _pods(real, "app=web")] == [pod]
    assert _get(real, "/apis/apps/v1/namespaces/default/deployments/web")["spec"]["replicas"] == 1
    assert not _get(real, f"/api/v1/nodes/{node}")["spec"].get("unschedulable")
    assert real.kubectl("get", "configmap", "ro", check=False).returncode != 0
    # watching still works
    assert remote.get("/kubeplay/v1/remote")["synced"] is True


def test_apply_is_server_side_with_conflicts_shown_and_forced(real, remotes):
    remote = remotes(real.kubeconfig)
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  color: blue\n"
    status, body = remote.call("POST", "/kubeplay/v1/apply", {"yaml": cm, "preview": True})
    assert status == 200 and body["preview"][0]["action"] == "created", body
    assert real.kubectl("get", "configmap", "settings", check=False).returncode != 0      # a dry run
    status, body = remote.call("POST", "/kubeplay/v1/apply", {"yaml": cm})
    assert status == 200 and body["results"][0]["action"] == "created", body
    live = _get(real, "/api/v1/namespaces/default/configmaps/settings")
    assert live["data"] == {"color": "blue"}
    assert [m["manager"] for m in live["metadata"]["managedFields"]] == ["kubeplay"]
    assert live["metadata"]["managedFields"][0]["operation"] == "Apply"

    # another manager takes the field; the page's next apply conflicts, in the apiserver's words
    real.kubectl("apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", "-",
                 input=cm.replace("blue", "red"))
    status, body = remote.call("POST", "/kubeplay/v1/apply", {"yaml": cm.replace("blue", "green")})
    assert status == 409, body
    err = body["error"]
    assert err["conflict"] is True and err["status"]["reason"] == "Conflict"
    assert 'conflict with "other"' in err["message"] and ".data.color" in err["message"], err["message"]
    assert _get(real, "/api/v1/namespaces/default/configmaps/settings")["data"] == {"color": "red"}
    status, body = remote.call("POST", "/kubeplay/v1/apply", {"yaml": cm.replace("blue", "green"), "force": True})
    assert status == 200 and body["results"][0]["action"] == "configured", body
    assert _get(real, "/api/v1/namespaces/default/configmaps/settings")["data"] == {"color": "green"}

    status, body = remote.call("POST", "/kubeplay/v1/delete", {"yaml": cm})
    assert status == 200 and body["results"][0]["action"] == "deleted", body
    assert real.kubectl("get", "configmap", "settings", check=False).returncode != 0


def test_drain_evicts_through_the_eviction_api_and_a_pdb_holds(real, remotes):
    real.kubectl("create", "deployment", "guarded", "--image=nginx", "--replicas=2")
    real.kubectl("create", "poddisruptionbudget", "guarded", "--selector=app=guarded", "--min-available=2")
    wait_until(lambda: sum(1 for p in _pods(real, "app=guarded") if p["status"].get("phase") == "Running") == 2)
    remote = remotes(real.kubeconfig)
    node = _pods(real, "app=guarded")[0]["spec"]["nodeName"]
    status, body = remote.call("POST", f"/kubeplay/v1/nodes/{node}/drain", {})
    assert status == 200, body
    assert body["evicted"] == [] or all(not e.startswith("default/guarded") for e in body["evicted"])
    blocked = [b for b in body["blocked"] if b["pod"].startswith("default/guarded-")]
    assert blocked and blocked[0]["code"] == 429, body
    assert blocked[0]["message"] == "Cannot evict pod as it would violate the pod's disruption budget."
    assert any("needs 2 healthy pods" in c for c in blocked[0]["causes"]), blocked
    assert _get(real, f"/api/v1/nodes/{node}")["spec"]["unschedulable"] is True
    assert len(_pods(real, "app=guarded")) == 2


def test_an_exec_credential_plugin_gives_the_token(real, remotes, tmp_path):
    plugin = tmp_path / "credential-plugin.py"
    plugin.write_text(
        f"#!{sys.executable}\nimport json\n"
        "print(json.dumps({'apiVersion': 'client.authentication.k8s.io/v1', 'kind': 'ExecCredential',\n"
        f"                  'status': {{'token': '{TOKEN}'}}}}))\n")
    plugin.chmod(plugin.stat().st_mode | stat.S_IXUSR)
    text = real.kubeconfig.read_text()
    head, _, rest = text.partition("users:\n")
    _, _, tail = rest.partition("contexts:\n")
    kubeconfig = tmp_path / "exec-kubeconfig"
    kubeconfig.write_text(head + "users:\n- name: kubeplay\n  user:\n    exec:\n"
                          "      apiVersion: client.authentication.k8s.io/v1\n"
                          f"      command: {plugin}\n      interactiveMode: Never\n" + "contexts:\n" + tail)
    assert TOKEN not in kubeconfig.read_text()
    remote = remotes(kubeconfig)
    info = remote.get("/kubeplay/v1/remote")
    assert info["hidden"] == [] and info["narrowed"] == []
    msgs = _stream_until(remote, lambda ms: any(m["type"] == "snapshot" for m in ms))
    snap = next(m for m in msgs if m["type"] == "snapshot")
    want = {n["metadata"]["name"] for n in _get(real, "/api/v1/nodes")["items"]}
    assert {o["metadata"]["name"] for o in snap["items"] if o["kind"] == "Node"} == want



# ---- a user who may not list cluster-wide -----------------------------------------------------------

def test_a_user_who_may_not_list_cluster_wide_gets_the_namespace_view(real, remotes, tmp_path):
    real.kubectl("create", "namespace", "other")
    real.kubectl("create", "deployment", "mine", "--image=nginx", "--replicas=2")
    real.kubectl("create", "deployment", "theirs", "--image=nginx", "--replicas=1", "-n", "other")
    wait_until(lambda: len(_pods(real, "app=mine")) == 2)
    # the real server's RBAC: a ServiceAccount with `view` in default only
    kubeconfig, _ = viewer_kubeconfig(real, tmp_path / "viewer-kubeconfig")
    remote = remotes(kubeconfig)
    info = remote.get("/kubeplay/v1/remote")
    narrowed = {n["kind"]: n for n in info["narrowed"]}
    hidden = {n["kind"]: n for n in info["hidden"]}
    assert narrowed["Pod"]["namespace"] == "default"
    assert narrowed["Pod"]["reason"] == FORBIDDEN.format(kind="pods", group="")
    assert narrowed["Deployment"]["namespace"] == "default"
    assert hidden["Node"]["reason"] == FORBIDDEN.format(kind="nodes", group="")
    msgs = _stream_until(remote, lambda ms: any(m["type"] == "snapshot" for m in ms))
    snap = next(m for m in msgs if m["type"] == "snapshot")
    pods = {(o["metadata"]["namespace"], o["metadata"]["name"].split("-")[0]) for o in snap["items"] if o["kind"] == "Pod"}
    assert pods == {("default", "mine")}, pods
    assert not [o for o in snap["items"] if o["kind"] == "Node"]
    # and the view stays live: a change in the namespace arrives
    real.kubectl("scale", "deployment", "mine", "--replicas=3")
    _stream_until(remote, lambda ms: len({o["metadata"]["name"] for m in ms if m["type"] == "snapshot"
                                          for o in m["items"] if o["kind"] == "Pod"}
                                         | {e["object"]["metadata"]["name"] for m in ms if m["type"] == "events"
                                            for e in m["events"] if e["object"]["kind"] == "Pod"}) >= 3)


def test_the_view_narrows_to_a_namespace_a_node_or_a_selector(real, remotes):
    real.kubectl("create", "namespace", "other")
    real.kubectl("create", "deployment", "here", "--image=nginx", "--replicas=3")
    real.kubectl("create", "deployment", "there", "--image=nginx", "-n", "other")
    wait_until(lambda: len(_pods(real, "app=here")) == 3 and all(p["spec"].get("nodeName") for p in _pods(real, "app=here")))

    def drawn(remote) -> dict:
        msgs = _stream_until(remote, lambda ms: any(m["type"] == "snapshot" for m in ms))
        snap = next(m for m in msgs if m["type"] == "snapshot")
        out: dict = {}
        for o in snap["items"]:
            out.setdefault(o["kind"], set()).add((o["metadata"].get("namespace"), o["metadata"]["name"]))
        return out

    by_ns = drawn(remotes(real.kubeconfig, "--namespace", "other"))
    assert {ns for ns, _ in by_ns["Pod"]} == {"other"}
    assert {name for _, name in by_ns["Deployment"]} == {"there"}
    assert by_ns["Node"]                                   # nodes are not namespaced: still drawn

    node = _pods(real, "app=here")[0]["spec"]["nodeName"]
    on_node = {p["metadata"]["name"] for p in _get(real, f"/api/v1/pods?fieldSelector=spec.nodeName={node}")["items"]}
    by_node = drawn(remotes(real.kubeconfig, "--node", node))
    assert {name for _, name in by_node["Node"]} == {node}
    assert {name for _, name in by_node["Pod"]} == on_node

    by_label = drawn(remotes(real.kubeconfig, "--selector", "app=here"))
    assert {name for _, name in by_label["Pod"]} == {p["metadata"]["name"] for p in _pods(real, "app=here")}


def test_a_cluster_that_stops_answering_is_said_so_and_watched_again_when_back(real, remotes):
    remote = remotes(real.kubeconfig)
    assert remote.get("/kubeplay/v1/remote")["problem"] is None
    real.stop()
    wait_until(lambda: (remote.get("/kubeplay/v1/remote")["problem"] or "").startswith(
        f"cannot reach the cluster at {real.url}"), 60, message="the banner's problem")
    real.start()
    real.kubectl("create", "deployment", "after", "--image=nginx")
    wait_until(lambda: remote.get("/kubeplay/v1/remote")["problem"] is None, 60, message="the problem to clear")
    _stream_until(remote, lambda ms: any(o["metadata"]["name"] == "after" for m in ms if m["type"] == "snapshot"
                                         for o in m["items"] if o["kind"] == "Deployment"), timeout=60)
