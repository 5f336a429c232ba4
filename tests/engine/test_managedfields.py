"""Field ownership in the store: managedFields on every write, and server-side apply
(engine/managedfields.py, fielddiff.py, fieldsets.py), checked against what kube-apiserver v1.32
records."""
import pytest

from engine import errors, fieldsets, managedfields, resources as kinds


def deployment(replicas=2, image="nginx", labels=None, **spec):
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "labels": labels or {"app": "web"}},
            "spec": {**({"replicas": replicas} if replicas is not None else {}),
                     "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "nginx", "image": image,
                                                           "ports": [{"containerPort": 80}]}]}},
                     **spec}}


def entries(store, rt=kinds.DEPLOYMENT, name="web"):
    return store.get(rt, "default", name)["metadata"].get("managedFields") or []


def entry(es, manager, operation=None, subresource=None):
    return next((e for e in es if e["manager"] == manager and (operation is None or e["operation"] == operation)
                 and e.get("subresource") == subresource), None)


def fields(e):
    return e["fieldsV1"] if e else {}


# ---- Update ----------------------------------------------------------------------------------

def test_a_create_owns_what_it_sent_and_what_defaulting_added_in_the_upstream_format(cluster):
    cluster.store.create(deployment(), manager="kubectl-create")
    e = entry(entries(cluster.store), "kubectl-create", "Update")
    assert e["apiVersion"] == "apps/v1" and e["fieldsType"] == "FieldsV1" and e["time"].endswith("Z")
    f = e["fieldsV1"]
    assert "f:apiVersion" not in f and "f:kind" not in f and "f:status" not in f
    assert f["f:metadata"] == {"f:labels": {".": {}, "f:app": {}}}            # name, uid...: nobody's
    spec = f["f:spec"]
    assert "." not in spec                                   # in the zero Deployment already
    assert spec["f:selector"] == {}                          # LabelSelector is atomic
    assert spec["f:progressDeadlineSeconds"] == {}           # defaulted, owned by the creator
    assert spec["f:strategy"] == {"f:rollingUpdate": {".": {}, "f:maxSurge": {}, "f:maxUnavailable": {}},
                                  "f:type": {}}
    c = spec["f:template"]["f:spec"]["f:containers"]['k:{"name":"nginx"}']
    assert list(c)[0] == "." and c["f:image"] == {}
    assert c["f:ports"] == {".": {}, 'k:{"containerPort":80,"protocol":"TCP"}':
                            {".": {}, "f:containerPort": {}, "f:protocol": {}}}


def test_controllers_kubelets_and_status_writes_are_recorded_under_their_own_managers(cluster):
    cluster.store.create(deployment(), manager="kubectl-create")
    cluster.run_until_idle()
    es = entries(cluster.store)
    status = entry(es, "kube-controller-manager", "Update", "status")
    assert "f:status" in fields(status) and "f:spec" not in fields(status)
    assert fields(status)["f:metadata"] == {"f:annotations": {".": {}, "f:deployment.kubernetes.io/revision": {}}}
    pods, _ = cluster.store.list(kinds.POD, "default")
    pes = pods[0]["metadata"]["managedFields"]
    made = entry(pes, "kube-controller-manager", "Update")
    assert list(fields(made)["f:metadata"]["f:ownerReferences"].values())[1] == {}      # atomic items
    assert "f:volumes" not in fields(made)["f:spec"]        # added by admission plugins: nobody's
    kubelet = entry(pes, "kubelet", "Update", "status")
    assert fields(kubelet)["f:status"]["f:containerStatuses"] == {}                  # atomic list
    # Apply entries first, then Update entries oldest first
    assert [e["operation"] for e in pes] == sorted(e["operation"] for e in pes)


def test_another_manager_changing_a_field_takes_it_and_a_no_op_changes_nothing(cluster):
    s = cluster.store
    s.create(deployment(), manager="kubectl-create")
    s.patch(kinds.DEPLOYMENT, "default", "web", "merge", {"spec": {"replicas": 5}}, manager="kubectl-edit")
    es = entries(s)
    assert fields(entry(es, "kubectl-edit")) == {"f:spec": {"f:replicas": {}}}
    assert "f:replicas" not in fields(entry(es, "kubectl-create"))["f:spec"]
    rv = s.get(kinds.DEPLOYMENT, "default", "web")["metadata"]["resourceVersion"]
    s.patch(kinds.DEPLOYMENT, "default", "web", "merge", {"spec": {"replicas": 5}}, manager="someone")
    assert s.get(kinds.DEPLOYMENT, "default", "web")["metadata"]["resourceVersion"] == rv
    assert entry(entries(s), "someone") is None


def test_the_scale_subresource_records_only_replicas(cluster):
    s = cluster.store
    s.create(deployment(), manager="kubectl-create")
    s.patch(kinds.DEPLOYMENT, "default", "web", "merge", {"spec": {"replicas": 4}}, subresource="scale", manager="kubectl")
    e = entry(entries(s), "kubectl", "Update", "scale")
    assert e["fieldsV1"] == {"f:spec": {"f:replicas": {}}} and e["apiVersion"] == "apps/v1"


def test_sent_managed_fields_replace_the_live_ones_and_an_empty_list_resets_them(cluster):
    s = cluster.store
    s.create(deployment(), manager="kubectl-create")
    live = s.get(kinds.DEPLOYMENT, "default", "web")
    mine = [dict(entries(s)[0], manager="renamed")]
    s.update({**live, "metadata": {**live["metadata"], "managedFields": mine}}, manager="x")
    assert [e["manager"] for e in entries(s)] == ["renamed"]
    live = s.get(kinds.DEPLOYMENT, "default", "web")
    s.update({**live, "metadata": {**live["metadata"], "managedFields": []}}, manager="x")
    assert entries(s) == []
    # untracked objects stay untracked until someone applies
    s.patch(kinds.DEPLOYMENT, "default", "web", "merge", {"spec": {"replicas": 7}}, manager="y")
    assert entries(s) == []


def test_entries_a_client_sends_with_a_create_are_kept_and_the_creator_added(cluster):
    s = cluster.store
    given = {"manager": "importer", "operation": "Apply", "apiVersion": "apps/v1", "time": "2025-01-01T00:00:00Z",
             "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:paused": {}}}}
    s.create({**deployment(), "metadata": {**deployment()["metadata"], "managedFields": [given]}}, manager="restore")
    es = entries(s)
    assert entry(es, "importer", "Apply") == given and entry(es, "restore", "Update") is not None
    s.create({**deployment(), "metadata": {"name": "web2", "managedFields": [{"operation": "Bogus"}]}},
             manager="restore")
    assert [e["manager"] for e in entries(s, name="web2")] == ["restore"]      # invalid entries: ignored


def test_more_than_ten_update_managers_fold_the_oldest_into_ancient_changes(cluster):
    s = cluster.store
    s.create(deployment(), manager="m0")
    for i in range(1, 13):
        cluster.clock.advance(1)
        s.patch(kinds.DEPLOYMENT, "default", "web", "merge", {"metadata": {"labels": {f"l{i}": "x"}}}, manager=f"m{i}")
    es = entries(s)
    assert len([e for e in es if e["operation"] == "Update"]) == 10
    assert entry(es, "ancient-changes") is not None


# ---- Apply -----------------------------------------------------------------------------------

def test_apply_creates_and_records_only_what_was_applied(cluster):
    s = cluster.store
    obj, created = s.apply(kinds.DEPLOYMENT, "default", "web", deployment(), manager="kubectl")
    assert created and obj["spec"]["progressDeadlineSeconds"] == 600          # admitted as any write
    (e,) = entries(s)
    assert e["manager"] == "kubectl" and e["operation"] == "Apply"
    assert "f:progressDeadlineSeconds" not in e["fieldsV1"]["f:spec"]
    assert e["fieldsV1"]["f:metadata"] == {"f:labels": {"f:app": {}}}         # no '.' in an applied set


def test_a_conflict_is_refused_with_the_apiservers_text_and_nothing_changes(cluster):
    s = cluster.store
    s.create(deployment(), manager="kubectl-client-side-apply")
    rv = s.get(kinds.DEPLOYMENT, "default", "web")["metadata"]["resourceVersion"]
    with pytest.raises(managedfields.ApplyConflict) as e:
        s.apply(kinds.DEPLOYMENT, "default", "web", deployment(replicas=3), manager="ops")
    assert e.value.code == 409
    assert e.value.message == ('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" '
                               'using apps/v1: .spec.replicas')
    assert e.value.status()["details"]["causes"] == [
        {"reason": "FieldManagerConflict", "field": ".spec.replicas",
         "message": 'conflict with "kubectl-client-side-apply" using apps/v1'}]
    assert s.get(kinds.DEPLOYMENT, "default", "web")["metadata"]["resourceVersion"] == rv
    with pytest.raises(managedfields.ApplyConflict) as e:
        s.apply(kinds.DEPLOYMENT, "default", "web", deployment(replicas=3, image="busybox"), manager="ops")
    assert e.value.message == ('Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:\n'
                               '- .spec.replicas\n'
                               '- .spec.template.spec.containers[name="nginx"].image')


def test_force_takes_the_fields_and_the_same_value_is_shared_without_conflict(cluster):
    s = cluster.store
    s.create(deployment(), manager="kubectl-client-side-apply")
    s.apply(kinds.DEPLOYMENT, "default", "web", deployment(replicas=2), manager="same")      # equal value: co-owned
    es = entries(s)
    assert "f:replicas" in fields(entry(es, "same", "Apply"))["f:spec"]
    assert "f:replicas" in fields(entry(es, "kubectl-client-side-apply"))["f:spec"]
    s.apply(kinds.DEPLOYMENT, "default", "web", deployment(replicas=3), manager="ops", force=True)
    es = entries(s)
    assert "f:replicas" not in fields(entry(es, "kubectl-client-side-apply"))["f:spec"]
    assert "f:replicas" not in fields(entry(es, "same", "Apply"))["f:spec"]
    assert s.get(kinds.DEPLOYMENT, "default", "web")["spec"]["replicas"] == 3


def test_fields_a_manager_stops_applying_go_unless_another_manager_owns_them(cluster):
    s = cluster.store
    s.apply(kinds.DEPLOYMENT, "default", "web", deployment(labels={"app": "web", "a": "1", "b": "2"}), manager="me")
    s.apply(kinds.DEPLOYMENT, "default", "web", {"apiVersion": "apps/v1", "kind": "Deployment",
                                             "metadata": {"name": "web", "labels": {"b": "2"}}}, manager="other")
    s.apply(kinds.DEPLOYMENT, "default", "web", deployment(labels={"app": "web"}), manager="me")
    assert s.get(kinds.DEPLOYMENT, "default", "web")["metadata"]["labels"] == {"app": "web", "b": "2"}


def test_list_items_merge_by_key_and_dry_run_writes_nothing(cluster):
    s = cluster.store
    s.apply(kinds.DEPLOYMENT, "default", "web", deployment(), manager="me")
    side = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"template": {"spec": {"containers": [{"name": "sidecar", "image": "busybox"}]}}}}
    rv = s.get(kinds.DEPLOYMENT, "default", "web")["metadata"]["resourceVersion"]
    out, _ = s.apply(kinds.DEPLOYMENT, "default", "web", side, manager="mesh", dry_run=True)
    assert [c["name"] for c in out["spec"]["template"]["spec"]["containers"]] == ["nginx", "sidecar"]
    assert s.get(kinds.DEPLOYMENT, "default", "web")["metadata"]["resourceVersion"] == rv
    s.apply(kinds.DEPLOYMENT, "default", "web", side, manager="mesh")
    d = s.get(kinds.DEPLOYMENT, "default", "web")
    assert [c["name"] for c in d["spec"]["template"]["spec"]["containers"]] == ["nginx", "sidecar"]
    assert list(fields(entry(entries(s), "mesh", "Apply"))["f:spec"]["f:template"]["f:spec"]["f:containers"]) == \
        ['k:{"name":"sidecar"}']


def test_bad_apply_requests_are_refused(cluster):
    s = cluster.store
    with pytest.raises(errors.BadRequest, match="metadata.managedFields must be nil"):
        cfg = deployment()
        cfg["metadata"]["managedFields"] = []
        s.apply(kinds.DEPLOYMENT, "default", "web", cfg, manager="me")
    with pytest.raises(errors.BadRequest, match="Incorrect version specified in apply patch"):
        s.apply(kinds.DEPLOYMENT, "default", "web", {**deployment(), "apiVersion": "apps/v1beta1"}, manager="me")
    with pytest.raises(errors.Invalid):
        s.apply(kinds.DEPLOYMENT, "default", "web", deployment(replicas=-1), manager="me")
    assert s.try_get(kinds.DEPLOYMENT, "default", "web") is None


# ---- the sets themselves -----------------------------------------------------------------------

def test_set_algebra_keeps_membership_and_children_apart():
    a = {"f:spec": {".": {}, "f:replicas": {}, "f:paused": {}}}
    b = {"f:spec": {"f:replicas": {}}}
    assert fieldsets.difference(a, b) == {"f:spec": {".": {}, "f:paused": {}}}
    assert fieldsets.difference(a, {"f:spec": {}}) == {"f:spec": {"f:replicas": {}, "f:paused": {}}}
    assert fieldsets.intersection(a, b) == b
    assert fieldsets.union(b, {"f:spec": {}}) == {"f:spec": {".": {}, "f:replicas": {}}}
    assert fieldsets.difference(b, {"f:x": {}}) is b                     # untouched sets stay shared
    assert fieldsets.paths({"f:spec": {".": {}, "f:b": {}, "f:a": {"f:c": {}}}}) == \
        [("f:spec",), ("f:spec", "f:b"), ("f:spec", "f:a", "f:c")]


def test_paths_print_as_fieldpath_does():
    assert fieldsets.path_string(["f:spec", "f:template", "f:spec", "f:containers", 'k:{"name":"nginx"}', "f:image"]) == \
        '.spec.template.spec.containers[name="nginx"].image'
    assert fieldsets.path_string(["f:spec", "f:ports", 'k:{"port":80,"protocol":"TCP"}']) == '.spec.ports[port=80,protocol="TCP"]'
    assert fieldsets.path_string(["f:metadata", "f:finalizers", 'v:"a/b"']) == '.metadata.finalizers[="a/b"]'
