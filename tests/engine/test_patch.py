"""engine.patch: the three PATCH flavours, checked on whole objects as kubectl sends them."""
from __future__ import annotations

import copy
import json

import pytest

from engine import errors
from engine.patch import UnprocessablePatch, json_merge, json_patch, strategic_merge


def live_deployment() -> dict:
    """A live Deployment as the store holds it: defaulted, with status, two containers."""
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "web", "namespace": "default", "uid": "d-1", "resourceVersion": "42",
            "generation": 3, "creationTimestamp": "2026-01-01T00:00:00Z",
            "labels": {"app": "web", "tier": "frontend"},
            "annotations": {"deployment.kubernetes.io/revision": "2",
                            "kubectl.kubernetes.io/last-applied-configuration": "{\"old\":true}\n"},
        },
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "strategy": {"type": "RollingUpdate",
                         "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
            "revisionHistoryLimit": 10,
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "containers": [
                        {"name": "web", "image": "nginx:1.24",
                         "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                         "ports": [{"containerPort": 80, "protocol": "TCP"},
                                   {"containerPort": 443, "protocol": "TCP"}],
                         "imagePullPolicy": "IfNotPresent",
                         "terminationMessagePath": "/dev/termination-log"},
                        {"name": "sidecar", "image": "busybox:1.36", "args": ["sleep", "3600"]},
                    ],
                    "restartPolicy": "Always",
                    "dnsPolicy": "ClusterFirst",
                },
            },
        },
        "status": {"observedGeneration": 3, "replicas": 2, "readyReplicas": 2,
                   "conditions": [{"type": "Available", "status": "True"},
                                  {"type": "Progressing", "status": "True"}]},
    }


def smp_deployment(patch: dict, live: dict | None = None) -> dict:
    return strategic_merge(live or live_deployment(), patch, "Deployment", "apps/v1")


# --- strategic merge: what kubectl sends ---------------------------------------------------------

def test_kubectl_apply_patch_from_the_wire_reference_updates_a_live_deployment():
    # kubectl-wire.md §8.2, verbatim (only the annotation's JSON is spelled out).
    patch = json.loads("""
    {"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\\"new\\":true}\\n"},"labels":{"tier":null}},
     "spec":{"replicas":null,
      "strategy":{"$retainKeys":["type"],"rollingUpdate":null,"type":"Recreate"},
      "template":{"spec":{"$setElementOrder/containers":[{"name":"web"}],
       "containers":[{"$setElementOrder/env":[{"name":"B"}],"$setElementOrder/ports":[{"containerPort":80}],
          "env":[{"$patch":"delete","name":"A"}],"image":"nginx:1.25","name":"web",
          "ports":[{"$patch":"delete","containerPort":443}]},
         {"$patch":"delete","name":"sidecar"}]}}}}
    """)
    expected = live_deployment()
    expected["metadata"]["labels"] = {"app": "web"}
    expected["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] = '{"new":true}\n'
    del expected["spec"]["replicas"]
    expected["spec"]["strategy"] = {"type": "Recreate"}
    expected["spec"]["template"]["spec"]["containers"] = [
        {"name": "web", "image": "nginx:1.25",
         "env": [{"name": "B", "value": "2"}],
         "ports": [{"containerPort": 80, "protocol": "TCP"}],
         "imagePullPolicy": "IfNotPresent",
         "terminationMessagePath": "/dev/termination-log"},
    ]

    assert smp_deployment(patch) == expected


def test_kubectl_set_image_changes_one_container_and_keeps_the_others():
    patch = {"spec": {"template": {"spec": {"$setElementOrder/containers": [{"name": "web"}],
                                            "containers": [{"image": "nginx:1.25", "name": "web"}]}}}}
    expected = live_deployment()
    expected["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.25"

    assert smp_deployment(patch) == expected


def test_kubectl_rollout_restart_adds_a_template_annotation():
    patch = {"spec": {"template": {"metadata": {"annotations": {
        "kubectl.kubernetes.io/restartedAt": "2026-02-03T04:05:06Z"}}}}}
    expected = live_deployment()
    expected["spec"]["template"]["metadata"]["annotations"] = {
        "kubectl.kubernetes.io/restartedAt": "2026-02-03T04:05:06Z"}

    assert smp_deployment(patch) == expected


def test_set_element_order_reorders_containers():
    patch = {"spec": {"template": {"spec": {
        "$setElementOrder/containers": [{"name": "sidecar"}, {"name": "web"}]}}}}
    result = smp_deployment(patch)

    live = live_deployment()["spec"]["template"]["spec"]["containers"]
    assert result["spec"]["template"]["spec"]["containers"] == [live[1], live[0]]


def test_set_element_order_keeps_server_only_items_near_their_live_neighbours():
    # strategicpatch's "set elements order in a list with server-only items 3", on container env.
    live = live_deployment()
    live["spec"]["template"]["spec"]["containers"][0]["env"] = [
        {"name": "1", "value": "a"}, {"name": "2", "value": "b"}, {"name": "7"}, {"name": "9"},
        {"name": "8"}, {"name": "3"}, {"name": "4"}]
    patch = {"spec": {"template": {"spec": {"containers": [{
        "name": "web", "$setElementOrder/env": [{"name": "2"}, {"name": "1"}, {"name": "4"}, {"name": "3"}]}]}}}}

    env = smp_deployment(patch, live)["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env == [{"name": "2", "value": "b"}, {"name": "1", "value": "a"}, {"name": "7"},
                   {"name": "9"}, {"name": "8"}, {"name": "4"}, {"name": "3"}]


def test_set_element_order_places_a_new_item_where_it_is_listed():
    patch = {"spec": {"template": {"spec": {
        "$setElementOrder/containers": [{"name": "web"}, {"name": "log"}, {"name": "sidecar"}],
        "containers": [{"name": "log", "image": "fluentd"}]}}}}

    names = [c["name"] for c in smp_deployment(patch)["spec"]["template"]["spec"]["containers"]]
    assert names == ["web", "log", "sidecar"]


def test_new_list_items_without_set_element_order_go_before_the_live_items():
    # As the apiserver does (kubectl patch docs: the added redis container comes out first).
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "log", "image": "fluentd"}]}}}}
    containers = smp_deployment(patch)["spec"]["template"]["spec"]["containers"]

    live = live_deployment()["spec"]["template"]["spec"]["containers"]
    assert containers == [{"name": "log", "image": "fluentd"}, live[0], live[1]]


def test_merged_list_item_keeps_fields_the_patch_does_not_mention():
    patch = {"spec": {"template": {"spec": {"containers": [
        {"name": "web", "env": [{"name": "B", "value": "20"}, {"name": "C", "value": "3"}],
         "ports": [{"containerPort": 80, "name": "http"}]}]}}}}
    web = smp_deployment(patch)["spec"]["template"]["spec"]["containers"][0]

    assert web["env"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "20"}, {"name": "C", "value": "3"}]
    assert web["ports"] == [{"containerPort": 80, "protocol": "TCP", "name": "http"},
                            {"containerPort": 443, "protocol": "TCP"}]
    assert web["image"] == "nginx:1.24"


# --- strategic merge: directives -----------------------------------------------------------------

def test_null_deletes_keys_at_any_depth_and_is_not_stored_for_absent_keys():
    patch = {"metadata": {"labels": {"tier": None, "missing": None}},
             "spec": {"revisionHistoryLimit": None, "paused": None,
                      "template": {"spec": {"containers": [{"name": "sidecar", "args": None}]}}},
             "status": None}
    expected = live_deployment()
    del expected["metadata"]["labels"]["tier"]
    del expected["spec"]["revisionHistoryLimit"]
    del expected["spec"]["template"]["spec"]["containers"][1]["args"]
    del expected["status"]

    assert smp_deployment(patch) == expected


def test_new_map_from_a_patch_loses_its_nulls_and_directives():
    patch = {"spec": {"template": {"spec": {"affinity": {"nodeAffinity": None, "podAffinity": {
        "$retainKeys": ["x"], "x": 1}}}}}}
    spec = smp_deployment(patch)["spec"]["template"]["spec"]

    assert spec["affinity"] == {"podAffinity": {"x": 1}}


def test_retain_keys_clears_rolling_update_when_switching_to_recreate():
    patch = {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}
    expected = live_deployment()
    expected["spec"]["strategy"] = {"type": "Recreate"}

    assert smp_deployment(patch) == expected


def test_retain_keys_keeps_listed_keys_and_merges_into_them():
    patch = {"spec": {"strategy": {"$retainKeys": ["type", "rollingUpdate"],
                                   "rollingUpdate": {"maxSurge": 1}}}}
    strategy = smp_deployment(patch)["spec"]["strategy"]

    assert strategy == {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": "25%"}}


def test_retain_keys_rejects_a_patch_key_it_does_not_list():
    patch = {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate",
                                   "rollingUpdate": {"maxSurge": 1}}}}
    with pytest.raises(errors.BadRequest, match="invalid patch format of retainKeys"):
        smp_deployment(patch)


def test_patch_replace_on_a_map_replaces_it_wholly():
    patch = {"metadata": {"labels": {"$patch": "replace", "app": "web", "team": "blue"}}}
    expected = live_deployment()
    expected["metadata"]["labels"] = {"app": "web", "team": "blue"}

    assert smp_deployment(patch) == expected


def test_patch_replace_in_a_merging_list_replaces_the_list_wholly():
    patch = {"spec": {"template": {"spec": {"containers": [
        {"$patch": "replace"}, {"name": "only", "image": "alpine"}]}}}}
    containers = smp_deployment(patch)["spec"]["template"]["spec"]["containers"]

    assert containers == [{"name": "only", "image": "alpine"}]


def test_patch_replace_with_no_items_empties_the_list():
    patch = {"spec": {"template": {"spec": {"containers": [{"$patch": "replace"}]}}}}
    assert smp_deployment(patch)["spec"]["template"]["spec"]["containers"] == []


def test_patch_delete_on_a_map_empties_it_as_the_apiserver_does():
    # strategicpatch "delete map from nested map": the key stays, holding {}.
    patch = {"spec": {"strategy": {"rollingUpdate": {"$patch": "delete"}}, "absent": {"$patch": "delete"}}}
    result = smp_deployment(patch)

    assert result["spec"]["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {}}
    assert "absent" not in result["spec"]


def test_patch_delete_removes_every_item_with_that_merge_key():
    live = live_deployment()
    live["spec"]["template"]["spec"]["containers"][0]["env"].append({"name": "A", "value": "dup"})
    patch = {"spec": {"template": {"spec": {"containers": [
        {"name": "web", "env": [{"$patch": "delete", "name": "A"}]}]}}}}

    env = smp_deployment(patch, live)["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env == [{"name": "B", "value": "2"}]


def test_finalizers_merge_as_a_set_keeping_live_order():
    live = live_deployment()
    live["metadata"]["finalizers"] = ["a.io/x", "b.io/y"]
    patch = {"metadata": {"finalizers": ["b.io/y", "c.io/z"]}}

    assert smp_deployment(patch, live)["metadata"]["finalizers"] == ["a.io/x", "b.io/y", "c.io/z"]


def test_delete_from_primitive_list_removes_finalizers():
    live = live_deployment()
    live["metadata"]["finalizers"] = ["a.io/x", "b.io/y", "c.io/z"]
    patch = {"metadata": {"$deleteFromPrimitiveList/finalizers": ["b.io/y", "not.there/q"]}}

    assert smp_deployment(patch, live)["metadata"]["finalizers"] == ["a.io/x", "c.io/z"]


def test_delete_from_primitive_list_never_creates_the_list():
    patch = {"metadata": {"$deleteFromPrimitiveList/finalizers": ["a.io/x"]}}
    assert smp_deployment(patch) == live_deployment()


def test_kubectl_apply_reorders_adds_and_deletes_finalizers_in_one_patch():
    live = live_deployment()
    live["metadata"]["finalizers"] = ["a.io/x", "b.io/y", "server.io/s"]
    patch = {"metadata": {"$setElementOrder/finalizers": ["c.io/z", "a.io/x"],
                          "$deleteFromPrimitiveList/finalizers": ["b.io/y"],
                          "finalizers": ["c.io/z"]}}

    assert smp_deployment(patch, live)["metadata"]["finalizers"] == ["c.io/z", "a.io/x", "server.io/s"]


def test_delete_from_primitive_list_works_on_a_list_without_merge_strategy():
    patch = {"spec": {"template": {"spec": {"containers": [
        {"name": "sidecar", "$deleteFromPrimitiveList/args": ["3600"]}]}}}}
    sidecar = smp_deployment(patch)["spec"]["template"]["spec"]["containers"][1]

    assert sidecar["args"] == ["sleep"]


# --- strategic merge: the field table ------------------------------------------------------------

def test_lists_without_a_merge_strategy_are_replaced_whole():
    live = live_deployment()
    live["spec"]["template"]["spec"]["tolerations"] = [{"key": "a", "operator": "Exists"}]
    patch = {"spec": {"template": {"spec": {
        "tolerations": [{"key": "b", "operator": "Exists"}],
        "containers": [{"name": "sidecar", "args": ["sleep", "60"]}]}}}}
    spec = smp_deployment(patch, live)["spec"]["template"]["spec"]

    assert spec["tolerations"] == [{"key": "b", "operator": "Exists"}]
    assert spec["containers"][1]["args"] == ["sleep", "60"]


def test_merge_keys_depend_on_kind_and_path():
    # `spec.ports` merges by port in a Service, but the same path in a ConfigMap is just data.
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
               "spec": {"ports": [{"port": 80, "targetPort": 8080, "protocol": "TCP"}]}}
    patch = {"spec": {"ports": [{"port": 80, "name": "http"}, {"port": 443}]}}

    assert strategic_merge(service, patch, "Service", "v1")["spec"]["ports"] == [
        {"port": 80, "targetPort": 8080, "protocol": "TCP", "name": "http"}, {"port": 443}]
    other = dict(service, kind="ConfigMap")
    assert strategic_merge(other, patch, "ConfigMap", "v1")["spec"]["ports"] == patch["spec"]["ports"]
    # A Deployment's containers live under spec.template.spec, not spec.
    deploy = {"spec": {"containers": [{"name": "a", "image": "x"}]}}
    assert strategic_merge(deploy, {"spec": {"containers": [{"name": "b"}]}}, "Deployment", "apps/v1") == {
        "spec": {"containers": [{"name": "b"}]}}


def test_pod_lists_merge_by_their_upstream_keys():
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {
               "name": "p", "ownerReferences": [{"uid": "u1", "name": "rs-a", "kind": "ReplicaSet"}]},
           "spec": {"containers": [{"name": "c", "image": "x",
                                    "volumeMounts": [{"mountPath": "/data", "name": "data"}]}],
                    "volumes": [{"name": "data", "emptyDir": {}}],
                    "hostAliases": [{"ip": "10.0.0.1", "hostnames": ["a"]}],
                    "topologySpreadConstraints": [{"topologyKey": "zone", "maxSkew": 1}]},
           "status": {"conditions": [{"type": "Ready", "status": "False"}],
                      "containerStatuses": [{"name": "c", "ready": False}]}}
    patch = {"metadata": {"ownerReferences": [{"uid": "u1", "controller": True}]},
             "spec": {"containers": [{"name": "c", "volumeMounts": [{"mountPath": "/cache", "name": "cache"}]}],
                      "volumes": [{"name": "cache", "emptyDir": {}}],
                      "hostAliases": [{"ip": "10.0.0.1", "hostnames": ["b"]}],
                      "topologySpreadConstraints": [{"topologyKey": "zone", "maxSkew": 2}]},
             "status": {"conditions": [{"type": "PodScheduled", "status": "True"}],
                        "containerStatuses": [{"name": "c", "ready": True, "restartCount": 0}]}}
    result = strategic_merge(pod, patch, "Pod", "v1")

    assert result == {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "p", "ownerReferences": [
            {"uid": "u1", "name": "rs-a", "kind": "ReplicaSet", "controller": True}]},
        "spec": {"containers": [{"name": "c", "image": "x", "volumeMounts": [
                     {"mountPath": "/cache", "name": "cache"}, {"mountPath": "/data", "name": "data"}]}],
                 "volumes": [{"name": "cache", "emptyDir": {}}, {"name": "data", "emptyDir": {}}],
                 "hostAliases": [{"ip": "10.0.0.1", "hostnames": ["b"]}],
                 "topologySpreadConstraints": [{"topologyKey": "zone", "maxSkew": 2}]},
        "status": {"conditions": [{"type": "PodScheduled", "status": "True"},
                                  {"type": "Ready", "status": "False"}],
                   "containerStatuses": [{"name": "c", "ready": True, "restartCount": 0}]},
    }


def test_volumes_honour_retain_keys_when_switching_volume_source():
    pod = {"kind": "Pod", "spec": {"volumes": [{"name": "data", "emptyDir": {"medium": "Memory"}}]}}
    patch = {"spec": {"$setElementOrder/volumes": [{"name": "data"}], "volumes": [
        {"$retainKeys": ["name", "hostPath"], "name": "data", "hostPath": {"path": "/srv"}}]}}

    assert strategic_merge(pod, patch, "Pod", "v1") == {
        "kind": "Pod", "spec": {"volumes": [{"name": "data", "hostPath": {"path": "/srv"}}]}}


def test_node_conditions_and_addresses_merge_by_type_but_taints_are_replaced():
    node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"},
            "spec": {"taints": [{"key": "a", "effect": "NoSchedule"}]},
            "status": {"conditions": [{"type": "Ready", "status": "True"},
                                      {"type": "MemoryPressure", "status": "False"}],
                       "addresses": [{"type": "InternalIP", "address": "10.0.0.1"},
                                     {"type": "Hostname", "address": "n1"}]}}
    patch = {"spec": {"taints": [{"key": "b", "effect": "NoExecute"}]},
             "status": {"conditions": [{"type": "Ready", "status": "Unknown"}],
                        "addresses": [{"type": "InternalIP", "address": "10.0.0.9"}]}}
    result = strategic_merge(node, patch, "Node", "v1")

    assert result["spec"]["taints"] == [{"key": "b", "effect": "NoExecute"}]
    assert result["status"] == {
        "conditions": [{"type": "Ready", "status": "Unknown"}, {"type": "MemoryPressure", "status": "False"}],
        "addresses": [{"type": "InternalIP", "address": "10.0.0.9"}, {"type": "Hostname", "address": "n1"}]}


def test_endpoint_slices_and_endpoints_subsets_are_replaced():
    eps = {"kind": "Endpoints", "subsets": [{"addresses": [{"ip": "10.1.0.1"}]}]}
    patch = {"subsets": [{"addresses": [{"ip": "10.1.0.2"}]}]}
    assert strategic_merge(eps, patch, "Endpoints", "v1")["subsets"] == patch["subsets"]

    slice_ = {"kind": "EndpointSlice", "endpoints": [{"addresses": ["10.1.0.1"]}]}
    patch = {"endpoints": [{"addresses": ["10.1.0.2"]}]}
    assert strategic_merge(slice_, patch, "EndpointSlice", "discovery.k8s.io/v1")["endpoints"] == patch["endpoints"]


# --- strategic merge: malformed patches ----------------------------------------------------------

@pytest.mark.parametrize("patch, message", [
    pytest.param({"spec": {"template": {"spec": {"containers": [{"$patch": "delete"}]}}}},
                 "does not contain declared merge key: name", id="delete-without-merge-key"),
    pytest.param({"spec": {"template": {"spec": {"containers": [{"image": "x"}]}}}},
                 "does not contain declared merge key: name", id="item-without-merge-key"),
    pytest.param({"spec": {"strategy": {"$patch": "frobnicate"}}},
                 "unknown patch type: frobnicate", id="unknown-map-directive"),
    pytest.param({"spec": {"template": {"spec": {
        "$setElementOrder/containers": [{"name": "sidecar"}, {"name": "web"}],
        "containers": [{"name": "web"}, {"name": "sidecar"}]}}}},
                 "doesn't match \\$setElementOrder list", id="order-contradicts-patch"),
    pytest.param({"metadata": {"$deleteFromPrimitiveList/finalizers": "a"}},
                 "invalid patch format of primitive list", id="delete-list-not-a-list"),
])
def test_malformed_strategic_patches_are_bad_requests(patch, message):
    with pytest.raises(errors.BadRequest, match=message):
        smp_deployment(patch)


def test_strategic_patch_must_be_an_object():
    with pytest.raises(errors.BadRequest):
        strategic_merge(live_deployment(), ["not", "a", "map"], "Deployment", "apps/v1")


# --- JSON merge patch ----------------------------------------------------------------------------

def test_kubectl_scale_merge_patch_sets_replicas():
    expected = live_deployment()
    expected["spec"]["replicas"] = 3

    assert json_merge(live_deployment(), {"spec": {"replicas": 3}}) == expected


def test_merge_patch_merges_maps_deletes_nulls_and_replaces_lists():
    patch = {"metadata": {"labels": {"tier": None, "team": "blue"}, "annotations": None},
             "spec": {"template": {"spec": {"containers": [{"name": "only"}]}},
                      "strategy": {"rollingUpdate": {"maxSurge": None}, "extra": {"a": None, "b": 1}}}}
    expected = live_deployment()
    expected["metadata"]["labels"] = {"app": "web", "team": "blue"}
    del expected["metadata"]["annotations"]
    expected["spec"]["template"]["spec"]["containers"] = [{"name": "only"}]
    expected["spec"]["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%"},
                                    "extra": {"b": 1}}

    assert json_merge(live_deployment(), patch) == expected


def test_merge_patch_must_be_an_object():
    with pytest.raises(errors.BadRequest):
        json_merge(live_deployment(), [1, 2])


# --- JSON patch ----------------------------------------------------------------------------------

def test_kubectl_rollout_undo_json_patch_replaces_template_and_annotations():
    old_template = {"metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "web", "image": "nginx:1.23"}]}}
    ops = [{"op": "replace", "path": "/spec/template", "value": old_template},
           {"op": "replace", "path": "/metadata/annotations",
            "value": {"deployment.kubernetes.io/revision": "1"}}]
    expected = live_deployment()
    expected["spec"]["template"] = old_template
    expected["metadata"]["annotations"] = {"deployment.kubernetes.io/revision": "1"}

    result = json_patch(live_deployment(), ops)
    assert result == expected
    result["spec"]["template"]["spec"]["containers"][0]["image"] = "changed"
    assert old_template["spec"]["containers"][0]["image"] == "nginx:1.23"


def test_json_patch_applies_every_operation_in_order():
    doc = {"metadata": {"annotations": {"a/b": "1", "m~n": "2"}},
           "spec": {"list": [1, 2, 3], "keep": {"x": 1}}}
    ops = [
        {"op": "add", "path": "/spec/list/-", "value": 4},
        {"op": "add", "path": "/spec/list/0", "value": 0},
        {"op": "remove", "path": "/spec/list/2"},
        {"op": "replace", "path": "/metadata/annotations/a~1b", "value": "one"},
        {"op": "test", "path": "/metadata/annotations/m~0n", "value": "2"},
        {"op": "move", "from": "/metadata/annotations/m~0n", "path": "/spec/moved"},
        {"op": "copy", "from": "/spec/keep", "path": "/spec/copied"},
        {"op": "add", "path": "/spec/copied/y", "value": None},
        {"op": "test", "path": "/spec/list", "value": [0, 1, 3, 4]},
    ]
    assert json_patch(doc, ops) == {
        "metadata": {"annotations": {"a/b": "one"}},
        "spec": {"list": [0, 1, 3, 4], "keep": {"x": 1}, "moved": "2", "copied": {"x": 1, "y": None}},
    }


@pytest.mark.parametrize("ops, message", [
    pytest.param([{"op": "replace", "path": "/spec/nope", "value": 1}],
                 'replace operation does not apply: doc is missing path: "/spec/nope"', id="replace-missing"),
    pytest.param([{"op": "remove", "path": "/metadata/labels/nope"}],
                 'remove operation does not apply: doc is missing path: "/metadata/labels/nope"', id="remove-missing"),
    pytest.param([{"op": "add", "path": "/spec/nope/deeper", "value": 1}],
                 'add operation does not apply: doc is missing path: "/spec/nope/deeper"', id="add-no-parent"),
    pytest.param([{"op": "add", "path": "/spec/template/spec/containers/5", "value": {}}],
                 "invalid index", id="add-index-out-of-range"),
    pytest.param([{"op": "test", "path": "/spec/replicas", "value": 5}],
                 'testing value "/spec/replicas" failed', id="test-fails"),
    pytest.param([{"op": "test", "path": "/spec/paused", "value": False}],
                 "test operation does not apply: is missing path", id="test-missing"),
    pytest.param([{"op": "frobnicate", "path": "/spec"}], "Unexpected kind: frobnicate", id="bad-op"),
    pytest.param([{"path": "/spec"}], "Unexpected kind: unknown", id="no-op"),
    pytest.param([{"op": "add", "path": "/spec/x"}], "missing value field", id="no-value"),
    pytest.param([{"op": "remove"}], "missing path field", id="no-path"),
    pytest.param([{"op": "move", "from": "/spec/nope", "path": "/spec/x"}],
                 "doc is missing from path", id="move-missing-from"),
    pytest.param([{"op": "move", "from": "/spec", "path": "/spec/template/x"}],
                 "into its own child", id="move-into-child"),
    pytest.param([{"op": "replace", "path": "spec", "value": 1}], "must start with /", id="bad-pointer"),
])
def test_json_patch_failures_are_unprocessable(ops, message):
    live = live_deployment()
    with pytest.raises(UnprocessablePatch, match=message) as raised:
        json_patch(live, ops)
    assert raised.value.code == 422
    assert raised.value.status()["reason"] == "Invalid"
    assert live == live_deployment()


def test_json_patch_is_all_or_nothing():
    live = live_deployment()
    ops = [{"op": "replace", "path": "/spec/replicas", "value": 9},
           {"op": "test", "path": "/spec/replicas", "value": 2}]
    with pytest.raises(UnprocessablePatch):
        json_patch(live, ops)
    assert live["spec"]["replicas"] == 2


def test_json_patch_test_op_tells_booleans_from_numbers():
    with pytest.raises(UnprocessablePatch):
        json_patch({"a": True}, [{"op": "test", "path": "/a", "value": 1}])
    assert json_patch({"a": 1}, [{"op": "test", "path": "/a", "value": 1.0}]) == {"a": 1}


@pytest.mark.parametrize("ops", [{"op": "add"}, ["not an operation"], None])
def test_json_patch_that_is_not_a_list_of_operations_is_a_bad_request(ops):
    with pytest.raises(errors.BadRequest):
        json_patch(live_deployment(), ops)


# --- purity --------------------------------------------------------------------------------------

SECTION_8_2_PATCH = {
    "metadata": {"labels": {"tier": None}},
    "spec": {"replicas": None,
             "strategy": {"$retainKeys": ["type"], "rollingUpdate": None, "type": "Recreate"},
             "template": {"spec": {
                 "$setElementOrder/containers": [{"name": "web"}, {"name": "new"}],
                 "containers": [{"$setElementOrder/env": [{"name": "B"}], "env": [{"$patch": "delete", "name": "A"}],
                                 "name": "web", "ports": [{"$patch": "delete", "containerPort": 443}]},
                                {"$patch": "delete", "name": "sidecar"},
                                {"name": "new", "env": [{"name": "X", "value": "1"}]}]}}}}


@pytest.mark.parametrize("apply, patch", [
    pytest.param(lambda o, p: strategic_merge(o, p, "Deployment", "apps/v1"), SECTION_8_2_PATCH, id="strategic"),
    pytest.param(json_merge, {"metadata": {"labels": {"tier": None}}, "spec": {"strategy": {"x": {"y": 1}}}},
                 id="merge"),
    pytest.param(json_patch, [{"op": "add", "path": "/spec/template/spec/containers/-",
                               "value": {"name": "new", "env": []}},
                              {"op": "copy", "from": "/spec/strategy", "path": "/spec/copy"}], id="json"),
])
def test_inputs_are_never_mutated_and_results_share_nothing_with_them(apply, patch):
    live, patch_before = live_deployment(), copy.deepcopy(patch)
    result = apply(live, patch)

    assert live == live_deployment()
    assert patch == patch_before
    _scribble(result)
    assert live == live_deployment()
    assert patch == patch_before


def _scribble(v):
    """Change every map and list in `v`, so any sharing with the inputs would show."""
    if isinstance(v, dict):
        for x in list(v.values()):
            _scribble(x)
        v["scribbled"] = True
    elif isinstance(v, list):
        for x in v:
            _scribble(x)
        v.append("scribbled")
