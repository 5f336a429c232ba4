"""CustomResourceDefinitions in the engine: the CRD's own validation texts, establishing, custom
objects against their structural schema (validation texts, pruning, defaulting), the status and
scale subresources' rules, the cleanup finalizer, and CRDs kept across a restart."""
from __future__ import annotations

import copy
from fractions import Fraction

import pytest
import test_hpa_controller as hpa_helpers

from engine import api_warnings, crd_paths, crds, errors
from engine import resources as kinds
from engine.clock import ManualClock
from engine.store import Store

SCHEMA = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "required": ["image"],
            "properties": {
                "cronSpec": {"type": "string", "pattern": r"^(\d+|\*)(/\d+)?(\s+(\d+|\*)(/\d+)?){4}$",
                             "default": "5 0 * * *"},
                "image": {"type": "string", "minLength": 2, "maxLength": 30},
                "replicas": {"type": "integer", "minimum": 1, "maximum": 10, "default": 1},
                "mode": {"type": "string", "enum": ["fast", "slow"]},
                "when": {"type": "string", "format": "date-time"},
                "tags": {"type": "array", "minItems": 1, "maxItems": 2, "items": {"type": "string"}},
                "port": {"x-kubernetes-int-or-string": True},
                "note": {"type": "string", "nullable": True},
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "template": {"type": "object", "x-kubernetes-embedded-resource": True,
                             "x-kubernetes-preserve-unknown-fields": True},
            },
        },
        "status": {"type": "object", "properties": {"replicas": {"type": "integer"},
                                                     "selector": {"type": "string"}}},
    },
}


def _crd(**over) -> dict:
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "crontabs.stable.example.com"},
           "spec": {"group": "stable.example.com", "scope": "Namespaced",
                    "names": {"plural": "crontabs", "singular": "crontab", "kind": "CronTab", "shortNames": ["ct"]},
                    "versions": [{"name": "v1", "served": True, "storage": True,
                                  "schema": {"openAPIV3Schema": copy.deepcopy(SCHEMA)},
                                  "subresources": {"status": {}, "scale": {
                                      "specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas",
                                      "labelSelectorPath": ".status.selector"}}}]}}
    crd["spec"].update(over)
    return crd


def _ct(name="x", **spec) -> dict:
    return {"apiVersion": "stable.example.com/v1", "kind": "CronTab",
            "metadata": {"name": name, "namespace": "default"}, "spec": dict({"image": "img"}, **spec)}


@pytest.fixture(autouse=True)
def no_custom_types_left_behind():
    """The served-types registry is process-wide: leave it as the other tests expect it."""
    yield
    crds.reset(())


@pytest.fixture
def store(cluster):
    cluster.store.create(_crd())
    return cluster.store


def _invalid(store, obj) -> list[str]:
    with pytest.raises(errors.Invalid) as e:
        store.create(obj)
    return [str(f) for f in e.value.errors] if hasattr(e.value, "errors") else [e.value.message]


def _messages(e: errors.ApiError) -> list[str]:
    return [f'{c["field"]}: {c["message"]}' for c in e.status()["details"]["causes"]]


def test_a_crd_is_established_at_once_with_its_names_and_finalizer(store):
    crd = store.get(kinds.CRD, "", "crontabs.stable.example.com")
    conds = {c["type"]: (c["status"], c["reason"], c["message"]) for c in crd["status"]["conditions"]}
    assert conds == {"NamesAccepted": ("True", "NoConflicts", "no conflicts found"),
                     "Established": ("True", "InitialNamesAccepted", "the initial names have been accepted")}
    assert crd["status"]["acceptedNames"] == {"kind": "CronTab", "listKind": "CronTabList", "plural": "crontabs",
                                              "shortNames": ["ct"], "singular": "crontab"}
    assert crd["status"]["storedVersions"] == ["v1"]
    assert crd["metadata"]["finalizers"] == ["customresourcecleanup.apiextensions.k8s.io"]
    assert crd["spec"]["names"]["listKind"] == "CronTabList" and crd["spec"]["conversion"] == {"strategy": "None"}
    rt = kinds.lookup("stable.example.com", "crontabs")
    assert rt is not None and rt.short_names == ("ct",) and rt.namespaced and rt.subresources == ("status", "scale")
    assert kinds.is_custom(rt) and not kinds.is_custom(kinds.POD)


@pytest.mark.parametrize("change, want", [
    (lambda c: c["spec"]["versions"][0]["schema"]["openAPIV3Schema"].pop("type"),
     "spec.validation.openAPIV3Schema.type: Required value: must not be empty at the root"),
    (lambda c: c["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"].pop("type"),
     "spec.validation.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields"),
    (lambda c: c["spec"]["versions"][0].pop("schema"),
     "spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required"),
    (lambda c: c["spec"]["versions"][0].update(storage=False),
     "must have exactly one version marked as storage version"),
    (lambda c: c["spec"].update(group="example"),
     'spec.group: Invalid value: "example": should be a domain with at least one dot'),
    (lambda c: c["spec"].update(scope="Global"),
     'spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"'),
    (lambda c: c["metadata"].update(name="crontab.stable.example.com"),
     'metadata.name: Invalid value: "crontab.stable.example.com": must be spec.names.plural+"."+spec.group'),
    (lambda c: c["spec"]["names"].pop("kind"), "spec.names.kind: Required value"),
    (lambda c: c["spec"].update(preserveUnknownFields=True),
     "spec.preserveUnknownFields: Invalid value: true: cannot set to true, set x-kubernetes-preserve-unknown-fields "
     "to true in spec.versions[*].schema instead"),
    (lambda c: c["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"].update(uniqueItems=True),
     "spec.validation.openAPIV3Schema.properties[spec].uniqueItems: Forbidden: uniqueItems cannot be set "
     "to true since the runtime complexity becomes quadratic"),
])
def test_crd_validation_texts(cluster, change, want):
    crd = _crd()
    change(crd)
    with pytest.raises(errors.Invalid) as e:
        cluster.store.create(crd)
    assert want in e.value.message
    assert e.value.status()["details"]["kind"] == "CustomResourceDefinition"
    assert kinds.lookup("stable.example.com", "crontabs") is None


@pytest.mark.parametrize("change, want", [
    (lambda c: c["spec"].update(versions=1),
     "json: cannot unmarshal number into Go struct field CustomResourceDefinitionSpec.spec.versions of type "
     "[]v1.CustomResourceDefinitionVersion"),
    (lambda c: c["spec"]["versions"][0].update(name=["v1"]),
     "json: cannot unmarshal array into Go struct field CustomResourceDefinitionVersion.spec.versions.name of type string"),
    (lambda c: c["spec"]["names"].update(shortNames="ct"),
     "json: cannot unmarshal string into Go struct field CustomResourceDefinitionNames.spec.names.shortNames of type []string"),
    (lambda c: c["spec"]["versions"][0].update(served="yes"),
     "json: cannot unmarshal string into Go struct field CustomResourceDefinitionVersion.spec.versions.served of type bool"),
])
def test_crd_decode_errors(cluster, change, want):
    crd = _crd()
    change(crd)
    with pytest.raises(errors.BadRequest) as e:
        cluster.store.create(crd)
    assert e.value.message == ('CustomResourceDefinition in version "v1" cannot be handled as a '
                               "CustomResourceDefinition: " + want)


def test_unknown_crd_fields_are_refused_or_dropped(cluster):
    crd = _crd()
    crd["spec"]["versions"][0]["servd"] = True
    crd["spec"]["namez"] = {}
    with pytest.raises(errors.BadRequest) as e:
        cluster.store.create(crd)
    assert e.value.message == ('CustomResourceDefinition in version "v1" cannot be handled as a CustomResourceDefinition: '
                               'strict decoding error: unknown field "spec.versions[0].servd", unknown field "spec.namez"')
    collected, token = api_warnings.begin(field_warnings=True)
    try:
        made = cluster.store.create(crd, strict=False)
    finally:
        api_warnings.end(token)
    assert collected.texts == ['unknown field "spec.versions[0].servd"', 'unknown field "spec.namez"']
    assert "servd" not in made["spec"]["versions"][0] and "namez" not in made["spec"]


def test_custom_objects_are_validated_against_the_schema_with_the_apiservers_texts(store):
    bad = _ct(cronSpec="* * * *", replicas=15, image="i", mode="medium", when="yesterday", tags=[],
              port=1.5, note=None, labels={"a": 1})
    bad["spec"]["template"] = {"metadata": {"name": "t"}}
    with pytest.raises(errors.Invalid) as e:
        store.create(bad)
    got = _messages(e.value)
    assert got == [
        "spec.cronSpec: Invalid value: \"* * * *\": spec.cronSpec in body should match "
        "'^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'",
        'spec.image: Invalid value: "i": spec.image in body should be at least 2 chars long',
        "spec.replicas: Invalid value: 15: spec.replicas in body should be less than or equal to 10",
        'spec.mode: Unsupported value: "medium": supported values: "fast", "slow"',
        'spec.when: Invalid value: "yesterday": spec.when in body must be of type date-time: "yesterday"',
        'spec.tags: Invalid value: []: spec.tags in body should have at least 1 items',
        'spec.port: Invalid value: "number": spec.port in body must be of type integer,string: "number"',
        'spec.labels.a: Invalid value: "integer": spec.labels.a in body must be of type string: "integer"',
        "spec.template.apiVersion: Required value: must not be empty",
        "spec.template.kind: Required value: must not be empty",
    ]
    assert e.value.message.startswith('CronTab.stable.example.com "x" is invalid: [spec.cronSpec: Invalid value')
    with pytest.raises(errors.Invalid) as e:
        store.create(_ct(replicas="3", image="a" * 31, tags=["a", "b", "c"], note=None))
    assert _messages(e.value) == [
        'spec.image: Too long: must have at most 30 bytes',
        'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
        "spec.tags: Too many: 3: must have at most 2 items",
    ]
    missing = _ct()
    del missing["spec"]["image"]
    with pytest.raises(errors.Invalid) as e:
        store.create(missing)
    assert _messages(e.value) == ["spec.image: Required value"]
    with pytest.raises(errors.Invalid) as e:
        store.create(dict(_ct(), metadata={"name": "Bad_Name", "namespace": "default"}))
    assert "metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain" in e.value.message
    ok = store.create(_ct(port="http", note=None, when="2026-01-01T00:00:00Z", mode="fast"))
    assert ok["spec"]["port"] == "http" and ok["spec"]["note"] is None


def test_defaults_are_filled_in_and_unknown_fields_pruned_or_refused(store):
    made = store.create(_ct(free={"any": {"thing": 1}}, template={"apiVersion": "v1", "kind": "Pod", "x": 1}),
                        strict=False)
    assert made["spec"]["cronSpec"] == "5 0 * * *" and made["spec"]["replicas"] == 1
    nulls = store.create(_ct("nulls", replicas=None, mode=None, note=None))
    assert nulls["spec"]["replicas"] == 1 and "mode" not in nulls["spec"] and nulls["spec"]["note"] is None
    assert made["spec"]["free"] == {"any": {"thing": 1}}          # preserve-unknown-fields
    assert made["spec"]["template"]["x"] == 1
    unknown = _ct("y", foo=1)
    unknown["extra"] = True
    with pytest.raises(errors.BadRequest) as e:
        store.create(unknown, strict=True)
    assert e.value.message == ('CronTab in version "v1" cannot be handled as a CronTab: strict decoding error: '
                               'unknown field "extra", unknown field "spec.foo"')
    collected, token = api_warnings.begin(field_warnings=True)
    try:
        kept = store.create(unknown, strict=False)
    finally:
        api_warnings.end(token)
    assert collected.texts == ['unknown field "extra"', 'unknown field "spec.foo"']
    assert "foo" not in kept["spec"] and "extra" not in kept


def test_status_and_spec_writes_keep_to_their_halves_and_generation_follows_spec(store):
    rt = kinds.lookup("stable.example.com", "crontabs")
    made = store.create(dict(_ct(), status={"replicas": 9}))
    assert "status" not in made and made["metadata"]["generation"] == 1
    st = store.patch(rt, "default", "x", "merge", {"status": {"replicas": 2}, "spec": {"replicas": 7}},
                     subresource="status")
    assert st["status"] == {"replicas": 2} and st["spec"]["replicas"] == 1 and st["metadata"]["generation"] == 1
    sp = store.patch(rt, "default", "x", "merge", {"status": {"replicas": 5}, "spec": {"replicas": 3}})
    assert sp["status"] == {"replicas": 2} and sp["spec"]["replicas"] == 3 and sp["metadata"]["generation"] == 2
    labelled = store.patch(rt, "default", "x", "merge", {"metadata": {"labels": {"a": "b"}}})
    assert labelled["metadata"]["generation"] == 2
    with pytest.raises(errors.Invalid) as e:
        store.patch(rt, "default", "x", "merge", {"status": {"replicas": "two"}}, subresource="status")
    assert "status.replicas: Invalid value: \"string\": status.replicas in body must be of type integer" in e.value.message


def test_the_scale_subresource_reads_and_writes_the_crds_paths(store):
    rt = kinds.lookup("stable.example.com", "crontabs")
    store.create(_ct(replicas=2))
    store.patch(rt, "default", "x", "merge", {"status": {"replicas": 2, "selector": "app=x"}}, subresource="status")
    crd = crds.definition(rt)
    scale = crd_paths.scale_of(crd, store.get(rt, "default", "x"))
    assert scale["spec"] == {"replicas": 2} and scale["status"] == {"replicas": 2, "selector": "app=x"}
    assert crd_paths.replicas_merge(crd, "v1", 4) == {"spec": {"replicas": 4}}
    scaled = store.patch(rt, "default", "x", "merge", crd_paths.replicas_merge(crd, "v1", 4), subresource="scale")
    assert scaled["spec"]["replicas"] == 4 and scaled["metadata"]["generation"] == 2


def test_deleting_a_crd_deletes_its_objects_then_itself(cluster, store):
    store.create(_ct("a"))
    store.create(_ct("b"))
    rt = kinds.lookup("stable.example.com", "crontabs")
    deleting = store.delete(kinds.CRD, "", "crontabs.stable.example.com")
    assert deleting["metadata"]["deletionTimestamp"]
    cluster.run_until_idle()
    assert store.try_get(kinds.CRD, "", "crontabs.stable.example.com") is None
    assert list(store.iter(rt)) == []
    assert kinds.lookup("stable.example.com", "crontabs") is None
    assert all(r.group != "stable.example.com" for r in kinds.all_types())


def test_crds_and_their_objects_survive_a_restart(tmp_path):
    path = str(tmp_path / "state.db")
    s = Store(path, clock=ManualClock())
    s.create(_crd())
    s.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})
    s.create(_ct("kept"))
    s.close()
    kinds.unregister("stable.example.com", "crontabs")
    s2 = Store(path, clock=ManualClock())
    rt = kinds.lookup("stable.example.com", "crontabs")
    assert rt is not None
    assert s2.get(rt, "default", "kept")["spec"]["replicas"] == 1
    s2.close()
    Store()                                   # a new store serves its own CRDs (none)
    assert kinds.lookup("stable.example.com", "crontabs") is None


def test_crd_updates_keep_scope_kind_group_and_plural(store):
    crd = objects_clone(store.get(kinds.CRD, "", "crontabs.stable.example.com"))
    crd["spec"]["scope"] = "Cluster"
    crd["spec"]["names"]["shortNames"] = ["ct", "cron"]
    with pytest.raises(errors.Invalid) as e:
        store.update(crd)
    assert 'spec.scope: Invalid value: "Cluster": field is immutable' in e.value.message
    crd["spec"]["scope"] = "Namespaced"
    updated = store.update(crd)
    assert updated["status"]["acceptedNames"]["shortNames"] == ["ct", "cron"]
    assert updated["metadata"]["generation"] == 2
    assert kinds.lookup("stable.example.com", "crontabs").short_names == ("ct", "cron")


def objects_clone(obj):
    return copy.deepcopy(obj)


def test_a_cluster_scoped_crd_and_a_crd_without_status_subresource(cluster):
    crd = _crd(scope="Cluster")
    del crd["spec"]["versions"][0]["subresources"]
    cluster.store.create(crd)
    rt = kinds.lookup("stable.example.com", "crontabs")
    assert not rt.namespaced and rt.subresources == ()
    obj = _ct()
    obj["status"] = {"replicas": 1}
    made = cluster.store.create(obj)
    assert "namespace" not in made["metadata"] and made["status"] == {"replicas": 1}
    changed = cluster.store.patch(rt, "", "x", "merge", {"status": {"replicas": 2}})
    assert changed["metadata"]["generation"] == 2        # without the subresource, status is the object's


def test_the_garbage_collector_follows_custom_owners(cluster, store):
    ct = store.create(_ct("owner"))
    store.create({"apiVersion": "v1", "kind": "ConfigMap",
                  "metadata": {"name": "owned", "namespace": "default",
                               "ownerReferences": [{"apiVersion": "stable.example.com/v1", "kind": "CronTab",
                                                    "name": "owner", "uid": ct["metadata"]["uid"]}]}})
    cluster.run_until_idle()
    assert store.try_get(kinds.CONFIGMAP, "default", "owned") is not None
    store.delete(kinds.lookup("stable.example.com", "crontabs"), "default", "owner")
    cluster.run_until_idle()
    assert store.try_get(kinds.CONFIGMAP, "default", "owned") is None


def test_a_plural_another_group_serves_is_not_accepted(cluster):
    crd = _crd(group="example.org", names={"plural": "pods", "kind": "Pod"})
    crd["metadata"]["name"] = "pods.example.org"
    made = cluster.store.create(crd)
    conds = {c["type"]: (c["status"], c["message"]) for c in made["status"]["conditions"]}
    assert conds["NamesAccepted"] == ("False", '"pods" is already in use')
    assert conds["Established"][0] == "False"
    assert kinds.lookup("example.org", "pods") is None and kinds.lookup("", "pods") is kinds.POD


def test_a_horizontalpodautoscaler_scales_a_custom_object_through_its_scale_subresource(cluster, store):
    """The HPA reads the scale (replicas, and the selector string of labelSelectorPath) and writes
    spec.replicas at specReplicasPath: here the CronTab's selector picks php-apache's pods."""
    cluster.store.create(hpa_helpers.php_apache())
    cluster.store.create(hpa_helpers.service())
    cluster.advance(30)
    rt = kinds.lookup("stable.example.com", "crontabs")
    store.create(_ct("cron", replicas=1))
    store.patch(rt, "default", "cron", "merge", {"status": {"replicas": 1, "selector": "run=php-apache"}},
                subresource="status")
    hpa = hpa_helpers.hpa("cron")
    hpa["spec"]["scaleTargetRef"] = {"apiVersion": "stable.example.com/v1", "kind": "CronTab", "name": "cron"}
    store.create(hpa)
    cluster.load.set_deployment_load("default", "php-apache", Fraction(3))
    hpa_helpers.run_for(cluster, 60)
    assert store.get(rt, "default", "cron")["spec"]["replicas"] > 1
    able = hpa_helpers.condition(cluster, "AbleToScale", "cron")
    assert able["status"] == "True"
