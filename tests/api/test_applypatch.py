"""kubectl apply's three-way strategic merge patch (webapp/kubectl/applypatch.py), without an engine:
the patch is checked as text against what kubectl sends (kubectl-wire.md §8.2), and by applying
it with the store's own strategic-merge implementation (engine/patch.py)."""
from __future__ import annotations

import copy
import json

from engine.patch import strategic_merge
from webapp.kubectl.applypatch import LAST_APPLIED, go_json, last_applied, three_way_patch, with_last_applied


def deployment(**spec_changes) -> dict:
    d = {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web", "tier": "fe"}},
         "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                  "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}},
                  "template": {"metadata": {"labels": {"app": "web"}},
                               "spec": {"containers": [
                                   {"name": "web", "image": "nginx:1.24",
                                    "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                                    "ports": [{"containerPort": 80}, {"containerPort": 443}]},
                                   {"name": "sidecar", "image": "busybox"}]}}}}
    d["spec"].update(spec_changes)
    return d


def live_from(manifest: dict, **server_side) -> dict:
    """What the store would hold after applying `manifest`: plus defaults and status."""
    obj, _ = with_last_applied(manifest)
    obj = copy.deepcopy(obj)
    obj["metadata"].update(uid="u-1", resourceVersion="7", creationTimestamp="2026-01-01T00:00:00Z",
                           generation=1)
    obj["spec"].setdefault("revisionHistoryLimit", 10)
    obj["spec"]["template"]["spec"]["containers"][0].setdefault("imagePullPolicy", "IfNotPresent")
    obj["status"] = {"replicas": 3, "readyReplicas": 3}
    obj.update(server_side)
    return obj


def apply(live: dict, manifest: dict) -> tuple[dict, dict]:
    modified, _ = with_last_applied(manifest)
    patch = three_way_patch(last_applied(live), modified, live)
    return patch, strategic_merge(live, json.loads(json.dumps(patch)), live["kind"], live["apiVersion"])


def test_the_annotation_is_the_manifest_as_kubectl_serialises_it():
    m = {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "p", "namespace": "default"},
         "spec": {"containers": [{"name": "c", "image": "a<b>&c"}]}}
    obj, text = with_last_applied(m)
    assert text == ('{"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{},"name":"p","namespace":"default"},'
                    '"spec":{"containers":[{"image":"a\\u003cb\\u003e\\u0026c","name":"c"}]}}\n')
    assert obj["metadata"]["annotations"] == {LAST_APPLIED: text}
    assert json.loads(text)["spec"] == m["spec"]


def test_an_old_annotation_is_not_nested_into_the_new_one():
    m = {"apiVersion": "v1", "kind": "ConfigMap",
         "metadata": {"name": "c", "annotations": {LAST_APPLIED: "{old}", "team": "a"}}}
    _, text = with_last_applied(m)
    assert json.loads(text)["metadata"]["annotations"] == {"team": "a"}


def test_applying_the_same_manifest_again_is_an_empty_patch():
    m = deployment()
    m["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] = 0
    live = live_from(m)
    patch, result = apply(live, m)
    assert patch == {}
    assert result == live


def test_fields_set_only_on_the_server_are_left_alone():
    m = deployment()
    live = live_from(m)
    live["spec"]["replicas"] = 7                                    # kubectl scale
    live["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = "Always"
    changed = copy.deepcopy(m)
    del changed["spec"]["replicas"]                                   # no longer managed by the file
    patch, result = apply(live, changed)
    assert patch["spec"] == {"replicas": None}
    assert "replicas" not in result["spec"]


def test_keeping_replicas_in_the_file_resets_a_kubectl_scale():
    m = deployment()
    live = live_from(m)
    live["spec"]["replicas"] = 7
    patch, result = apply(live, m)
    assert patch == {"spec": {"replicas": 3}}
    assert result["spec"]["replicas"] == 3


def test_the_patch_kubectl_sends_for_a_changed_deployment():
    """kubectl-wire.md §8.2: containers, env and ports merged by key, deletions as directives,
    $setElementOrder for changed lists, $retainKeys for the strategy switch, nulls for removals."""
    old = deployment()
    live = live_from(old)
    new = copy.deepcopy(old)
    del new["metadata"]["labels"]["tier"]
    del new["spec"]["replicas"]
    new["spec"]["strategy"] = {"type": "Recreate"}
    c = new["spec"]["template"]["spec"]["containers"]
    c.pop()
    c[0].update(image="nginx:1.25", env=[{"name": "B", "value": "2"}], ports=[{"containerPort": 80}])
    patch, result = apply(live, new)
    annotation = patch["metadata"].pop("annotations")
    assert set(annotation) == {LAST_APPLIED}
    assert patch == {
        "metadata": {"labels": {"tier": None}},
        "spec": {"replicas": None,
                 "strategy": {"$retainKeys": ["type"], "rollingUpdate": None, "type": "Recreate"},
                 "template": {"spec": {
                     "$setElementOrder/containers": [{"name": "web"}],
                     "containers": [
                         {"$setElementOrder/env": [{"name": "B"}],
                          "$setElementOrder/ports": [{"containerPort": 80}],
                          "env": [{"$patch": "delete", "name": "A"}], "image": "nginx:1.25", "name": "web",
                          "ports": [{"$patch": "delete", "containerPort": 443}]},
                         {"$patch": "delete", "name": "sidecar"}]}}}}
    assert result["spec"]["strategy"] == {"type": "Recreate"}
    (web,) = result["spec"]["template"]["spec"]["containers"]
    assert web["image"] == "nginx:1.25" and web["env"] == [{"name": "B", "value": "2"}]
    assert web["ports"] == [{"containerPort": 80}]
    assert web["imagePullPolicy"] == "IfNotPresent"                  # server default kept
    assert result["metadata"]["labels"] == {"app": "web"}
    assert result["status"] == live["status"]


def test_a_strategy_without_rolling_update_in_the_file_is_configured_every_time():
    """Upstream quirk (strategicpatch diffMaps/hasAdditionalNewField): with retainKeys, a live
    field the file lacks (the defaulted rollingUpdate) yields `$retainKeys` even when nothing
    else changed — real kubectl prints `configured` for such a manifest on every apply."""
    m = deployment(strategy={"type": "RollingUpdate"})
    live = live_from(m)
    live["spec"]["strategy"]["rollingUpdate"] = {"maxSurge": "25%", "maxUnavailable": "25%"}
    patch, _ = apply(live, m)
    assert patch == {"spec": {"strategy": {"$retainKeys": ["type"]}}}


def test_adding_a_container_and_reordering_sends_the_new_order():
    old = deployment()
    live = live_from(old)
    new = copy.deepcopy(old)
    cs = new["spec"]["template"]["spec"]["containers"]
    cs.insert(0, {"name": "init-proxy", "image": "envoy"})
    patch, result = apply(live, new)
    tpl = patch["spec"]["template"]["spec"]
    assert tpl["$setElementOrder/containers"] == [{"name": "init-proxy"}, {"name": "web"}, {"name": "sidecar"}]
    assert tpl["containers"] == [{"name": "init-proxy", "image": "envoy"}]
    assert [c["name"] for c in result["spec"]["template"]["spec"]["containers"]] == ["init-proxy", "web", "sidecar"]


def test_lists_without_a_merge_key_are_replaced_whole():
    old = deployment()
    old["spec"]["template"]["spec"]["tolerations"] = [{"key": "a", "operator": "Exists"}]
    live = live_from(old)
    new = copy.deepcopy(old)
    new["spec"]["template"]["spec"]["tolerations"] = [{"key": "b", "operator": "Exists"}]
    patch, result = apply(live, new)
    assert patch["spec"]["template"]["spec"] == {"tolerations": [{"key": "b", "operator": "Exists"}]}
    assert result["spec"]["template"]["spec"]["tolerations"] == [{"key": "b", "operator": "Exists"}]


def test_service_ports_merge_by_port():
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "default"},
           "spec": {"selector": {"app": "s"}, "ports": [{"port": 80, "targetPort": 8080}]}}
    live, _ = with_last_applied(svc)
    live["spec"]["clusterIP"] = "10.96.0.12"
    live["spec"]["ports"][0]["protocol"] = "TCP"
    new = copy.deepcopy(svc)
    new["spec"]["ports"].append({"port": 443, "name": "https"})
    patch, result = apply(live, new)
    assert patch["spec"] == {"$setElementOrder/ports": [{"port": 80}, {"port": 443}],
                             "ports": [{"name": "https", "port": 443}]}
    assert result["spec"]["ports"] == [{"port": 80, "targetPort": 8080, "protocol": "TCP"},
                                       {"port": 443, "name": "https"}]
    assert result["spec"]["clusterIP"] == "10.96.0.12"


def test_an_object_made_by_create_is_adopted_by_the_first_apply():
    m = deployment()
    live = copy.deepcopy(m)
    live["metadata"]["uid"] = "u"
    assert last_applied(live) is None
    patch, result = apply(live, m)
    assert set(patch) == {"metadata"} and set(patch["metadata"]["annotations"]) == {LAST_APPLIED}
    assert last_applied(result)["spec"] == m["spec"]


def test_primitive_merge_lists_use_parallel_deletion_lists():
    cm = {"apiVersion": "v1", "kind": "ConfigMap",
          "metadata": {"name": "c", "namespace": "default", "finalizers": ["a/x", "b/y"]}}
    live, _ = with_last_applied(cm)
    live["metadata"]["finalizers"].append("server/z")
    new = copy.deepcopy(cm)
    new["metadata"]["finalizers"] = ["b/y"]
    patch, result = apply(live, new)
    md = {k: v for k, v in patch["metadata"].items() if k != "annotations"}
    assert md == {"$deleteFromPrimitiveList/finalizers": ["a/x"], "$setElementOrder/finalizers": ["b/y"]}
    assert sorted(result["metadata"]["finalizers"]) == ["b/y", "server/z"]


def test_type_changes_and_numbers():
    m = deployment()
    live = live_from(m)
    new = copy.deepcopy(m)
    new["spec"]["replicas"] = 3.0                # JSON has one number type: no change
    new["spec"]["paused"] = False
    patch, _ = apply(live, new)
    assert patch["spec"] == {"paused": False}


def test_go_json_matches_go_escaping():
    assert go_json({"b": 1, "a": "<&>"}) == '{"a":"\\u003c\\u0026\\u003e","b":1}'
